"""Settings shared by every environment, all read from the environment.

Defaults here are the embedded ones a newcomer gets from `make run`: SQLite, the
filesystem Celery broker, a local-memory cache and the LinkedIn sandbox. Production
(prod.py) refuses to start without the real ones.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from apps.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The name e-mails sign with ("Sent by …"); allauth took the request's host for it.
SITE_NAME = env("SITE_NAME", default="TechLead AutoPilot")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "django_celery_beat",
    "django_prometheus",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "anymail",
    "apps.core",
    "apps.accounts",
    "apps.linkedin",
    "apps.content",
    "apps.notifications",
    "apps.leads",
    "apps.analytics",
    "apps.webhooks",
    "apps.staffops",
    # Impersonation for superusers (apps/staffops/permissions.py), audited; our own banner.
    "hijack",
    "hijack.contrib.admin",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.api",
    "apps.mcp",
    "apps.crm",
    "apps.media",
]

MIDDLEWARE = [
    # Request latency for /metrics: the first and the last middleware, so the figures
    # include every other one (apps/core/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Next, so every response (redirects and errors too) and every log line has the id.
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "apps.core.locale.EnglishRegionMiddleware",  # en-US dates for US browsers, after the language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hijack.middleware.HijackUserMiddleware",
    # Row-level security: each request starts with no workspace named to the database.
    "apps.accounts.tenancy.DatabaseScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.csp.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.UserTimezoneMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "techlead.urls"
WSGI_APPLICATION = "techlead.wsgi.application"
ASGI_APPLICATION = "techlead.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.workspace_navigation",
            ],
            "builtins": ["apps.core.templatetags.regional_dates"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite when DATABASE_URL is unset; PostgreSQL through psycopg 3 with Django's pool when set.
# Two roles on PostgreSQL (deploy/README.md, "Row-level security"): DATABASE_URL is the app's
# (web, workers, beat: owns no table, bound by the policies); DATABASE_OWNER_URL the tables'
# owner, used only by a process started with DATABASE_AS_OWNER=1, which manage.py sets for
# the commands that change tables or roles (migrate, rls_setup; see manage.py).
DATABASE_URL = env("DATABASE_URL", default="")
DATABASE_APP_URL = DATABASE_URL  # the app's own, even in a process that runs as the owner
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="")
DATABASE_AS_OWNER = bool(DATABASE_OWNER_URL) and env.bool("DATABASE_AS_OWNER", default=False)
if DATABASE_AS_OWNER:
    DATABASE_URL = DATABASE_OWNER_URL
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "techlead.sqlite3",
            # WAL lets the web process read while the worker writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# No transaction around every request: a tenant view runs in the one `workspace_view` (and
# the API's WorkspaceTransaction) opens, which also names the workspace to the database; a
# view that calls LinkedIn or the model opts out and writes in short blocks. Login, health,
# webhooks in and static files hold no transaction at all.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Row-level security (PostgreSQL, apps/core/rls.py): the role the app connects as (owns no
# tables, no BYPASSRLS) and whether tenancy.py names the workspace to the database in each
# request and task. Production turns it on with PostgreSQL (prod.py); so does CI for the
# suite. Off: the policies exist but the app does not name the workspace, which is right
# only on a role that bypasses them (a superuser in development).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="techlead_app")
DATABASE_ROW_LEVEL_SECURITY = env.bool("DATABASE_ROW_LEVEL_SECURITY", default=False)
# An optional read replica. Reads go there only inside `reads_from_replica` (the dashboard and
# the CSV exports, apps/core/db_routers.py); without DATABASE_REPLICA_URL nothing changes.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
REPLICA_DATABASE = None
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
    REPLICA_DATABASE = "replica"
DATABASE_ROUTERS = ["apps.core.db_routers.ReplicaRouter"]
# Independent reads of one page (the dashboard's lead figures beside its posts) on a second
# connection at the same time, on PostgreSQL (apps/core/alongside.py). Tests turn it off: their
# rows sit in a transaction no other connection sees.
CONCURRENT_READS = env.bool("CONCURRENT_READS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task held by a worker that was killed comes back after this long (acks_late): just
    # over the longest task (CELERY_TASK_TIME_LIMIT), so due posts are not left for an hour.
    # Every task claims its row, so a countdown longer than this, delivered again, is
    # harmless; long waits (re-checks, retries) are kept in the database and swept by beat.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded broker: kombu's filesystem transport, shared by web, worker and beat
    # through folders under var/, so `make run` needs no Redis.
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat runs a few dispatchers that fan out work; never one periodic task per row.
CELERY_BEAT_SCHEDULE = {
    "scheduler-heartbeat": {"task": "core.record_heartbeat", "schedule": 60.0},
    "prune-expired-invitations": {
        "task": "accounts.prune_expired_invitations",
        "schedule": crontab(minute=17, hour=3),
    },
    "audit-log-retention": {
        "task": "accounts.prune_audit_log",
        "schedule": crontab(minute=27, hour=3),
    },
}
# Queues, so that a burst of one kind of work never waits ahead of another: a post due now
# is never queued behind a thousand comment scans or a round of metric snapshots. Each queue
# gets its own workers in production (deploy/compose.yml, deploy/systemd/); `make run`'s
# single embedded worker consumes them all. Routes by task name, exact names before patterns,
# so a new task of an app lands on that app's queue. Whatever matches nothing (housekeeping,
# webhook and CRM deliveries) stays on the default queue, "celery".
TASK_QUEUES = ("publishing", "scans", "alerts", "metrics", "mail", "celery")
# Declared, so a worker started without --queues (and a purge) covers every one of them.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in TASK_QUEUES]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    # Mail a person reads later: never urgent, never in the way of an alert.
    "leads.send_due_digests": {"queue": "mail"},
    "linkedin.send_expiry_reminders": {"queue": "mail"},
    # Drafting waits on the model for minutes at a time: never in the way of publishing.
    "content.write_drafts": {"queue": "celery"},
    # Publishing and what it needs: a usable LinkedIn token.
    "content.*": {"queue": "publishing"},
    "linkedin.refresh_*": {"queue": "publishing"},
    # Comment scans.
    "leads.*": {"queue": "scans"},
    # Lead alerts and every other notice (the outbox, email, push, SMS): a queue of their own.
    # On the scans queue an alert waited behind the scans' backlog: simulate_day at 1,000
    # workspaces measured alerts a median 86 s after the comment was stored (goal 60 s), and
    # a median of 1.1 s with alerts on their own queue.
    "notifications.*": {"queue": "alerts"},
    "analytics.*": {"queue": "metrics"},
}
# Beat pings each queue every minute; the worker that takes the ping records it, so the health
# pages show a queue nobody consumes (apps/core/selectors.background_processes). A ping not
# taken within the minute expires, so workers coming back do not work through a pile of them.
CELERY_BEAT_SCHEDULE |= {
    f"worker-heartbeat-{queue}": {
        "task": "core.record_heartbeat",
        "schedule": 60.0,
        "args": (f"worker:{queue}",),
        "options": {"queue": queue, "expires": 55},
    }
    for queue in TASK_QUEUES
}

# Audit events are kept this long, then pruned nightly (audit-log-retention above).
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=730)
# Beat is considered down when its last heartbeat is older than this.
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=180)
# /healthz shows which part failed only to staff and to callers sending this as a Bearer token
# (a monitor); anonymous callers get ok or not. Empty: staff only.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")
# /metrics (Prometheus) answers staff and callers sending this as a Bearer token; empty:
# staff only. Anyone else gets 404 (no credentials) or 403 (wrong ones).
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Auth and accounts ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[TechLead AutoPilot] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    # Ours, not allauth's: invitations send email to addresses a member types in.
    "invite_member": "20/h/user,100/d/key",
}
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
# Password change asks whether personal API tokens survive it (they do not by default).
ACCOUNT_FORMS = {"change_password": "apps.api.forms.PasswordChangeForm"}
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.SignupExtrasForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "TechLead AutoPilot"
SOCIALACCOUNT_PROVIDERS = {}

INVITATION_VALID_DAYS = 7

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
# Our own date and number formats per language (techlead/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["techlead.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Post images and PDF documents (apps/media): random names under MEDIA_ROOT, never served from
# a public URL. On the filesystem the app streams a file after its workspace check; in any
# S3-compatible store (django-storages, MEDIA_STORAGE=s3 and the AWS_* settings below) the
# bucket stays private and the same check answers with a redirect to a URL the store signs,
# valid for MEDIA_URL_EXPIRY seconds (apps/media/storage.py).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL_EXPIRY = env.int("MEDIA_URL_EXPIRY", default=300)
if env("MEDIA_STORAGE", default="filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, instance role).
            "access_key": env("AWS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_S3_SECRET_ACCESS_KEY", default=None),
            # "path" for stores without per-bucket host names (MinIO and most self-hosted ones).
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRY,
            "file_overwrite": False,
            "custom_domain": None,  # a custom domain would mean unsigned, public URLs
        },
    }

# --- Email ---------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:pass@host:587 and friends) wins; without it, mail is kept in the
# database and readable by staff at /dev/mail/ so a newcomer can click verification links.
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "apps.core.mail.DatabaseEmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TechLead AutoPilot <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Inbound mail (forwarded LinkedIn notifications, apps/leads/mail_inbound.py) ------------
# Each workspace gets comments+<token>@INBOUND_MAIL_DOMAIN; the provider's inbound webhook
# is /anymail/<provider>/inbound/ (apps/leads/mail_urls.py), mounted only once
# ANYMAIL_WEBHOOK_SECRET ("user:password", sent as basic auth by the provider) is set, so it
# is never open to anyone. Postmark, SendGrid, Mailjet and SparkPost need nothing more;
# Mailgun, MailerSend, Postal and Brevo are mounted once their key below is set, Amazon SES
# once boto3 is installed (django-anymail[amazon-ses]).
INBOUND_MAIL_DOMAIN = env("INBOUND_MAIL_DOMAIN", default="inbound.localhost")
INBOUND_MAIL_LOCALPART = env("INBOUND_MAIL_LOCALPART", default="comments")
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default="")}
for _key in (
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    "MAILERSEND_INBOUND_SECRET",
    "POSTAL_WEBHOOK_KEY",
    "BREVO_API_KEY",
):
    if _value := env(_key, default=""):
        ANYMAIL[_key] = _value
# Without an outgoing mail provider nothing can travel to the inbound address, so the
# "send a test message" check hands the message straight to the receiver instead.
INBOUND_MAIL_LOOPBACK = env.bool("INBOUND_MAIL_LOOPBACK", default=not EMAIL_URL)

# --- Encrypted fields ----------------------------------------------------------------------
# Comma-separated Fernet keys, newest first. Kept apart from SECRET_KEY so either can rotate.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    # A fixed development key: only for the embedded default, refused in production.
    default=["cjEe2pGTSzCR6eSpqUHsKgv9ba3VtC4VEmdg_0Gf2jQ="],
)

# --- REST API ------------------------------------------------------------------------------
# apps/api: /api/v1/ with personal API tokens, JWT for app clients and the browser session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.ApiTokenAuthentication",  # Bearer tl_…
        "rest_framework_simplejwt.authentication.JWTAuthentication",  # Bearer eyJ…
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttles.TokenRateThrottle",
        "apps.api.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_PER_TOKEN", default="600/hour"),
        "user": env("API_RATE_PER_USER", default="1200/hour"),
        "sign_in": env("API_RATE_SIGN_IN", default="10/minute"),  # JWT obtain, per address
    },
    "EXCEPTION_HANDLER": "apps.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a hash of the password hash: a password change ends every one of them.
    "CHECK_REVOKE_TOKEN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TechLead AutoPilot API",
    "DESCRIPTION": (
        "Posts, posting slots, templates, leads, analytics and notifications of one workspace, "
        "under /api/v1/w/{workspace_slug}/. Sign in with a personal API token (workspace "
        "settings, API tokens: `Authorization: Bearer tl_…`), with a JWT from "
        "/api/v1/auth/token/ (`Authorization: Bearer eyJ…`), or with the browser session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Operation ids and tags from what follows the workspace: posts_list, leads_partial_update.
    "SCHEMA_PATH_PREFIX": r"/api/v1(/w/\{workspace_slug\})?",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's assets come from drf-spectacular-sidecar, served as our static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PostStatusEnum": "apps.content.models.Post.Status",
        "LeadStatusEnum": "apps.leads.models.Lead.Status",
        "RoleEnum": "apps.accounts.models.Role",
    },
}

# --- Security defaults that hold everywhere ------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Two weeks from sign-in, not from the last request: the session is not re-saved (and so not
# extended) on every request.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_SAVE_EVERY_REQUEST = False
# Sessions are read from the cache (Redis in production) and written through to the database:
# every signed-in page read its session from PostgreSQL before, a query of its own; a session
# survives the cache being flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Lines with the request id, workspace and Celery task id (apps/core/logging.py): readable
# text by default, one JSON object per line with LOG_FORMAT=json (production's default).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))
# Celery's worker keeps the handlers above instead of installing its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Impersonation (django-hijack) --------------------------------------------------------
# Superusers only, never another superuser; templates/staffops/_impersonation_banner.html is
# included by base.html instead of hijack's injected banner (which uses inline script).
HIJACK_PERMISSION_CHECK = "apps.staffops.permissions.superuser_may_impersonate"
HIJACK_INSERT_BEFORE = None

# --- LinkedIn ------------------------------------------------------------------------------
# The sandbox (apps/linkedin/sandbox) by default; production sets the real hosts.
LINKEDIN_OAUTH_BASE = env("LINKEDIN_OAUTH_BASE", default="http://127.0.0.1:8765/oauth/v2")
LINKEDIN_API_BASE = env("LINKEDIN_API_BASE", default="http://127.0.0.1:8765")
# A dated fact: LinkedIn serves each monthly version for about a year, then answers 426.
# 202603 is active until March 2027 in LinkedIn's migrations table and predates 202605's
# breaking change to member post statistics. `manage.py linkedin_check` says how long the
# configured version has left.
LINKEDIN_API_VERSION = env("LINKEDIN_API_VERSION", default="202603")
LINKEDIN_CLIENT_ID = env("LINKEDIN_CLIENT_ID", default="sandbox-client")
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", default="sandbox-secret")
LINKEDIN_TIMEOUT_SECONDS = env.float("LINKEDIN_TIMEOUT_SECONDS", default=10.0)
LINKEDIN_SANDBOX_PORT = env.int("LINKEDIN_SANDBOX_PORT", default=8765)
# Space-separated scopes asked for at connect time: what every self-serve LinkedIn app has
# ("Sign In with LinkedIn using OpenID Connect" and "Share on LinkedIn"). LinkedIn refuses the
# whole authorization when one scope is not approved for the app, so ask for no more.
LINKEDIN_SCOPES = env("LINKEDIN_SCOPES", default="openid profile email w_member_social").split()
# Restricted scopes this deployment's LinkedIn app is approved for, asked for in addition:
# r_member_social (comment reading; granted to select developers only) and
# r_member_postAnalytics (Community Management API, after LinkedIn's app review).
LINKEDIN_APPROVED_SCOPES = env("LINKEDIN_APPROVED_SCOPES", default="").split()
# "approved" when the local sandbox runs in approved app mode (the demo), so pages say so.
LINKEDIN_SANDBOX_MODE = env("LINKEDIN_SANDBOX_MODE", default="")
# Tokens closer than this to expiry are refreshed (where LinkedIn gave a refresh token).
LINKEDIN_REFRESH_BEFORE_DAYS = env.int("LINKEDIN_REFRESH_BEFORE_DAYS", default=10)
LINKEDIN_EXPIRY_REMINDER_DAYS = (14, 7, 1)
CELERY_BEAT_SCHEDULE |= {
    "linkedin-refresh-expiring-tokens": {
        "task": "linkedin.refresh_expiring_tokens",
        "schedule": crontab(minute=23),
    },
    "linkedin-expiry-reminders": {
        "task": "linkedin.send_expiry_reminders",
        "schedule": crontab(minute=41, hour=7),
    },
}

# --- Content Security Policy (django-csp) --------------------------------------------------
# No inline script, no eval, no inline style attributes: behaviour lives in static/js/, looks
# in static/css/. The nonce is only for the 500 page's own <style>, which must not depend on
# anything else working. apps/core/csp.py adds LinkedIn's OAuth host to form-action.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
if CSP_REPORT_URI := env("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [CSP_REPORT_URI]

# --- Content generation --------------------------------------------------------------------
# The built-in template engine is the default. Set LLM_API_BASE (an OpenAI-compatible
# chat-completions server: a hosted provider, Ollama, vLLM) to write drafts with a model;
# any failure falls back to the template engine.
LLM_API_BASE = env("LLM_API_BASE", default="")
LLM_API_KEY = env("LLM_API_KEY", default="")
LLM_MODEL = env("LLM_MODEL", default="")
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=30.0)
APPROVAL_LINK_VALID_HOURS = env.int("APPROVAL_LINK_VALID_HOURS", default=72)

# --- Publishing ----------------------------------------------------------------------------
PUBLISH_MAX_ATTEMPTS = env.int("PUBLISH_MAX_ATTEMPTS", default=6)
PUBLISH_RETRY_BASE_SECONDS = env.float("PUBLISH_RETRY_BASE_SECONDS", default=60.0)
PUBLISH_RETRY_MAX_SECONDS = env.float("PUBLISH_RETRY_MAX_SECONDS", default=1800.0)
PUBLISH_STUCK_AFTER_SECONDS = env.int("PUBLISH_STUCK_AFTER_SECONDS", default=300)
PUBLISH_RECONCILE_DELAY_SECONDS = env.int("PUBLISH_RECONCILE_DELAY_SECONDS", default=60)
# "Not found" on LinkedIn is trusted only when a read this much later agrees (its read side
# can lag); after this many reads of a post in "needs check", the people are asked.
PUBLISH_RECONCILE_CONFIRM_SECONDS = env.int("PUBLISH_RECONCILE_CONFIRM_SECONDS", default=120)
PUBLISH_RECONCILE_MAX_CHECKS = env.int("PUBLISH_RECONCILE_MAX_CHECKS", default=6)
# Calls to publish per member per 24 hours; LinkedIn's own member limit is higher, and a
# consultant posting more than this a day is a mistake worth stopping.
LINKEDIN_DAILY_POSTS_PER_MEMBER = env.int("LINKEDIN_DAILY_POSTS_PER_MEMBER", default=25)
CELERY_BEAT_SCHEDULE |= {
    "content-dispatch-due-posts": {"task": "content.dispatch_due_posts", "schedule": 60.0},
    "content-reap-stuck-posts": {"task": "content.reap_stuck_posts", "schedule": 300.0},
}

# --- Leads ---------------------------------------------------------------------------------
# Where the trained intent model is cached (keyed by a hash of the corpus and the code).
LEADS_MODEL_DIR = env.path("LEADS_MODEL_DIR", default=VAR_DIR / "models")
LEADS_SCAN_INTERVAL_SCALE = env.float("LEADS_SCAN_INTERVAL_SCALE", default=1.0)
CELERY_BEAT_SCHEDULE |= {
    "leads-dispatch-comment-scans": {"task": "leads.dispatch_comment_scans", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE |= {
    "leads-send-due-digests": {"task": "leads.send_due_digests", "schedule": 900.0},
    "leads-escalate-waiting-leads": {"task": "leads.escalate_waiting_leads", "schedule": 900.0},
}
CELERY_BEAT_SCHEDULE |= {
    "leads-purge-expired-commenters": {
        "task": "leads.purge_expired_commenters",
        "schedule": crontab(minute=5, hour=4),
    },
}
# How long a worker holds an event it is delivering, or a first comment it is posting; one
# killed meanwhile leaves it to beat's sweep after this long.
SIDE_EFFECT_LEASE_SECONDS = env.int("SIDE_EFFECT_LEASE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE |= {
    "webhooks-retry-due": {"task": "webhooks.retry_due", "schedule": 60.0},
    # Events recorded with a change but not delivered (a worker died after the commit).
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "content-sweep-first-comments": {"task": "content.sweep_first_comments", "schedule": 60.0},
    "webhooks-purge-deliveries": {
        "task": "webhooks.purge_deliveries",
        "schedule": crontab(minute=17, hour=4),
    },
}

# --- Webhooks ------------------------------------------------------------------------------
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_DISABLE_AFTER = env.int("WEBHOOKS_DISABLE_AFTER", default=5)
# Local receivers (127.0.0.1, private networks) are refused outside development and tests.
WEBHOOKS_ALLOW_LOCAL = env.bool("WEBHOOKS_ALLOW_LOCAL", default=False)

# --- Notifications: Web Push and SMS -------------------------------------------------------
# VAPID keys for Web Push (`manage.py vapid_keys` prints a new pair); without them push is
# not offered. The subject is how a push service reaches the operator: mailto: or https:.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:hello@localhost")
# "twilio" or empty; empty means SMS is not offered.
SMS_PROVIDER = env("SMS_PROVIDER", default="")
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")

# --- CRM push (apps/crm) -------------------------------------------------------------------
# The CRMs' API roots; tests point them at local fakes.
CRM_HUBSPOT_API_BASE = env("CRM_HUBSPOT_API_BASE", default="https://api.hubapi.com")
CRM_PIPEDRIVE_API_BASE = env("CRM_PIPEDRIVE_API_BASE", default="https://api.pipedrive.com/v1")

# --- Analytics -----------------------------------------------------------------------------
ANALYTICS_INTERVAL_SCALE = env.float("ANALYTICS_INTERVAL_SCALE", default=1.0)
# The dashboard's figures are kept this long while nothing they count changes (0: always
# recompute). See apps/analytics/views.py.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE |= {
    "analytics-dispatch-snapshots": {"task": "analytics.dispatch_snapshots", "schedule": 300.0},
}
