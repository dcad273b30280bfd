"""Test settings: only what makes tests fast and isolated."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, VAR_DIR, env

# Developer tools (fault harness, benchmarks, load generators): never in production settings.
INSTALLED_APPS = [*INSTALLED_APPS, "tools"]

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The test run must not leave the locale's preference to chance.
LANGUAGE_CODE = "en"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("TEST_MEDIA_ROOT", default=str(VAR_DIR / "test-media"))},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests of pages and the API sign in with client.force_login, which cannot pass a second factor
# (it also bypasses axes, which stays enabled). The two-factor page gate is therefore off here;
# tests/security/conftest.py turns it back on for the tests that exercise it.
OTP_ENFORCED = False
