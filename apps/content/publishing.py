"""Exactly-once publishing: the dispatcher, the publish step, reconciliation and the reaper.

The rules that keep a post from being published twice or lost:

1. The dispatcher claims a due post with a conditional update (scheduled → publishing) and
   enqueues one task after commit, carrying the claim's timestamp. Two dispatchers racing
   over the same rows each claim a post at most once between them.
2. The task claims the *call* with a second conditional update that sets
   `attempt_started_at`, and records a PublishAttempt, both committed before LinkedIn is
   called. A task redelivered after a worker died finds the call already started and does
   not call again: the post goes to "needs check". A task from an older claim does nothing.
3. Errors that say LinkedIn did not take the post (500, connection refused) are retried by
   putting the post back in the queue with a backoff; nothing else is ever retried. A 429
   means LinkedIn's daily quota (reset at midnight UTC): the post waits until just after
   midnight UTC and says so.
4. An unknown outcome (a timeout, a connection dropped after the request was sent, a 502,
   503 or 504) goes to "needs check" and is reconciled: look for the post on LinkedIn where
   reading posts is permitted, otherwise ask the people in the workspace. When a post with
   an unknown outcome is sent again and LinkedIn answers DUPLICATE_POST naming a post, the
   first call went through: the post is marked published with that URN.
5. The reaper turns posts stuck in "publishing" into "needs check" (call started) or back
   into "scheduled" (call never started).
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.services import audit_record
from apps.accounts.tenancy import owned, owned_for_task
from apps.content.facts import find_gaps, gap_message
from apps.content.models import Post, PublishAttempt
from apps.core.services import heartbeat_record
from apps.linkedin import client as linkedin
from apps.linkedin.models import SCOPE_READ_COMMENTS, LinkedInConnection
from apps.linkedin.selectors import connection_for
from apps.notifications.models import Event
from apps.notifications.services import notify
from apps.webhooks.services import emit_post_failed, emit_post_published

logger = logging.getLogger(__name__)

PUBLIC_URL = "https://www.linkedin.com/feed/update/{urn}"


# --- Helpers -------------------------------------------------------------------------------


def post_path(post: Post) -> str:
    return reverse("post_edit", kwargs={"workspace_slug": post.workspace.slug, "pk": post.pk})


def _tell(post: Post, event: str, title: str, body: str = "", dedupe_key: str = "") -> None:
    users = None
    if post.author_id:
        from apps.accounts.models import Membership, Role

        users = [
            m.user
            for m in owned(Membership, workspace=post.workspace)
            .filter(Q(role__in=(Role.OWNER, Role.ADMIN)) | Q(user_id=post.author_id))
            .select_related("user")
        ]
    notify(
        workspace=post.workspace,
        event=event,
        title=title,
        body=body,
        url=post_path(post),
        users=users,
        dedupe_key=dedupe_key,
    )


def backoff_seconds(attempt: int, *, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, capped; never sooner than LinkedIn's Retry-After."""
    base = settings.PUBLISH_RETRY_BASE_SECONDS * (2 ** max(0, attempt - 1))
    delay = min(settings.PUBLISH_RETRY_MAX_SECONDS, base) * random.uniform(0.5, 1.5)  # noqa: S311
    return max(delay, retry_after or 0)


def normalised(text: str) -> str:
    """Text as compared when looking for a post on LinkedIn: unicode-normalised, whitespace
    collapsed, case folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def _blocked_reason(workspace, connection: LinkedInConnection | None) -> str:
    if workspace.posting_paused:
        return _("Posting is paused for this workspace.")
    if connection is None or connection.status == LinkedInConnection.Status.DISCONNECTED:
        return _("LinkedIn is not connected. Connect it in Settings and the post goes out.")
    if not connection.is_usable:
        return _("LinkedIn needs to be reconnected before this post can go out.")
    return ""


# A held post is looked at again after this long, so thousands of held posts cannot fill the
# dispatcher's window every minute and keep other workspaces' posts from being claimed.
HOLD_RECHECK = timedelta(minutes=5)


def _hold(post: Post, reason: str, *, now: datetime) -> None:
    """Leave a due post scheduled, say why, tell the owners once per reason, and step it out
    of the dispatcher's window for a few minutes."""
    Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED).update(
        next_attempt_at=now + HOLD_RECHECK
    )
    if post.status_reason != reason:
        Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED).update(status_reason=reason)
        _tell(
            post,
            Event.POST_WAITING,
            _("A scheduled post is waiting"),
            reason,
            # hash() of a str differs per process; the key must not.
            dedupe_key=f"waiting:{post.pk}:{hashlib.sha256(reason.encode()).hexdigest()[:8]}",
        )


