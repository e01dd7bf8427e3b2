# Muster. Socket Mode by default (one process, no public URL); HTTP behind a load
# balancer with `muster serve --http` (gunicorn, several replicas). See the README,
# "Running it in Slack", for `docker run` in both modes.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini as PID 1: it hands SIGTERM (docker stop) to muster, which stops gracefully
# within 8 s, and reaps what exits; a Python process as PID 1 would do neither.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, pinned and hashed, in a layer of their own: a code change
# rebuilds only the layers below.
COPY requirements/runtime.lock ./requirements/runtime.lock
RUN pip install --require-hashes -r requirements/runtime.lock
# No tests, benchmarks, Web API stand-in or console (.dockerignore): only what serves.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-deps . \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin muster \
 && mkdir -p /data && chown muster:muster /data

USER muster
VOLUME ["/data"]
ENV DATABASE_URL=sqlite:////data/muster.db
EXPOSE 3000
# Database reachable and migrated, and the Socket Mode connection up (or, with
# --http, /healthz answering): one line, exit 0 or 1.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["muster", "health"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["muster", "serve"]
