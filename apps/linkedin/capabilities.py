"""What works with LinkedIn for a workspace, in words: the one place that decides it.

Five capabilities (publishing, first comment, comment reading, analytics, replies), each in
one of four states:

- "works";
- "needs LinkedIn approval": the deployment's LinkedIn app lacks a restricted scope, and the
  words name what the operator must apply for (r_member_social is granted to select
  developers only; r_member_postAnalytics comes with the Community Management API review);
- "needs reconnect": nothing is connected, the authorization expired or was revoked, or the
  app is approved for a scope this connection's token was granted without;
- "using import": the API cannot read it, but the workspace brings it in another way
  (comments from forwarded notification e-mails, paste or CSV; analytics from the XLSX
  export).

The decision is pure: it knows the connection, the settings and the facts it is given
(whether comments or analytics were imported), because the linkedin app must not import
leads or analytics. `apps/analytics/capabilities.py` gathers those facts per workspace.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.linkedin.models import (
    SCOPE_ANALYTICS,
    SCOPE_PUBLISH,
    SCOPE_READ_COMMENTS,
    LinkedInConnection,
)

WORKS = "works"
NEEDS_APPROVAL = "needs_approval"
NEEDS_RECONNECT = "needs_reconnect"
USING_IMPORT = "using_import"

PUBLISHING = "publishing"
FIRST_COMMENT = "first_comment"
COMMENT_READING = "comment_reading"
ANALYTICS = "analytics"
REPLIES = "replies"

# The badge colour of each state.
LEVELS = {WORKS: "ok", USING_IMPORT: "ok", NEEDS_APPROVAL: "warn", NEEDS_RECONNECT: "bad"}


@dataclass(frozen=True)
class Capability:
    key: str
    name: str
    state: str
    detail: str

    @property
    def state_label(self) -> str:
        return {
            WORKS: _("Works"),
            NEEDS_APPROVAL: _("Needs LinkedIn approval"),
            NEEDS_RECONNECT: _("Needs reconnect"),
            USING_IMPORT: _("Using import"),
        }[self.state]

    @property
    def level(self) -> str:
        return LEVELS[self.state]

    @property
    def works(self) -> bool:
        return self.state == WORKS


@dataclass(frozen=True)
class Capabilities:
    items: tuple[Capability, ...]

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, key: str) -> Capability:
        return next(item for item in self.items if item.key == key)

    # Templates read these by name: {{ capabilities.comment_reading.state }}.
    @property
    def publishing(self) -> Capability:
        return self[PUBLISHING]

    @property
    def first_comment(self) -> Capability:
        return self[FIRST_COMMENT]

    @property
    def comment_reading(self) -> Capability:
        return self[COMMENT_READING]

    @property
    def analytics(self) -> Capability:
        return self[ANALYTICS]

    @property
    def replies(self) -> Capability:
        return self[REPLIES]


def app_scopes() -> set[str]:
    """The scopes this deployment's LinkedIn app may ask for (settings)."""
    return set(settings.LINKEDIN_SCOPES) | set(settings.LINKEDIN_APPROVED_SCOPES)


def reconnect_reason(connection: LinkedInConnection | None) -> str:
    """Why the connection cannot be used, in words; empty when it can."""
    if connection is None or connection.status == LinkedInConnection.Status.DISCONNECTED:
        return _("LinkedIn is not connected. Connect it in Settings.")
    if connection.status == LinkedInConnection.Status.NEEDS_RECONNECT:
        return connection.status_reason or _(
            "LinkedIn no longer accepts the stored authorization. Reconnect it in Settings."
        )
    expires = connection.access_token_expires_at
    if not connection.access_token or (expires is not None and expires <= timezone.now()):
        return _(
            "The LinkedIn authorization has expired (LinkedIn asks for it again every 60 "
            "days). Reconnect it in Settings."
        )
    return ""