# --- The dispatcher ------------------------------------------------------------------------


def dispatch_due_posts(*, now: datetime | None = None, limit: int = 500) -> int:
    """Claim due posts and enqueue one publish task each. Returns how many were claimed."""
    from apps.content.tasks import publish_post

    now = now or timezone.now()
    heartbeat_record(name="dispatcher")
    due = list(
        Post.objects.filter(status=Post.Status.SCHEDULED, scheduled_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("workspace")
        .order_by("scheduled_at", "pk")[:limit]
    )
    connections = {}
    claimed = 0
    for post in due:
        workspace = post.workspace
        if workspace.pk not in connections:
            connections[workspace.pk] = connection_for(workspace=workspace)
        reason = _blocked_reason(workspace, connections[workspace.pk])
        if reason:
            _hold(post, reason, now=now)
            continue
        with transaction.atomic():
            won = Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED).update(
                status=Post.Status.PUBLISHING,
                claimed_at=now,
                attempt_started_at=None,
                status_reason="",
            )
            if won:
                claimed += 1
                claim = now.isoformat()
                transaction.on_commit(
                    lambda pk=post.pk, ws=workspace.pk, claim=claim: publish_post.delay(
                        pk, ws, claim
                    )
                )
    return claimed


# --- Publishing one post -------------------------------------------------------------------


def _finish_attempt(attempt: PublishAttempt, outcome: str, error: str = "") -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome, error=error[:500], finished_at=timezone.now()
    )


def _move(post: Post, *, to: str, allowed_from=(Post.Status.PUBLISHING,), **fields) -> bool:
    return bool(
        Post.objects.filter(pk=post.pk, status__in=allowed_from).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def publish(*, post_id: int, workspace_id: int, claim: str | None = None) -> str:
    """Publish one claimed post. Returns what happened, for logs and tests."""
    post = owned_for_task(Post, workspace_id=workspace_id, pk=post_id)
    if post is None:
        return "gone"
    if claim and (post.claimed_at is None or post.claimed_at.isoformat() != claim):
        return "stale"  # a newer claim owns this post now
    now = timezone.now()
    with transaction.atomic():
        started = Post.objects.filter(
            pk=post.pk,
            status=Post.Status.PUBLISHING,
            attempt_started_at__isnull=True,
            claimed_at=post.claimed_at,
        ).update(attempt_started_at=now, publish_attempts=F("publish_attempts") + 1)
        if not started:
            post.refresh_from_db()
            if post.status == Post.Status.PUBLISHING and post.attempt_started_at:
                # An earlier run began the call and died: it may have reached LinkedIn.
                _needs_check(
                    post,
                    _(
                        "Publishing was interrupted mid-call; checking whether "
                        "LinkedIn has the post."
                    ),
                )
                return "needs_check"
            return "not_publishing"
        attempt = PublishAttempt.objects.create(
            workspace_id=workspace_id, post=post, started_at=now
        )
    post.refresh_from_db()
    # Committed above: the attempt is on record before LinkedIn hears of it.
    gaps = find_gaps(post.text)
    if gaps:
        # A gap is a fact the consultant still owes the post; LinkedIn never sees one.
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, "gap")
        return _fail(post, gap_message(gaps))

    connection = connection_for(workspace=post.workspace)
    reason = _blocked_reason(post.workspace, connection)
    if reason:
        _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, reason)
        _move(post, to=Post.Status.SCHEDULED, status_reason=reason, attempt_started_at=None)
        return "held"
    if _over_daily_cap(post, attempt):
        retry_at = timezone.now() + timedelta(hours=1)
        reason = _(
            "LinkedIn's daily limit for this member is reached; trying again at %(time)s."
        ) % {"time": timezone.localtime(retry_at).strftime("%H:%M")}
        _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, "daily cap")
        _move(
            post,
            to=Post.Status.SCHEDULED,
            status_reason=reason,
            next_attempt_at=retry_at,
            attempt_started_at=None,
        )
        return "capped"

    client = linkedin.LinkedInClient(connection.access_token)
    try:
        urn = client.create_post(connection.member_urn, post.text)
    except linkedin.LinkedInUnknownOutcome as error:
        _finish_attempt(attempt, PublishAttempt.Outcome.UNKNOWN, str(error))
        _needs_check(
            post,
            _(
                "LinkedIn did not answer after receiving the post, so it may or "
                "may not be there. Checking."
            ),
        )
        return "needs_check"
    except linkedin.LinkedInRateLimited as error:
        return _hold_for_quota(post, attempt, error)
    except linkedin.LinkedInTransientError as error:
        return _retry_or_fail(post, attempt, error)
    except linkedin.LinkedInAuthError as error:
        from apps.linkedin.services import mark_needs_reconnect

        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, str(error))
        mark_needs_reconnect(
            connection=connection,
            reason=_("LinkedIn refused the stored authorization while publishing."),
        )
        return _fail(
            post,
            _(
                "LinkedIn no longer accepts our authorization. Reconnect "
                "LinkedIn in Settings, then schedule the post again."
            ),
        )
    except linkedin.LinkedInDuplicateError as error:
        if error.existing_urn and _had_unknown_outcome(post, attempt):
            # An earlier call's answer was lost; LinkedIn now names the post it made then.
            _finish_attempt(
                attempt, PublishAttempt.Outcome.PUBLISHED, f"duplicate of {error.existing_urn}"
            )
            _mark_published(
                post,
                error.existing_urn,
                allowed_from=(Post.Status.PUBLISHING, Post.Status.NEEDS_CHECK),
            )
            return "published"
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, str(error))
        existing = PUBLIC_URL.format(urn=error.existing_urn) if error.existing_urn else ""
        return _fail(
            post,
            _(
                "LinkedIn says this text was already posted%(where)s. Change "
                "the wording to post it again."
            )
            % {"where": f" ({existing})" if existing else ""},
        )
    except linkedin.LinkedInError as error:
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, str(error))
        return _fail(post, _("LinkedIn refused the post: %(message)s") % {"message": error})

    _finish_attempt(attempt, PublishAttempt.Outcome.PUBLISHED, f"urn {urn}")
    # LinkedIn has the post: that wins over whatever happened to the row meanwhile (a reaper
    # or a person who answered "not there" while the call was still running).
    _mark_published(
        post,
        urn,
        allowed_from=(
            Post.Status.PUBLISHING,
            Post.Status.NEEDS_CHECK,
            Post.Status.SCHEDULED,
            Post.Status.FAILED,
        ),
    )
    _post_first_comment(post, client, connection)
    return "published"


