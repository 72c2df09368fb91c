# KQM production image: the Django app served by gunicorn (static files by whitenoise).
# The same image runs the Celery worker and beat; see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=kqm.settings \
    KQM_VAR_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

# WeasyPrint needs Pango and HarfBuzz; the PDFs use DejaVu and Liberation fonts.
# `manage.py backup` and `restore` need pg_dump and pg_restore of the server's major version
# (16, as in docker-compose.yml), from the PostgreSQL project's own Debian repository.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

# The app runs as this user; its home holds only caches (fontconfig's, for WeasyPrint).
RUN groupadd --system --gid 1000 kqm \
    && useradd --system --uid 1000 --gid kqm --create-home --home-dir /home/kqm \
        --shell /usr/sbin/nologin kqm

# Dependencies first, so that code changes do not reinstall them. The project
# declares no packages: installing it only brings its dependencies.
COPY pyproject.toml /tmp/kqm-build/pyproject.toml
RUN pip install /tmp/kqm-build && rm -rf /tmp/kqm-build

WORKDIR /app
# The code stays owned by root: the app user can read it but not change it.
COPY . /app

# The settings refuse production without a secret key, so collectstatic gets a
# throwaway one for this step only; it is not kept in the image's environment.
RUN KQM_ENV=production SECRET_KEY=build-time-only-dummy-secret-key-never-used-at-runtime-0123456789 ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /data/media \
    && chown -R kqm:kqm /data

USER kqm
EXPOSE 8000

# /healthz answers 200 when the database and the broker are up. The request
# carries an allowed Host and X-Forwarded-Proto so that ALLOWED_HOSTS and
# SECURE_SSL_REDIRECT do not turn it into a 400 or a redirect.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h if h not in ('', '*') else 'localhost', 'X-Forwarded-Proto': 'https'}), timeout=8)"]

# The access log leaves out the secrets some links carry (kqm/gunicorn_logger.py).
# Workers: WEB_CONCURRENCY (gunicorn reads it), 3 by default; raise it to about
# 2 x CPU cores + 1 on a bigger host. PDF rendering is slow, hence the timeout.
CMD ["gunicorn", "kqm.wsgi:application", "--bind", "0.0.0.0:8000", "--logger-class", "kqm.gunicorn_logger.GunicornLogger", "--timeout", "120", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", "--max-requests", "1000", "--max-requests-jitter", "100"]
