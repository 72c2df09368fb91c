"""Django configuration for KQM, read from the environment.

Development (the embedded default) needs nothing: SQLite, the filesystem
broker for Celery, the console email backend. Production (``KQM_ENV=production``)
refuses to start without a secret key and turns on every security setting that
``manage.py check --deploy`` looks for.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
import structlog
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from kqm.redaction import redact_log_event, redact_sentry_event

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

KQM_ENV = env.str("KQM_ENV", default="development")
if KQM_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("KQM_ENV must be development, test or production.")
PRODUCTION = KQM_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off when KQM_ENV=production: debug pages show settings and code."
    )

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            "when KQM_ENV=production."
        )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-secret-key-not-for-production-use")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Children who left a setting are deleted, with their Leuven scores, this many years later.
CHILD_RETENTION_YEARS = env.int("CHILD_RETENTION_YEARS", default=3)
# The rest of the retention schedule (kqm/retention.py), in years.
STAFF_ACCOUNT_RETENTION_YEARS = env.int("STAFF_ACCOUNT_RETENTION_YEARS", default=2)
QUESTIONNAIRE_RETENTION_YEARS = env.int("QUESTIONNAIRE_RETENTION_YEARS", default=3)
EVIDENCE_RETENTION_YEARS = env.int("EVIDENCE_RETENTION_YEARS", default=6)
MESSAGE_RETENTION_YEARS = env.int("MESSAGE_RETENTION_YEARS", default=6)
ACCESS_LOG_RETENTION_YEARS = env.int("ACCESS_LOG_RETENTION_YEARS", default=2)
OFSTED_FILE_RETENTION_YEARS = env.int("OFSTED_FILE_RETENTION_YEARS", default=1)
# The mark's name as printed on certificates and the public pages.
KQM_SCHEME_NAME = env.str("KQM_SCHEME_NAME", default="Quality Mark for Early Years")
# Inter-rater agreement: observers' scorings of the same room should agree within one point
# on at least this share of items (percent); pairs and observers below it are flagged.
KQM_AGREEMENT_THRESHOLD = env.int("KQM_AGREEMENT_THRESHOLD", default=80)
# An award expires this many years after its award date.
AWARD_VALIDITY_YEARS = env.int("AWARD_VALIDITY_YEARS", default=3)
# The local authority the outcomes report covers by default (blank: every local authority).
KQM_LOCAL_AUTHORITY = env.str("KQM_LOCAL_AUTHORITY", default="")
# Certificate checks allowed per visitor address per minute on the public verification page.
VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=20)
# The Ofsted import keeps only these local authorities' providers (comma-separated, e.g.
# "Kent,Medway"); unset, it keeps every provider in the file (a national benchmark).
KQM_LOCAL_AUTHORITIES = env.list("KQM_LOCAL_AUTHORITIES", default=[])
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed (kqm/net.py).
KQM_TRUSTED_PROXIES = env.list("KQM_TRUSTED_PROXIES", default=[])

# The largest request body accepted (checked from Content-Length before reading). The reverse
# proxy should refuse larger bodies first (nginx: client_max_body_size 60m).
KQM_MAX_REQUEST_BYTES = env.int("KQM_MAX_REQUEST_BYTES", default=60 * 1024 * 1024)
# Form fields kept in memory (not files): Django refuses larger non-file bodies with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

VAR_DIR = Path(env.str("KQM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_celery_beat",
    "django_structlog",
    "kqm",
    "settings",
    "accreditation",
    "audits",
]

MIDDLEWARE = [
    # First, so that it times the whole request (kqm/metrics.py).
    "kqm.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A request id (X-Request-ID, or a new one) on every log line, carried into Celery tasks.
    "django_structlog.middlewares.RequestMiddleware",
    "kqm.middleware.RequestGuardMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kqm.two_factor.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kqm.middleware.OutboxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp): our own scripts and styles only,
# no inline script or style, no plugins, no framing, forms post only to KQM.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Second factor (kqm/two_factor.py): required for KQM managers, evaluators and staff.
KQM_REQUIRE_SECOND_FACTOR = env.bool("KQM_REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = KQM_SCHEME_NAME
# Passkeys (django-otp-webauthn), a second factor only: never instead of the password.
# A passkey belongs to the site's domain, and browsers offer passkeys only over https or on
# localhost, so a development checkout at 127.0.0.1 uses localhost.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "KQM_PASSKEY_ORIGINS", default=[SITE_URL.replace("://127.0.0.1", "://localhost")]
)
OTP_WEBAUTHN_RP_ID = env.str(
    "KQM_PASSKEY_DOMAIN", default=urlsplit(OTP_WEBAUTHN_ALLOWED_ORIGINS[0]).hostname or ""
)
OTP_WEBAUTHN_RP_NAME = KQM_SCHEME_NAME
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The Django admin's address (not the well-known /admin/).
KQM_ADMIN_PATH = env.str("KQM_ADMIN_PATH", default="kqm-admin/").strip("/") + "/"

ROOT_URLCONF = "kqm.urls"
WSGI_APPLICATION = "kqm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kqm.context_processors.navigation",
                "kqm.context_processors.can",
                "kqm.context_processors.scheme",
            ],
            "builtins": ["kqm.templatetags.money"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kqm.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process share the file: wait for locks and use WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a real Celery worker process sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kqm.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # PostgreSQL's JIT compiles the reports' grouped queries for seconds to save
        # milliseconds (the outcomes report over 70,000 settings: 3.4 s with it, 0.3 s off).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A database that does not answer fails the request (or the task, which retries) in
    # seconds rather than hanging it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "kqm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations and resets: three days

# Lock out repeated failed logins (per account and address) for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
# An account locks on its normalised email whatever address the tries come from; an address
# that fails against many accounts is slowed separately (LOGIN_ADDRESS_FAILURE_LIMIT).
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address in the lockout key; KQM counts failures per address itself
# (kqm/auth.py), so that one address cannot lock everyone behind the same network.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form posts the email as "username"
AXES_USERNAME_CALLABLE = "kqm.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "kqm.net.axes_client_address"
# Failed sign-ins from one address (any accounts) per hour before it must wait.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
# Password-reset requests per hour: per visitor address and per account (silently dropped).
PASSWORD_RESET_ADDRESS_LIMIT = env.int("PASSWORD_RESET_ADDRESS_LIMIT", default=10)
PASSWORD_RESET_ACCOUNT_LIMIT = env.int("PASSWORD_RESET_ACCOUNT_LIMIT", default=3)
# Invitations sent again per hour: per client address and per account (silently dropped).
INVITATION_RESEND_ADDRESS_LIMIT = env.int("INVITATION_RESEND_ADDRESS_LIMIT", default=20)
INVITATION_RESEND_ACCOUNT_LIMIT = env.int("INVITATION_RESEND_ACCOUNT_LIMIT", default=3)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
# Uploaded evidence, imports, exports and certificates: the local filesystem by default, or
# any S3-compatible object store (MEDIA_STORAGE=s3), so that several web and worker hosts
# share them. Objects are private: downloads are streamed through the permission-checked views.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE not in {"filesystem", "s3"}:
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
S3_STORAGE_OPTIONS: dict[str, object] = {
    "bucket_name": env.str("S3_BUCKET", default=""),
    "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
    "region_name": env.str("S3_REGION", default="") or None,
    "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
    "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
    "location": env.str("S3_PREFIX", default="media"),
    # Private objects; a URL, if one is ever asked for, is signed and short-lived.
    "default_acl": "private",
    "querystring_auth": True,
    "querystring_expire": 60,
    # Like the filesystem: a second file of the same name gets a suffix, never replaces it.
    "file_overwrite": False,
}
if MEDIA_STORAGE == "s3" and not S3_STORAGE_OPTIONS["bucket_name"]:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_STORAGE_OPTIONS}
        if MEDIA_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: console in development, any backend by EMAIL_URL (smtp://, filemail://...).
# EMAIL_URL=notify:// sends through GOV.UK Notify (kqm/notify.py) with the settings below.
if env.str("EMAIL_URL", default="").startswith("notify:"):
    EMAIL_BACKEND = "kqm.notify.NotifyEmailBackend"
else:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
    vars().update(EMAIL_CONFIG)
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")
NOTIFY_REPLY_TO_ID = env.str("NOTIFY_REPLY_TO_ID", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# The bearer token Notify sends with its delivery receipts (/notify/delivery-status).
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KQM <kqm@localhost>")
# A mail server that does not answer fails the send (which is retried) instead of hanging it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# An email recorded as "sending" for longer than this was interrupted (the worker died
# between the mail server accepting it and the record): it is sent again, with the same
# Message-ID so that the mail server can drop the duplicate.
EMAIL_SENDING_STALE_SECONDS = env.int("EMAIL_SENDING_STALE_SECONDS", default=5 * 60)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport,
# so that a real worker and beat run with no services at all.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
# Every task has a time limit: five minutes by default; the long ones (the Ofsted import,
# report exports) half an hour. Soft first (the task records its failure), then hard.
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
LONG_TASK_TIME_LIMIT = env.int("LONG_TASK_TIME_LIMIT", default=30 * 60)
# Redis hands an unacknowledged message to another worker after this long, so it must
# outlast the longest task (and the longest retry countdown, five minutes).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=LONG_TASK_TIME_LIMIT + 600)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # A Redis that is down or hung fails a publish in seconds, never a whole request.
        "socket_connect_timeout": 2,
        "socket_timeout": 3,
        "socket_keepalive": True,
        "health_check_interval": 30,
        # How often a worker looks for messages whose worker died (older than the
        # visibility timeout) and hands them out again.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing (from the outbox) tries twice, briefly; the outbox sweep does the rest.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
# A message is acknowledged when its task has finished, and handed back to the broker if
# the process running it dies: work is never lost, so every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = TIME_ZONE
# Django-celery-beat's database schedule, kept alive through database outages.
CELERY_BEAT_SCHEDULER = "kqm.beat:DatabaseScheduler"
# Outbox rows and work left in a waiting state this long are published again by the sweep.
OUTBOX_STUCK_MINUTES = env.int("OUTBOX_STUCK_MINUTES", default=10)
# A row is published on commit; the sweep leaves it this long to do so before stepping in.
OUTBOX_PUBLISH_GRACE_SECONDS = env.int("OUTBOX_PUBLISH_GRACE_SECONDS", default=30)
# Where the sweep asks for stuck work: each returns the (task, kwargs) to queue again.
OUTBOX_STUCK_WORK = [
    "kqm.emails.stuck_emails",
    "accreditation.services.awards.stuck_certificates",
    "accreditation.services.exports.stuck_exports",
    "settings.services_import.stuck_imports",
]

# Cache: Redis when REDIS_URL is set, files under var/cache otherwise. Long jobs (the Ofsted
# import) report their progress here, where other processes see it while a transaction is open.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kqm",
            # A Redis that is down or hung costs a page a second, not the whole request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Backups (kqm/backup.py, manage.py backup / restore): a folder, or s3://bucket/prefix on an
# S3-compatible store (credentials BACKUP_S3_*, by default the media's S3_* ones).
BACKUP_LOCATION = env.str("BACKUP_LOCATION", default=str(VAR_DIR / "backups"))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_TIMEOUT_SECONDS = env.int("BACKUP_TIMEOUT_SECONDS", default=60 * 60)
BACKUP_S3_OPTIONS = {
    option: env.str(f"BACKUP_S3_{name}", default=env.str(f"S3_{name}", default=""))
    for option, name in [
        ("endpoint_url", "ENDPOINT_URL"),
        ("region_name", "REGION"),
        ("access_key", "ACCESS_KEY_ID"),
        ("secret_key", "SECRET_ACCESS_KEY"),
    ]
}

# Logs: one JSON object a line in production (LOG_FORMAT=json), readable lines in development,
# with the secret part of reset, invitation, questionnaire and calendar links redacted
# (kqm/redaction.py).
# django-structlog puts a request id on every line of a request, and carries it into the
# Celery tasks that the request queued (kqm/celery.py), with the task's id and name.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
if LOG_FORMAT not in {"json", "console"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or console.")
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# Behind a proxy that sets X-Request-ID (nginx: proxy_set_header X-Request-ID $request_id),
# keep its id, so that the proxy's and KQM's lines about one request match.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("TRUST_UPSTREAM_REQUEST_ID", default=False)
_LOG_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_LOG_CHAIN,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.UnicodeDecoder(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.dict_tracebacks,
                redact_log_event,
                structlog.processors.JSONRenderer(),
            ],
            "foreign_pre_chain": _LOG_CHAIN,
        },
        "console": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                redact_log_event,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
            "foreign_pre_chain": _LOG_CHAIN,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
    },
}

# Prometheus metrics at /metrics (kqm/metrics.py), for a scraper sending this bearer token;
# unset, /metrics is not found.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Errors to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=KQM_ENV),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No personal data: no user details, request bodies or cookies.
        send_default_pii=False,
        max_request_body_size="never",
        before_send=redact_sentry_event,  # type: ignore[arg-type]
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