def _approval_detail(scope: str, imported: bool) -> str:
    if scope == SCOPE_READ_COMMENTS:
        how = _(
            "Reading comments through LinkedIn's API needs the r_member_social permission, "
            "which LinkedIn grants to select developers only; the operator of this app must "
            "apply for it with LinkedIn."
        )
        instead = (
            _("Comments arrive from forwarded LinkedIn notification e-mails, paste or CSV.")
            if imported
            else _(
                "Until then, forward LinkedIn's comment notification e-mails to the "
                "workspace's address, or paste or upload comments on the Leads page."
            )
        )
    else:
        how = _(
            "Impressions and reach need the r_member_postAnalytics permission, which comes "
            "with LinkedIn's Community Management API after LinkedIn reviews the app; the "
            "operator of this app must apply for it."
        )
        instead = (
            _("Figures come from the analytics export (XLSX) imported from LinkedIn.")
            if imported
            else _(
                "Until then, download the analytics export from your LinkedIn post analytics "
                "and import it on the dashboard."
            )
        )
    return f"{how} {instead}" if not imported else f"{instead} {how}"


def _restricted(
    key: str,
    name: str,
    scope: str,
    *,
    connection: LinkedInConnection | None,
    imported: bool,
    scopes_of_app: set[str],
    refused: bool = False,
) -> Capability:
    granted = connection is not None and connection.has_scope(scope)
    if (scope not in scopes_of_app and not granted) or refused:
        # `refused`: LinkedIn answered 403 to a read the token should allow, so the app's
        # approval is what is missing, whatever the settings say.
        state = USING_IMPORT if imported else NEEDS_APPROVAL
        return Capability(key, name, state, _approval_detail(scope, imported))
    reason = reconnect_reason(connection)
    if reason:
        return Capability(key, name, NEEDS_RECONNECT, reason)
    if not granted:
        return Capability(
            key,
            name,
            NEEDS_RECONNECT,
            _(
                "The LinkedIn app is approved for %(scope)s, but this connection was made "
                "without it. Reconnect LinkedIn in Settings to grant it."
            )
            % {"scope": scope},
        )
    return Capability(key, name, WORKS, "")


def decide(
    *,
    connection: LinkedInConnection | None,
    comments_imported: bool = False,
    analytics_imported: bool = False,
    comment_reading_refused: bool = False,
) -> Capabilities:
    """Every capability's state for a workspace with this connection and these facts:
    whether comments or analytics were imported, and whether LinkedIn refused (403) the
    last attempt to read comments."""
    scopes_of_app = app_scopes()
    reason = reconnect_reason(connection)
    if not reason and not connection.has_scope(SCOPE_PUBLISH):
        reason = _(
            "LinkedIn did not grant permission to post (w_member_social). Reconnect LinkedIn "
            "in Settings and allow posting."
        )
    if reason:
        publishing = Capability(PUBLISHING, _("Publishing"), NEEDS_RECONNECT, reason)
        first_comment = Capability(FIRST_COMMENT, _("First comment"), NEEDS_RECONNECT, reason)
    else:
        publishing = Capability(PUBLISHING, _("Publishing"), WORKS, "")
        first_comment = Capability(FIRST_COMMENT, _("First comment"), WORKS, "")
    reading = _restricted(
        COMMENT_READING,
        _("Comment reading"),
        SCOPE_READ_COMMENTS,
        connection=connection,
        imported=comments_imported,
        scopes_of_app=scopes_of_app,
        refused=comment_reading_refused,
    )
    analytics = _restricted(
        ANALYTICS,
        _("Analytics"),
        SCOPE_ANALYTICS,
        connection=connection,
        imported=analytics_imported,
        scopes_of_app=scopes_of_app,
    )
    return Capabilities(
        (publishing, first_comment, reading, analytics, _replies(publishing, reading))
    )


def _replies(publishing: Capability, reading: Capability) -> Capability:
    """Replying from here posts a nested comment, which needs LinkedIn's ID of the comment:
    only comments read through the API have one."""
    name = _("Replies")
    if not publishing.works:
        return Capability(REPLIES, name, NEEDS_RECONNECT, publishing.detail)
    if reading.state == USING_IMPORT:
        return Capability(
            REPLIES,
            name,
            USING_IMPORT,
            _(
                "E-mailed, pasted and uploaded comments carry no LinkedIn comment ID, so "
                "replies to them are written here and posted on LinkedIn by you: copy the "
                "suggested reply."
            ),
        )
    if reading.state == NEEDS_APPROVAL:
        return Capability(
            REPLIES,
            name,
            NEEDS_APPROVAL,
            _(
                "Replying from here needs the comment IDs that only comment reading "
                "(r_member_social, granted by LinkedIn to select developers only) provides."
            ),
        )
    return Capability(REPLIES, name, reading.state, reading.detail)
