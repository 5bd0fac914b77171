"""The test suite: SQLite in memory unless DATABASE_URL is set (CI sets it to PostgreSQL)."""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-long-enough-for-jwt-hmac"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ANYMAIL = {"WEBHOOK_SECRET": "inbound:test-webhook-secret"}
INBOUND_MAIL_DOMAIN = "inbound.example.test"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_RATE_LIMITS = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STORAGES["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    }
# The replica is default itself in tests (a mirror sees only committed rows). Reads go there
# only in tests that opt in: settings.REPLICA_DATABASE = "replica" (apps/core/tests).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPLICA_DATABASE = None
# Reads alongside the request's (apps/core/alongside.py) run on another connection, which
# cannot see a test's rows in their open transaction: only the tests that commit turn it on.
CONCURRENT_READS = False
if REDIS_URL:
    # Tests on Redis get their own database number so they never touch a dev worker's queue.
    CELERY_BROKER_URL = env("TEST_REDIS_URL", default=REDIS_URL)
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
FIELD_ENCRYPTION_KEYS = ["cjEe2pGTSzCR6eSpqUHsKgv9ba3VtC4VEmdg_0Gf2jQ="]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The CRM clients talk to local fakes (apps/crm/tests/fakes.py); a name under .invalid never
# resolves, so a request no fake answers fails at once instead of reaching a real CRM.
CRM_HUBSPOT_API_BASE = "http://hubspot.invalid"
CRM_PIPEDRIVE_API_BASE = "http://pipedrive.invalid/v1"
