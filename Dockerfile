# The app image for the "at scale" stack in docker-compose.yml: Django on gunicorn, static files
# served by whitenoise, records in MongoDB, search in Elasticsearch (both set by the environment).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Runtime packages only: requirements.txt lists the test tools after its "# Tests" line.
# Every pinned package ships Linux wheels (x86_64 and aarch64), so no compiler is needed.
COPY requirements.txt .
RUN sed '/^# Tests/,$d' requirements.txt > /tmp/requirements-runtime.txt \
    && pip install -r /tmp/requirements-runtime.txt \
    && rm /tmp/requirements-runtime.txt

# The code belongs to root and stays read-only for the app; only DATA_DIR is writable.
RUN useradd --system --uid 10001 --home-dir /app --no-create-home app
COPY . .
RUN mkdir -p /app/var && chown app:app /app/var

ENV DJANGO_SETTINGS_MODULE=ecommerce_analytics.settings.production \
    DATA_DIR=/app/var \
    WEB_CONCURRENCY=3

USER app
EXPOSE 8000
CMD ["/bin/sh", "/app/docker/start.sh"]