def _over_daily_cap(post: Post, attempt: PublishAttempt) -> bool:
    since = timezone.now() - timedelta(hours=24)
    calls = (
        owned(PublishAttempt, workspace=post.workspace)
        .filter(started_at__gte=since)
        .exclude(pk=attempt.pk)
        # Calls LinkedIn refused (rate limits, outages) did not publish anything.
        .filter(
            outcome__in=(
                PublishAttempt.Outcome.PUBLISHED,
                PublishAttempt.Outcome.UNKNOWN,
                PublishAttempt.Outcome.STARTED,
            )
        )
        .count()
    )
    return calls >= settings.LINKEDIN_DAILY_POSTS_PER_MEMBER


def _had_unknown_outcome(post: Post, attempt: PublishAttempt) -> bool:
    return (
        owned(PublishAttempt, workspace=post.workspace)
        .filter(post=post, outcome=PublishAttempt.Outcome.UNKNOWN)
        .exclude(pk=attempt.pk)
        .exists()
    )


# LinkedIn resets its daily quotas at midnight UTC; a few minutes after, the post goes out.
QUOTA_RESET_MARGIN = timedelta(minutes=5)


def _hold_for_quota(post: Post, attempt: PublishAttempt, error) -> str:
    """429 on LinkedIn's daily limit: hold the post until just after midnight UTC and say so,
    instead of spending attempts on a quota that will not come back before then. Any other
    429 is a short throttle, retried with backoff."""
    if not error.daily:
        return _retry_or_fail(post, attempt, error)
    retry_after = error.retry_after
    now = timezone.now()
    retry_at = linkedin.next_quota_reset(now) + QUOTA_RESET_MARGIN
    if retry_after is not None:
        retry_at = max(retry_at, now + timedelta(seconds=retry_after))
    _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, str(error))
    reason = _(
        "LinkedIn's daily limit for this account is reached. The post goes out after "
        "midnight UTC, at %(time)s your time."
    ) % {"time": timezone.localtime(retry_at).strftime("%H:%M")}
    # A quota hold is not a failed attempt: it must not use up the retries for outages.
    _move(
        post,
        to=Post.Status.SCHEDULED,
        next_attempt_at=retry_at,
        attempt_started_at=None,
        publish_attempts=F("publish_attempts") - 1,
        status_reason=reason,
    )
    _tell(
        post,
        Event.POST_WAITING,
        _("A post waits for LinkedIn's daily limit"),
        reason,
        dedupe_key=f"quota:{post.pk}:{retry_at.date().isoformat()}",
    )
    return "held_for_quota"


