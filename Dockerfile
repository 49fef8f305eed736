# The lks service image: the scoring API (uvicorn) and the `lks` command line.
# Build: docker build -t lks .   Run: docker run -p 8000:8000 -v lks-data:/data lks
# (No Docker engine runs on the development machines; this file is not exercised by `make test`.)
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 lks
WORKDIR /app
COPY pyproject.toml README.md ./
COPY data_contracts ./data_contracts
COPY features ./features
COPY models ./models
COPY training ./training
COPY service ./service
RUN pip install --no-cache-dir .

# State (database, MLflow registry, reports) lives on a volume, never in the image.
ENV LKS_HOME=/data LKS_THREADS=2
RUN mkdir -p /data && chown lks /data
VOLUME /data
USER lks
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
ENTRYPOINT ["lks"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
