"""Settings shared by every environment; everything that differs comes from the environment.

Development defaults are only given for harmless values. Production (``production.py``) refuses
to start without SECRET_KEY, DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is optional and never committed; .env.example documents the variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "common",
    "regulators",
    "incidents",
    "actions",
    "outreach",
    "records",
    "reminders",
    "exports",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: a read whose database connection dropped is answered again (common/db_retry.py).
    "common.db_retry.RetryReadOnLostConnection",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: SQLite under var/, tuned so that the web server, a Celery worker and beat can write at
# once: WAL lets readers run beside the writer, the busy timeout waits instead of failing, and
# IMMEDIATE transactions take the write lock up front so two writers never deadlock on upgrade.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def allow_prepared_reads(database: dict[str, Any]) -> None:
    """On PostgreSQL, a ``prepare_threshold`` that is not None: psycopg may prepare statements.
    Only the reads of common/compiled.py marked prepared=True ask it to (on their first run, on
    a cursor that binds values on the server); Django's own cursors bind on the client and never
    prepare. Django's default, None, turns it off (as behind pgbouncer in transaction mode,
    production.py). SQLite's driver takes no such option."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)


allow_prepared_reads(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation and time --------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded documents live outside the web root and are served only by a permission-checked
    # view (incidents.views.documents); there is deliberately no MEDIA_URL route.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Up to 5 MB an upload stays in memory; a larger one goes to a temporary file, but only after
# incidents.documents.SizeLimitedUploadHandler has let it through (refused past
# DOCUMENT_MAX_UPLOAD_BYTES while streaming, before the temporary file grows).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "incidents.documents.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # Django's default, stated: forms here have a few dozen

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="incident-clock@localhost")

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "common.redis_cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With Redis, sessions are read from the cache (one query less on every request) and still
# written to the database, so a Redis restart signs nobody out. Without it (make run, tests) they
# stay in the database.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---------------------------------------------------------------------------------
from config.settings.celery import *  # noqa: E402,F403  (topic module, HackSoft style)

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous request gets 401 with WWW-Authenticate: Token.
        "accounts.tokens.ScopedTokenAuthentication",  # + expiry and second-factor condition
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Incident Clock API",
    "DESCRIPTION": "Incidents, timelines, legal deadlines and filings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes announces itself at INFO in every process, which would clutter command output.
    "loggers": {"axes": {"level": "WARNING"}},
}

# PDF export: Korean comes from the font shipped in static/fonts/; a system font family named here
# (e.g. "Noto Sans CJK KR") is tried first, the shipped one covers what it lacks.
EXPORT_PDF_FONT_FAMILY = env.str("EXPORT_PDF_FONT_FAMILY", default="")
# An incident with more events than this gets its PDF from the export queue (a job page, then the
# download) rather than in the request: a PDF costs about a second of CPU per 100 events, which a
# web worker would otherwise spend while its other clients wait. 0 sends every PDF with an event
# to the queue (docs/performance.md, "HTTP load test").
EXPORT_PDF_ASYNC_THRESHOLD = env.int("EXPORT_PDF_ASYNC_THRESHOLD", default=2000)
# How many PDFs web requests build at once, site-wide with Redis (exports/slots.py); one more
# goes to the export queue like a large one. 0: no limit.
EXPORT_PDF_IN_REQUEST = env.int("EXPORT_PDF_IN_REQUEST", default=1)
# A PDF built in a request runs this many steps of CPU priority (nice) below the pages, in
# gunicorn's sync worker (exports/priority.py); as the exports worker does. 0: the same priority.
EXPORT_PDF_IN_REQUEST_NICE = env.int("EXPORT_PDF_IN_REQUEST_NICE", default=10)

# Django 6 default now; silences the transitional warning on every URLField form.
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Security: two-factor sign-in, lockout, CSP, audit (docs/security.md) ----------------------
from datetime import timedelta  # noqa: E402

from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "audit",
    "search",
]
# OTP state is read right after the user is known; the redirect-to-OTP step runs next.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "accounts.middleware.OTPRequiredMiddleware",
)
# CSP wraps everything below it; the path overrides (API docs) must sit inside it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "accounts.middleware.CSPPathOverrideMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # axes wants to be last

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out users before any password check
    # ModelBackend whose per-request user read also brings the profile and the roles (one query).
    # Sessions signed in through django.contrib.auth.backends.ModelBackend before it are signed
    # out once (Django loads a session's user only through the backend it was signed in with).
    "accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
