# The lks service image: the scoring API (uvicorn) and the `lks` command line, dependencies from
# requirements/runtime.lock (exact versions, hashes checked). No engine builds it on the development
# machines; `make lint` runs hadolint on this file and tests/test_dockerfile.py runs its entry command.
# Build: docker build -t lks .   How a platform team runs it: docs/deployment.md.

# Stage 1: a virtual environment with the locked dependencies and lks itself (not editable).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/lks
COPY requirements/runtime.lock /tmp/runtime.lock
RUN /opt/lks/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/runtime.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY data_contracts ./data_contracts
COPY features ./features
COPY models ./models
COPY training ./training
COPY service ./service
COPY simulator ./simulator
COPY cli ./cli
RUN /opt/lks/bin/pip install --no-cache-dir --no-deps .

# Stage 2: the runtime, without build files. LightGBM's wheel needs the system's OpenMP (libgomp1).
FROM python:3.11-slim
# libgomp1 comes from the base image's Debian release; a pinned Debian version would break the build
# at that release's next point update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 lks \
    && useradd --system --no-log-init --create-home --uid 10001 --gid 10001 lks \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/lks /opt/lks

# State (database when no LKS_DATABASE_URL, embedded MLflow, reports) lives on a volume, never in the
# image; secrets (LKS_DATABASE_URL with its password, MLflow credentials) come from the platform at run time.
ENV PATH=/opt/lks/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LKS_HOME=/data \
    LKS_HOST=0.0.0.0 \
    LKS_PORT=8000 \
    LKS_WORKERS=2 \
    LKS_THREADS=1 \
    LKS_FORWARDED_ALLOW_IPS=127.0.0.1
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['LKS_PORT'] + '/health', timeout=4)"]
ENTRYPOINT ["lks"]
CMD ["serve"]