def _retry_or_fail(post: Post, attempt: PublishAttempt, error) -> str:
    post.refresh_from_db()
    if post.publish_attempts >= settings.PUBLISH_MAX_ATTEMPTS:
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, str(error))
        return _fail(
            post,
            _("LinkedIn was unavailable for %(n)d attempts in a row. Try again later.")
            % {"n": post.publish_attempts},
        )
    delay = backoff_seconds(post.publish_attempts, retry_after=getattr(error, "retry_after", None))
    retry_at = timezone.now() + timedelta(seconds=delay)
    _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, str(error))
    _move(
        post,
        to=Post.Status.SCHEDULED,
        next_attempt_at=retry_at,
        attempt_started_at=None,
        status_reason=_("LinkedIn was busy; trying again at %(time)s.")
        % {"time": timezone.localtime(retry_at).strftime("%H:%M")},
    )
    return "retry"


def _fail(post: Post, reason: str) -> str:
    if _move(post, to=Post.Status.FAILED, status_reason=reason[:500]):
        post.refresh_from_db()
        audit_record(
            action="post.failed",
            actor=None,
            workspace=post.workspace,
            target=post.hook[:200],
            reason=reason[:300],
        )
        _tell(post, Event.POST_FAILED, _("A post could not be published"), reason)
        emit_post_failed(post=post, reason=reason)
    return "failed"


def _mark_published(
    post: Post, urn: str, *, allowed_from=(Post.Status.PUBLISHING, Post.Status.NEEDS_CHECK)
) -> bool:
    now = timezone.now()
    moved = _move(
        post,
        to=Post.Status.PUBLISHED,
        allowed_from=allowed_from,
        linkedin_urn=urn,
        linkedin_url=PUBLIC_URL.format(urn=urn) if urn else "",
        published_at=now,
        status_reason="",
        next_attempt_at=None,
    )
    if moved:
        post.refresh_from_db()
        audit_record(
            action="post.published",
            actor=None,
            workspace=post.workspace,
            target=post.hook[:200],
            urn=urn,
        )
        _tell(post, Event.POST_PUBLISHED, _("Your post is live on LinkedIn"), post.hook[:200])
        emit_post_published(post=post)
    return moved


def _post_first_comment(post: Post, client, connection) -> None:
    if not post.first_comment or not post.linkedin_urn:
        return
    try:
        answer = client.create_comment(post.linkedin_urn, connection.member_urn, post.first_comment)
    except linkedin.LinkedInError as error:
        # The post is out; a missing first comment is reported, never retried blindly.
        Post.objects.filter(pk=post.pk).update(first_comment_error=str(error)[:300])
        return
    comment_urn = (answer or {}).get("$URN") or (answer or {}).get("id") or ""
    Post.objects.filter(pk=post.pk).update(first_comment_urn=str(comment_urn)[:200])


# --- Unknown outcomes ----------------------------------------------------------------------


def _needs_check(post: Post, reason: str) -> None:
    from apps.content.tasks import reconcile_post

    if _move(post, to=Post.Status.NEEDS_CHECK, status_reason=reason[:500]):
        transaction.on_commit(
            lambda: reconcile_post.apply_async(
                (post.pk, post.workspace_id), countdown=settings.PUBLISH_RECONCILE_DELAY_SECONDS
            )
        )


def reconcile(*, post_id: int, workspace_id: int) -> str:
    """Find out whether a post with an unknown outcome is on LinkedIn."""
    post = owned_for_task(Post, workspace_id=workspace_id, pk=post_id)
    if post is None or post.status != Post.Status.NEEDS_CHECK:
        return "nothing to do"
    connection = connection_for(workspace=post.workspace)
    if (
        connection is None
        or not connection.is_usable
        or not connection.has_scope(SCOPE_READ_COMMENTS)
    ):
        return _ask_people(post)
    client = linkedin.LinkedInClient(connection.access_token)
    try:
        found = _find_on_linkedin(client, connection, post)
    except linkedin.LinkedInPermissionError:
        return _ask_people(post)
    except linkedin.LinkedInError:
        from apps.content.tasks import reconcile_post

        transaction.on_commit(
            lambda: reconcile_post.apply_async(
                (post.pk, post.workspace_id), countdown=settings.PUBLISH_RECONCILE_DELAY_SECONDS
            )
        )
        return "retry later"
    if found:
        _mark_published(post, found, allowed_from=(Post.Status.NEEDS_CHECK,))
        return "found"
    # Not there: safe to publish again, straight away.
    _move(
        post,
        to=Post.Status.SCHEDULED,
        allowed_from=(Post.Status.NEEDS_CHECK,),
        attempt_started_at=None,
        next_attempt_at=None,
        status_reason=_("LinkedIn did not have the post; it is queued again."),
    )
    return "requeued"