# Separate counters per username and per address: five failures lock that account (from any
# address) and that address (for any account) for an hour. Admins unlock in the admin site.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy set AXES_PROXY_COUNT (e.g. 1) so the client address comes from
# X-Forwarded-For as written by the proxy, not from whatever the client sent.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=None)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Two-factor: required for admins, superusers and the legal role; for everyone if set.
OTP_REQUIRED_FOR_ALL = env.bool("OTP_REQUIRED_FOR_ALL", default=False)
OTP_ENFORCED = True  # the page gate; only test settings turn it off (see config/settings/test.py)
OTP_REQUIRED_ROLES = ["admin", "legal"]
OTP_TOTP_ISSUER = "Incident Clock"
OTP_BACKUP_CODE_COUNT = 10
# Paths an unverified user may still reach. The API is token-authenticated (session use of the
# API by an unverified user is refused in the middleware instead); ICS feeds use secret URLs.
OTP_EXEMPT_PATH_PREFIXES = [
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/otp/",
    "/healthz",
    "/static/",
    "/i18n/",
    "/ics/",
    "/feeds/",
    "/calendar/",
]

# Content Security Policy (django-csp 4). No inline script or inline style: put CSS and JS in
# static files. Django admin works under this policy as is (tests/security/test_csp_browser.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Narrow per-path additions (merged into the policy above by CSPPathOverrideMiddleware).
# Swagger UI and Redoc ship an inline <style> and inject styles at run time; Redoc also runs
# its search in a Web Worker made from a blob: URL. Scripts stay 'self' there too (use
# drf-spectacular's SpectacularSwaggerSplitView, which has no inline script).
CSP_PATH_UPDATES: dict[str, dict[str, list[str]]] = {
    "/api/docs/": {"style-src": ["'unsafe-inline'"]},
    "/api/redoc/": {"style-src": ["'unsafe-inline'"], "worker-src": [SELF, "blob:"]},
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Uploads (filing documents, evidence): checked by content, not by name (incidents/documents.py).
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)

REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = [
    "rest_framework.permissions.IsAuthenticated",
    "audit.api_scopes.TokenScopePermission",  # read-only tokens get 403 on unsafe methods
]
# The schema and the docs pages are for signed-in users only.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]

# --- REST API v1 (issue 6) -------------------------------------------------------------------
# Strict filtering (unknown parameters are a 400), bounded pages, one error body for every 4xx,
# and error responses documented on every operation.
REST_FRAMEWORK.update(
    {
        "DEFAULT_PAGINATION_CLASS": "common.api.pagination.BoundedPageNumberPagination",
        "DEFAULT_FILTER_BACKENDS": [
            "common.api.filters.StrictFilterBackend",
            "common.api.filters.StrictOrderingFilter",
        ],
        "DEFAULT_SCHEMA_CLASS": "common.api.schema.AutoSchema",
        "EXCEPTION_HANDLER": "common.api.errors.api_exception_handler",
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        # Size- and depth-bounded JSON: a 50,000-deep body is a 400, not a RecursionError.
        "DEFAULT_PARSER_CLASSES": ["common.api.parsers.BoundedJSONParser"],
    }
)
SPECTACULAR_SETTINGS.update(
    {
        "COMPONENT_SPLIT_REQUEST": True,
        "SCHEMA_PATH_PREFIX": "/api/v1",
        "ENUM_NAME_OVERRIDES": {
            "EventKindEnum": "incidents.models.EventKind",
            "PrecisionEnum": "regulators.models.PRECISION_CHOICES",
            "FilingPrecisionEnum": "incidents.models.FilingPrecision",
            "IncidentStatusEnum": "incidents.models.IncidentStatus",
            "DeadlineStatusEnum": "incidents.models.DeadlineStatus",
            "ClosureKindEnum": "regulators.models.CalendarClosure.Kind",
            "PeriodUnitEnum": "regulators.models.UNIT_CHOICES",
        },
    }
)

# --- Outbound webhooks (reminders/webhook_guard.py) ------------------------------------------
# Webhooks may only reach public addresses; list CIDRs here to allow a known internal receiver.
WEBHOOK_ALLOWED_NETWORKS: list[str] = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# --- Single sign-on with OpenID Connect (issue 17): inert unless OIDC_ISSUER is set -----------
from config.settings import oidc as _oidc  # noqa: E402
from config.settings.oidc import *  # noqa: E402,F403

_oidc.wire(MIDDLEWARE, OTP_EXEMPT_PATH_PREFIXES, CONTENT_SECURITY_POLICY)
