"""Local development: `make run`. Debug on, mail kept in the database, the embedded broker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# The sandbox's audience runs sixty times faster than people: look at comments every minute.
LEADS_SCAN_INTERVAL_SCALE = env.float("LEADS_SCAN_INTERVAL_SCALE", default=0.1)
# The same for post figures: snapshots every few minutes instead of every hour.
ANALYTICS_INTERVAL_SCALE = env.float("ANALYTICS_INTERVAL_SCALE", default=0.05)
