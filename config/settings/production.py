"""Production settings: refuse to start without secrets and services; secure by default."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import AXES_IPWARE_PROXY_COUNT, STORAGES, allow_prepared_reads, env

DEBUG = False
# No defaults: a missing variable raises ImproperlyConfigured at start-up.
SECRET_KEY = env.str("SECRET_KEY")
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
allow_prepared_reads(DATABASES["default"])
# Behind pgbouncer in transaction pooling mode (docs/scaling.md): a server-side cursor (streamed
# CSV exports use one) and a prepared statement (the prepared reads of common/compiled.py)
# both belong to one server connection, which the pooler hands to someone else after each
# transaction.
if env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CACHES = {"default": {"BACKEND": "common.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Hashed file names (collectstatic in bin/serve writes the manifest): whitenoise serves those
# with a far-future, immutable Cache-Control; the plain names get a short max-age.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Links in e-mails, webhooks and calendar feeds: a wrong default would send people elsewhere.
SITE_URL = env.str("SITE_URL")

# Behind a TLS-terminating proxy (the default), trust its X-Forwarded-Proto; set
# TRUST_PROXY_HEADERS=false when gunicorn faces the clients itself.
if env.bool("TRUST_PROXY_HEADERS", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not AXES_IPWARE_PROXY_COUNT:
        # Without it django-axes (8.x: AXES_IPWARE_PROXY_COUNT) counts sign-in failures per
        # proxy address: one attacker would lock everybody out, or spoof X-Forwarded-For.
        raise ImproperlyConfigured(
            "Set AXES_PROXY_COUNT (the number of proxies in front of the app, e.g. 1; it sets "
            "AXES_IPWARE_PROXY_COUNT) when TRUST_PROXY_HEADERS is on (SECURE_PROXY_SSL_HEADER)."
        )
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the nodes over plain HTTP; the answer holds nothing secret.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only a machine with no TLS in front (deploy/production.env.example, the load test on
# 127.0.0.1) turns these off; anything reachable over a network keeps them on.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# /healthz: every part decides (the web answers 503 if no worker or no beat is alive). A web node
# whose workers are deliberately elsewhere still requires them: they answer over the broker.
HEALTHZ_REQUIRED = env.list("HEALTHZ_REQUIRED", default=["database", "broker", "worker", "beat"])
HEALTHZ_WORKER_GROUPS = env.list("HEALTHZ_WORKER_GROUPS", default=["reminders", "exports"])
