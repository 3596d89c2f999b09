# Dateline in a container: one image for the web, worker and scheduler processes.
# docker-compose.yml runs it with PostgreSQL, Redis and nginx (docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATELINE_VAR_DIR=/var/lib/dateline

RUN useradd --system --home-dir /srv/dateline --create-home dateline
WORKDIR /srv/dateline
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY dateline ./dateline
RUN pip install --no-cache-dir --no-deps . && mkdir -p /var/lib/dateline && chown dateline /var/lib/dateline

USER dateline
EXPOSE 8000
CMD ["dateline", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