def _find_on_linkedin(client, connection, post: Post) -> str | None:
    # LinkedIn may hand the commentary back as published or as the escaped little text sent.
    wanted = {normalised(post.text), normalised(linkedin.escape_little_text(post.text))}
    start = 0
    for _page in range(5):
        page = client.find_posts_by_author(connection.member_urn, start=start, count=50)
        elements = page.get("elements", [])
        for element in elements:
            if normalised(element.get("commentary", "")) in wanted:
                return element.get("id") or element.get("urn")
        if len(elements) < 50:
            return None
        start += 50
    return None


def _ask_people(post: Post) -> str:
    reason = _(
        "We could not confirm whether LinkedIn published this post. Please look at "
        "your LinkedIn profile and tell us."
    )
    Post.objects.filter(pk=post.pk).update(status_reason=reason)
    _tell(
        post,
        Event.POST_NEEDS_CHECK,
        _("Did your post appear on LinkedIn?"),
        reason,
        dedupe_key=f"needs-check:{post.pk}:{post.publish_attempts}",
    )
    return "asked"


@transaction.atomic
def resolve_needs_check(*, post: Post, appeared: bool, actor, url: str = "") -> Post:
    """A person's answer to "did it appear?"."""
    from apps.content.services import ContentError

    if post.status != Post.Status.NEEDS_CHECK:
        raise ContentError(_("This post no longer needs a check."))
    if appeared:
        urn = ""
        match = re.search(r"(urn:li:(?:share|ugcPost|activity):\d+)", url or "")
        if match:
            urn = match.group(1)
        _mark_published(post, urn, allowed_from=(Post.Status.NEEDS_CHECK,))
        if url and not urn:
            Post.objects.filter(pk=post.pk).update(linkedin_url=url[:300])
    else:
        _move(
            post,
            to=Post.Status.SCHEDULED,
            allowed_from=(Post.Status.NEEDS_CHECK,),
            scheduled_at=timezone.now(),
            attempt_started_at=None,
            next_attempt_at=None,
            status_reason="",
        )
    audit_record(
        action="post.check_resolved",
        actor=actor,
        workspace=post.workspace,
        target=post.hook[:200],
        appeared=appeared,
    )
    post.refresh_from_db()
    return post


# --- The reaper ----------------------------------------------------------------------------


def reap_stuck_posts(*, now: datetime | None = None) -> int:
    """Posts stuck in "publishing" (a worker died): call started → needs check; call never
    started → back to the queue."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PUBLISH_STUCK_AFTER_SECONDS)
    moved = 0
    for post in Post.objects.filter(
        status=Post.Status.PUBLISHING, claimed_at__lt=cutoff
    ).select_related("workspace"):
        with transaction.atomic():
            if post.attempt_started_at is not None:
                # Only a call that started long ago is stuck; a post that waited in the
                # queue and started its call a moment ago is still talking to LinkedIn.
                if post.attempt_started_at >= cutoff:
                    continue
                if Post.objects.filter(
                    pk=post.pk,
                    status=Post.Status.PUBLISHING,
                    attempt_started_at=post.attempt_started_at,
                ).exists():
                    _needs_check(
                        post,
                        _(
                            "Publishing stopped without an answer; checking whether "
                            "LinkedIn has the post."
                        ),
                    )
                    moved += 1
            elif Post.objects.filter(
                pk=post.pk,
                status=Post.Status.PUBLISHING,
                attempt_started_at__isnull=True,
                claimed_at=post.claimed_at,
            ).update(status=Post.Status.SCHEDULED, claimed_at=None):
                moved += 1
    # A check whose reconcile task was lost (a worker died holding it) is tried again.
    for post_id, workspace_id in Post.objects.filter(
        status=Post.Status.NEEDS_CHECK, updated_at__lt=cutoff
    ).values_list("pk", "workspace_id")[:200]:
        from apps.content.tasks import reconcile_post

        transaction.on_commit(lambda pk=post_id, ws=workspace_id: reconcile_post.delay(pk, ws))
    return moved
