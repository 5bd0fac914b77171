"""Production. Refuses to start, naming the variable, when a required secret is missing or
LinkedIn is still the development sandbox."""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from apps.core.logging import logging_config

from .base import *  # noqa: F403
from .base import DATABASES, env

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL")
_missing = [name for name in REQUIRED if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

# LinkedIn: the real service. base.py's defaults point at the local sandbox (127.0.0.1:8765
# and its made-up client) so that a fresh checkout runs without credentials; production
# refuses them rather than start with a client secret everybody knows.
LINKEDIN_OAUTH_BASE = env("LINKEDIN_OAUTH_BASE", default="https://www.linkedin.com/oauth/v2")
LINKEDIN_API_BASE = env("LINKEDIN_API_BASE", default="https://api.linkedin.com")
LINKEDIN_CLIENT_ID = env.str("LINKEDIN_CLIENT_ID", default="").strip()
LINKEDIN_CLIENT_SECRET = env.str("LINKEDIN_CLIENT_SECRET", default="").strip()
SANDBOX_LINKEDIN_CREDENTIALS = {"sandbox-client", "sandbox-secret"}


def _linkedin_problems() -> list[str]:
    problems = [
        f"{name} must be set to the app's credentials from LinkedIn's developer portal"
        for name, value in (
            ("LINKEDIN_CLIENT_ID", LINKEDIN_CLIENT_ID),
            ("LINKEDIN_CLIENT_SECRET", LINKEDIN_CLIENT_SECRET),
        )
        if not value or value in SANDBOX_LINKEDIN_CREDENTIALS
    ]
    for name, url in (
        ("LINKEDIN_OAUTH_BASE", LINKEDIN_OAUTH_BASE),
        ("LINKEDIN_API_BASE", LINKEDIN_API_BASE),
    ):
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        try:
            local = not ipaddress.ip_address(host).is_global
        except ValueError:
            local = host in ("", "localhost") or host.endswith(".localhost")
        if parts.scheme != "https" or local:
            problems.append(f"{name} must be an https:// address of LinkedIn, not {url!r}")
    return problems


if _linkedin_problems():
    raise ImproperlyConfigured(
        "Production settings refuse the LinkedIn sandbox: " + "; ".join(_linkedin_problems())
    )

DEBUG = False
# Row-level security is on with PostgreSQL: DATABASE_URL is the app's role (techlead_app),
# DATABASE_OWNER_URL the owner's for migrate and rls_setup (deploy/README.md). Turning it
# off (DATABASE_ROW_LEVEL_SECURITY=false) is for an app still connecting as the owner.
DATABASE_ROW_LEVEL_SECURITY = env.bool(
    "DATABASE_ROW_LEVEL_SECURITY",
    default=DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
# Sign-up never tells whether an address has an account: allauth answers "check your inbox"
# either way and mails the owner of a taken address instead. It only works together with
# mandatory verification, so both are fixed here, not read from the environment.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is hard to undo (browsers ship the list): on by default, off with the variable.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Proxies in front of the app that append to X-Forwarded-For (deploy/: one load balancer).
# Per-IP rate limits (sign-in, sign-up, password reset) count the client, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# One JSON object per line for the log shipper (apps/core/logging.py); LOG_FORMAT=text to read
# them by eye.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))

# Errors to Sentry, only when SENTRY_DSN is set. No personal data: no cookies, no user
# emails or IP addresses, no request bodies; each event is tagged with its request id.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default="") or None,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
