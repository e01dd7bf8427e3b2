# Muster. Socket Mode by default (one process, no public URL); HTTP behind a load
# balancer with `muster serve --http` (gunicorn, several replicas).
#   docker build -t muster .
#   docker run --env-file muster.env muster muster db upgrade          # once per release
#   docker run --env-file muster.env muster                             # Socket Mode
#   docker run --env-file muster.env -p 3000:3000 muster muster serve --http --port 3000
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first, pinned and hashed, so a code change rebuilds only the layers below.
COPY requirements/runtime.lock ./requirements/runtime.lock
RUN pip install --require-hashes -r requirements/runtime.lock
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
CMD ["muster", "serve"]
