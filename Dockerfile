# The service image (filled in with the scoring service; see README).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY data_contracts ./data_contracts
COPY features ./features
COPY models ./models
COPY training ./training
COPY service ./service
RUN pip install --no-cache-dir .
ENV LKS_HOME=/data
VOLUME /data
ENTRYPOINT ["lks"]
CMD ["status"]
