"""Is the configured LinkedIn API version still served, and what do the credentials allow?

`check()` makes one harmless call: a read of the member's posts (`GET /rest/posts?q=author`,
count 1) with the configured `LinkedIn-Version`, and the workspace's token when one is
given. LinkedIn's gateway checks the version before the token and the permission, so every
answer says something: 426 means the version is sunset, 401 a token problem (or no token),
403 that reading posts needs LinkedIn's approval, 200 that the app is approved for it.
Nothing is written. The version's dates come from LinkedIn's published table
(`sandbox/versions.py`), the source of both this check and the sandbox.

`manage.py linkedin_check` prints the result; the staff overview shows it as a row (cached
for a while, so the page never waits on LinkedIn twice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.linkedin import client as linkedin
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import versions

CACHE_KEY = "linkedin-check"
CACHE_SECONDS = 15 * 60
# Warn this long before the pinned version's sunset: time to test and deploy another.
SUNSET_WARNING = dt.timedelta(days=60)


@dataclass
class CheckResult:
    level: str  # "ok", "warn" or "bad"
    version: str
    version_words: str
    call_words: str
    requested_scopes: list[str]
    granted_scopes: list[str] | None = None
    checked_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def summary(self) -> str:
        return f"{self.version_words} {self.call_words}"


def version_status(version: str, *, today: dt.date | None = None) -> tuple[str, str]:
    """The pinned version's state from LinkedIn's table: (level, words)."""
    today = today or timezone.now().date()
    known = versions.find(version[:6])
    if known is None:
        return "bad", _(
            "LinkedIn-Version %(version)s is not in LinkedIn's version table; LinkedIn answers "
            "426 to it."
        ) % {"version": version}
    if today < known.released:
        return "bad", _("LinkedIn-Version %(version)s is not released until %(date)s.") % {
            "version": version,
            "date": known.released.isoformat(),
        }
    if today >= known.sunset:
        return "bad", _(
            "LinkedIn-Version %(version)s was sunset on %(date)s: LinkedIn answers 426 to it. "
            "Set LINKEDIN_API_VERSION to a live version."
        ) % {"version": version, "date": known.sunset.isoformat()}
    days = (known.sunset - today).days
    words = _("LinkedIn-Version %(version)s is live until %(date)s (%(days)s days).") % {
        "version": version,
        "date": known.sunset.isoformat(),
        "days": days,
    }
    if known.sunset - today <= SUNSET_WARNING:
        return "warn", words + " " + _("Move to a newer version before then.")
    return "ok", words


def check(*, connection: LinkedInConnection | None = None) -> CheckResult:
    """One harmless versioned call with the configured settings (and `connection`'s token)."""
    from apps.linkedin.services import requested_scopes

    version = settings.LINKEDIN_API_VERSION
    level, version_words = version_status(version)
    usable = connection is not None and connection.is_usable
    token = connection.access_token if usable else None
    author = connection.member_urn if connection is not None else "urn:li:person:check"
    client = linkedin.LinkedInClient(token, timeout=min(settings.LINKEDIN_TIMEOUT_SECONDS, 5))
    try:
        client.find_posts_by_author(author, count=1)
    except linkedin.LinkedInVersionSunset:
        level, call_words = (
            "bad",
            _("LinkedIn answered 426 NONEXISTENT_VERSION: it no longer serves %(version)s.")
            % {"version": version},
        )
    except linkedin.LinkedInAuthError as error:
        if token:
            level = "bad"
            call_words = _(
                "LinkedIn accepted the version but refused the workspace's token (%(code)s): "
                "reconnect LinkedIn."
            ) % {"code": error.code}
        else:
            call_words = _(
                "LinkedIn accepted the version. No workspace token was used, so permissions "
                "were not checked (pass --workspace)."
            )
    except linkedin.LinkedInPermissionError:
        call_words = _(
            "LinkedIn accepted the version and the token; reading posts answered 403: the app "
            "is self-serve (not approved for r_member_social)."
        )
    except linkedin.LinkedInError as error:
        level = "bad"
        call_words = _("The check call failed: %(error)s") % {"error": error}
    else:
        call_words = _(
            "LinkedIn accepted the version and the token, and let the app read posts: it is "
            "approved for r_member_social."
        )
    return CheckResult(
        level=level,
        version=version,
        version_words=version_words,
        call_words=call_words,
        requested_scopes=requested_scopes(),
        granted_scopes=list(connection.scopes) if connection is not None else None,
    )


def cached_check() -> CheckResult:
    """The check without a workspace token, at most once per CACHE_SECONDS (staff overview)."""
    result = cache.get(CACHE_KEY)
    if result is None:
        result = check()
        cache.set(CACHE_KEY, result, CACHE_SECONDS)
    return result
