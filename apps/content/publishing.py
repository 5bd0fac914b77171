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
   into "scheduled" (call never started), and re-checks posts in "needs check" whose check
   was lost: oldest first, with backoff, at most PUBLISH_RECONCILE_MAX_CHECKS reads, then the
   people in the workspace are asked and the post waits for them.
6. "Not found" is trusted only when a second read, PUBLISH_RECONCILE_CONFIRM_SECONDS later,
   agrees: LinkedIn's read side can lag behind a post it has just made.
7. Everything members and webhooks hear of (published, failed, waiting, needs a check) is an
   event recorded with the status change (apps/notifications/events.py), and the first
   comment is a step with its own record: a worker killed after "published" loses neither.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import random
import re
import unicodedata
import zoneinfo
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import get_related_populators
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import AuditEvent
from apps.accounts.services import audit_record, audit_row
from apps.accounts.tenancy import (
    across_workspaces,
    database_workspace_set,
    owned,
    owned_for_task,
)
from apps.content.facts import find_gaps, gap_message
from apps.content.media_publishing import media_content
from apps.content.models import FirstComment, Post, PublishAttempt
from apps.core import metrics
from apps.core.prepared import statement_cursor
from apps.core.services import heartbeat_record
from apps.linkedin import client as linkedin
from apps.linkedin.models import SCOPE_READ_COMMENTS, LinkedInConnection
from apps.linkedin.selectors import connection_for
from apps.media.models import PostMedia
from apps.notifications import events
from apps.notifications.models import Event, OutboxEvent

logger = logging.getLogger(__name__)

PUBLIC_URL = "https://www.linkedin.com/feed/update/{urn}"


# --- Helpers -------------------------------------------------------------------------------


def post_path(post: Post) -> str:
    """The post's page, as reverse("post_edit") gives it. Every event a publish step records
    carries it, and reverse() cost a worker some 0.5 ms a post, more than the rest of the
    event: the path is reversed once per URLconf with stand-in values, which each post's
    own then replace. A slug or pk the URL does not take goes through reverse(), which
    refuses it as before."""
    slug = post.workspace.slug
    if not _PLAIN_SLUG.fullmatch(slug) or not isinstance(post.pk, int):
        return reverse("post_edit", kwargs={"workspace_slug": slug, "pk": post.pk})
    head, middle, tail = _post_path_parts(get_resolver(get_urlconf()), get_script_prefix())
    return f"{head}{slug}{middle}{post.pk}{tail}"


# The slugs the URL takes (its slug converter), which reverse() puts in the path as they are.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_STAND_IN, _PK_STAND_IN = "slug-stand-in-7b1e", 7_000_000_003


@functools.lru_cache(maxsize=8)
def _post_path_parts(resolver, prefix: str) -> tuple[str, str, str]:
    """The post page's path around its slug and its pk, for one URLconf (its resolver, which
    Django makes anew when the URLconf changes) under one script prefix."""
    path = reverse(
        "post_edit",
        urlconf=resolver.urlconf_name,
        kwargs={"workspace_slug": _SLUG_STAND_IN, "pk": _PK_STAND_IN},
    )
    head, rest = path.split(_SLUG_STAND_IN)
    middle, tail = rest.split(str(_PK_STAND_IN))
    return head, middle, tail


def _notice(post: Post, title: str, body: str = "") -> dict:
    """What members read about a post event: its owners and admins, and its author. Who
    they are is looked up when the event is delivered (apps/notifications/outbox.py), not
    here: a publish step spends no query on it."""
    from apps.accounts.models import Role

    notice = {"title": str(title), "body": str(body), "url": post_path(post)}
    if post.author_id:
        notice["roles"] = [Role.OWNER, Role.ADMIN]
        notice["also_user_ids"] = [post.author_id]
    return notice


def _tell(post: Post, event: str, title: str, body: str, *, key: str) -> None:
    """A post event only members hear of, recorded once under `key`."""
    events.post_notice(post=post, event=event, key=key, notice=_notice(post, title, body))


def _local_time(post: Post, at: datetime) -> str:
    """HH:MM in the workspace's time zone: a worker runs in UTC, the people do not."""
    return timezone.localtime(at, zoneinfo.ZoneInfo(post.workspace.timezone)).strftime("%H:%M")


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
        with transaction.atomic():
            Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED).update(
                status_reason=reason
            )
            _tell(
                post,
                Event.POST_WAITING,
                _("A scheduled post is waiting"),
                reason,
                # hash() of a str differs per process; the key must not.
                key=f"waiting:{post.pk}:{hashlib.sha256(reason.encode()).hexdigest()[:8]}",
            )


# --- The dispatcher ------------------------------------------------------------------------


def dispatch_due_posts(*, now: datetime | None = None, limit: int = 500) -> int:
    """Claim due posts and enqueue one publish task each. Returns how many were claimed.

    A batch costs a fixed number of queries, whatever its size: the due posts with their
    workspaces, the workspaces' LinkedIn connections, and one conditional UPDATE that claims
    every post still scheduled and names the ones it claimed (RETURNING)."""
    with across_workspaces(reason="beat dispatcher: due posts of every workspace"):
        from apps.content.tasks import publish_post

        now = now or timezone.now()
        heartbeat_record(name="dispatcher")
        due = list(
            Post.objects.filter(status=Post.Status.SCHEDULED, scheduled_at__lte=now)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .select_related("workspace")
            .only("pk", "workspace", "status_reason", "author_id")
            .order_by("scheduled_at", "pk")[:limit]
        )
        if not due:
            return 0
        connections = {
            row.workspace_id: row
            for row in LinkedInConnection.objects.filter(
                workspace_id__in={post.workspace_id for post in due}
            )
        }
        ready = []
        for post in due:
            reason = _blocked_reason(post.workspace, connections.get(post.workspace_id))
            if reason:
                _hold(post, reason, now=now)
            else:
                ready.append(post)
        won = _claim_scheduled([post.pk for post in ready], now=now)
        claim = now.isoformat()
        for post in ready:
            if post.pk in won:
                transaction.on_commit(
                    lambda pk=post.pk, ws=post.workspace_id: publish_post.delay(pk, ws, claim)
                )
        return len(won)


def _claim_scheduled(post_ids: list[int], *, now: datetime) -> set[int]:
    """scheduled → publishing for those of `post_ids` still scheduled, in one statement that
    returns the ids it moved: two dispatchers racing over the same rows each get only the
    posts their own UPDATE moved. (Django's update() returns a count, not the rows; both
    PostgreSQL and SQLite 3.35+ have UPDATE ... RETURNING.)"""
    if not post_ids:
        return set()
    db = connections[router.db_for_write(Post)]
    quote = db.ops.quote_name
    placeholders = ", ".join(["%s"] * len(post_ids))
    sql = (
        f"UPDATE {quote(Post._meta.db_table)} "  # noqa: S608 (names quoted, values bound)
        f"SET {quote('status')} = %s, {quote('claimed_at')} = %s, "
        f"{quote('attempt_started_at')} = NULL, {quote('status_reason')} = '' "
        f"WHERE {quote('id')} IN ({placeholders}) AND {quote('status')} = %s "
        f"RETURNING {quote('id')}"
    )
    params = [
        Post.Status.PUBLISHING,
        db.ops.adapt_datetimefield_value(now),
        *post_ids,
        Post.Status.SCHEDULED,
    ]
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


# --- Publishing one post -------------------------------------------------------------------


def _finish_attempt(attempt: PublishAttempt, outcome: str, error: str = "") -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome, error=error[:500], finished_at=timezone.now()
    )
    metrics.record_publish_outcome(outcome)  # for operators: /metrics


def _move(post: Post, *, to: str, allowed_from=(Post.Status.PUBLISHING,), **fields) -> bool:
    return bool(
        Post.objects.filter(pk=post.pk, status__in=allowed_from).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


# Calls that may have published something count against LinkedIn's daily limit; calls
# LinkedIn refused (rate limits, outages) did not.
CALLS_THAT_COUNT = (
    PublishAttempt.Outcome.PUBLISHED,
    PublishAttempt.Outcome.UNKNOWN,
    PublishAttempt.Outcome.STARTED,
)


def _post_to_publish_query(*, post_id, workspace_id, since):
    """The post with all a publish step reads, in one query: its workspace, the workspace's
    LinkedIn connection (`linkedin_connection`, absent when there is none), the calls
    counted against LinkedIn's daily limit since `since` (`calls_today`) and whether it
    carries media (`has_media`)."""
    calls = (
        PublishAttempt.objects.filter(
            workspace_id=OuterRef("workspace_id"),
            started_at__gte=since,
            outcome__in=CALLS_THAT_COUNT,
        )
        .order_by()
        .values("workspace_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    media = PostMedia.objects.filter(workspace_id=OuterRef("workspace_id"), post_id=OuterRef("pk"))
    return (
        Post.objects.filter(workspace_id=workspace_id, pk=post_id)
        .annotate(
            linkedin_connection=FilteredRelation("workspace__linkedinconnection"),
            calls_today=Coalesce(Subquery(calls), 0),
            has_media=Exists(media),
        )
        .select_related("workspace", "linkedin_connection")
        .order_by("pk")[:1]
    )


class _PreparedRead:
    """The query above, compiled once per database by the ORM and then run with each post's
    values. Building and compiling it (a filtered relation, two subqueries) cost a worker
    more CPU than anything else in a publish step, some 3 ms a post; running the SQL the
    ORM wrote, and turning its row into objects the way the ORM does (converters, the
    related workspace and connection, the annotations), costs a tenth of that."""

    # Values no real post, workspace or time has: where they land among the compiled
    # query's parameters is where each call's own values go.
    POST, WORKSPACE = -7_000_000_001, -7_000_000_002
    SINCE = datetime(2001, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)

    def __init__(self, alias: str) -> None:
        db = connections[alias]
        query = _post_to_publish_query(
            post_id=self.POST, workspace_id=self.WORKSPACE, since=self.SINCE
        ).query
        self.compiler = query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        since = db.ops.adapt_datetimefield_value(self.SINCE)
        self.slots = {
            name: [n for n, value in enumerate(self.params) if value == sentinel]
            for name, sentinel in (
                ("post", self.POST),
                ("workspace", self.WORKSPACE),
                ("since", since),
            )
        }
        if any(len(positions) != 1 for positions in self.slots.values()):
            raise RuntimeError(f"Unexpected parameters in the publish read: {self.params}")
        info = self.compiler.klass_info
        first, last = info["select_fields"][0], info["select_fields"][-1] + 1
        self.model_columns = (first, last)
        self.init_list = [column[0].target.attname for column in self.compiler.select[first:last]]
        self.populators = get_related_populators(info, self.compiler.select, alias)
        self.annotations = dict(self.compiler.annotation_col_map or {})
        # The ORM looks its converters up again for every row set it turns into objects
        # (`results_iter`), some 70 lookups a post; they depend on the query alone.
        fields = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        if self.compiler.has_composite_fields(fields):
            raise RuntimeError("The publish read selects a composite field.")
        self.converters = self.compiler.get_converters(fields)
        self.alias = alias

    def fetch(self, *, post_id: int, workspace_id: int, since: datetime) -> Post | None:
        db = connections[self.alias]
        with statement_cursor(db) as cursor:
            cursor.execute(self.sql, self.values(post_id, workspace_id, since))
            row = cursor.fetchone()
        return None if row is None else self.post(row)

    def values(self, post_id: int, workspace_id: int, since: datetime) -> list:
        """The query's parameters for one post."""
        params = list(self.params)
        params[self.slots["post"][0]] = post_id
        params[self.slots["workspace"][0]] = workspace_id
        params[self.slots["since"][0]] = connections[self.alias].ops.adapt_datetimefield_value(
            since
        )
        return params

    def post(self, row) -> Post:
        """The post (with its workspace, connection and annotations) from one row of the
        query's columns, as the ORM would make it."""
        if self.converters:
            row = next(self.compiler.apply_converters([row], self.converters))
        first, last = self.model_columns
        post = Post.from_db(self.alias, self.init_list, row[first:last])
        for populator in self.populators:
            populator.populate(row, post)
        for name, position in self.annotations.items():
            setattr(post, name, row[position])
        return post


_prepared_reads: dict[tuple[str, str], _PreparedRead] = {}


def _post_to_publish(*, post_id: int, workspace_id: int) -> Post | None:
    """`_post_to_publish_query`'s post, read with the SQL compiled once per process."""
    database_workspace_set(workspace_id)
    since = timezone.now() - timedelta(hours=24)
    return _prepared_read(router.db_for_read(Post)).fetch(
        post_id=post_id, workspace_id=workspace_id, since=since
    )


def _prepared_read(alias: str) -> _PreparedRead:
    key = (alias, connections[alias].settings_dict["NAME"])
    prepared = _prepared_reads.get(key)
    if prepared is None:
        prepared = _prepared_reads[key] = _PreparedRead(alias)
    return prepared


def _start_call(post: Post, *, workspace_id: int, now: datetime) -> PublishAttempt | None:
    """Claim the call to LinkedIn (the post is publishing under the claim it was read with,
    and no call has started: now one has) and record its PublishAttempt, committed together
    before LinkedIn is called. None when the post was not ours to call for any more.

    On PostgreSQL both are one statement (an UPDATE ... RETURNING feeding the INSERT), which
    a connection in autocommit commits on its own: one round trip instead of four (BEGIN,
    UPDATE, INSERT, COMMIT) and no ORM to build them, a publish step's second-largest cost.
    Elsewhere (SQLite has no data-modifying WITH) the two run in one transaction."""
    db = connections[router.db_for_write(Post)]
    if db.vendor != "postgresql" or post.claimed_at is None:
        with transaction.atomic(using=db.alias):
            started = Post.objects.filter(
                pk=post.pk,
                workspace_id=workspace_id,
                status=Post.Status.PUBLISHING,
                attempt_started_at__isnull=True,
                claimed_at=post.claimed_at,
            ).update(attempt_started_at=now, publish_attempts=F("publish_attempts") + 1)
            if not started:
                return None
            return PublishAttempt.objects.create(
                workspace_id=workspace_id, post=post, started_at=now
            )
    ctes, params = _start_call_ctes(
        db, post_id=post.pk, workspace_id=workspace_id, claimed_at=post.claimed_at, now=now
    )
    quote = db.ops.quote_name
    sql = f"WITH {ctes} SELECT {quote('id')} FROM {quote('attempt')}"  # noqa: S608 (as above)
    with statement_cursor(db) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return _started_attempt(db, row[0], post=post, workspace_id=workspace_id, now=now)


def _start_call_ctes(db, *, post_id: int, workspace_id: int, claimed_at, now) -> tuple[str, list]:
    """PostgreSQL: the call's claim and its PublishAttempt as two WITH queries, "started"
    (the post's conditional UPDATE) and "attempt" (the INSERT of the attempt, for the row
    "started" moved, naming its id), with their parameters."""
    quote = db.ops.quote_name
    posts, attempts = quote(Post._meta.db_table), quote(PublishAttempt._meta.db_table)
    ctes = (
        f"{quote('started')} AS ("  # noqa: S608 (names quoted, values bound)
        f"UPDATE {posts} SET {quote('attempt_started_at')} = %s, "
        f"{quote('publish_attempts')} = {quote('publish_attempts')} + 1 "
        f"WHERE {quote('id')} = %s AND {quote('workspace_id')} = %s AND {quote('status')} = %s "
        f"AND {quote('attempt_started_at')} IS NULL AND {quote('claimed_at')} = %s "
        f"RETURNING {quote('id')}, {quote('workspace_id')}), "
        f"{quote('attempt')} AS ("
        f"INSERT INTO {attempts} ({quote('workspace_id')}, {quote('post_id')}, "
        f"{quote('started_at')}, {quote('finished_at')}, {quote('outcome')}, {quote('error')}) "
        f"SELECT {quote('workspace_id')}, {quote('id')}, %s, NULL, %s, '' FROM {quote('started')} "
        f"RETURNING {quote('id')})"
    )
    at = db.ops.adapt_datetimefield_value(now)
    params = [at, post_id, workspace_id, Post.Status.PUBLISHING]
    params += [db.ops.adapt_datetimefield_value(claimed_at), at, PublishAttempt.Outcome.STARTED]
    return ctes, params


def _started_attempt(db, pk: int, *, post: Post, workspace_id: int, now) -> PublishAttempt:
    attempt = PublishAttempt(
        pk=pk,
        workspace_id=workspace_id,
        post=post,
        started_at=now,
        outcome=PublishAttempt.Outcome.STARTED,
    )
    attempt._state.adding = False
    attempt._state.db = db.alias
    return attempt


def _start_call_and_read(
    *, post_id: int, workspace_id: int, claim: str | None, now: datetime
) -> tuple[Post, PublishAttempt] | None:
    """PostgreSQL: the call's claim, its PublishAttempt and the read of `_post_to_publish`
    in one statement, when the task names its claim: one round trip fewer a post. The read
    runs in the statement's snapshot, from before its UPDATE, so it reads the row as
    `_post_to_publish` would have just before the claim (and the calls counted today leave
    this attempt out, as then); `publish` applies the claim's two changes, as after
    `_start_call`. None when the claim did not take (the post is gone, was claimed again, or
    its call started already) or elsewhere: `publish` then reads and claims step by step,
    which says which it was."""
    db = connections[router.db_for_write(Post)]
    if db.vendor != "postgresql" or not claim or router.db_for_read(Post) != db.alias:
        return None
    try:
        claimed_at = datetime.fromisoformat(claim)
    except ValueError:
        return None
    database_workspace_set(workspace_id)
    read = _prepared_read(db.alias)
    ctes, params = _start_call_ctes(
        db, post_id=post_id, workspace_id=workspace_id, claimed_at=claimed_at, now=now
    )
    quote = db.ops.quote_name
    sql = (
        f"WITH {ctes} SELECT {quote('read')}.*, {quote('attempt')}.{quote('id')} "  # noqa: S608
        f"FROM ({read.sql}) {quote('read')}, {quote('attempt')}"
    )
    since = timezone.now() - timedelta(hours=24)
    with statement_cursor(db) as cursor:
        cursor.execute(sql, [*params, *read.values(post_id, workspace_id, since)])
        row = cursor.fetchone()
    if row is None:
        return None
    post = read.post(row[:-1])
    return post, _started_attempt(db, row[-1], post=post, workspace_id=workspace_id, now=now)


def publish(*, post_id: int, workspace_id: int, claim: str | None = None) -> str:
    """Publish one claimed post. Returns what happened, for logs and tests.

    A post that goes out costs seven queries, two on PostgreSQL: the read above, the call's
    claim and its PublishAttempt (one transaction, committed before LinkedIn is called; on
    PostgreSQL one statement with the read, `_start_call_and_read`), then the attempt's
    outcome, the post's "published", its audit record and its event (one transaction, or
    one statement on PostgreSQL; a first comment adds its step to that transaction)."""
    now = timezone.now()
    started = _start_call_and_read(post_id=post_id, workspace_id=workspace_id, claim=claim, now=now)
    if started is not None:
        post, attempt = started
    else:
        post = _post_to_publish(post_id=post_id, workspace_id=workspace_id)
        if post is None:
            return "gone"
        if claim and (post.claimed_at is None or post.claimed_at.isoformat() != claim):
            return "stale"  # a newer claim owns this post now
        attempt = _start_call(post, workspace_id=workspace_id, now=now)
    if attempt is None:
        with transaction.atomic():
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
    # Committed above: the attempt is on record before LinkedIn hears of it. The claim
    # changed only these two fields of the row read a moment ago (it was ours: publishing,
    # under this claim, no call started).
    post.attempt_started_at = now
    post.publish_attempts += 1
    gaps = find_gaps(post.text)
    if gaps:
        # A gap is a fact the consultant still owes the post; LinkedIn never sees one.
        _finish_attempt(attempt, PublishAttempt.Outcome.FAILED, "gap")
        return _fail(post, gap_message(gaps))

    connection = getattr(post, "linkedin_connection", None)
    reason = _blocked_reason(post.workspace, connection)
    if reason:
        _finish_attempt(attempt, PublishAttempt.Outcome.RETRY, reason)
        _move(post, to=Post.Status.SCHEDULED, status_reason=reason, attempt_started_at=None)
        return "held"
    if post.calls_today >= settings.LINKEDIN_DAILY_POSTS_PER_MEMBER:
        retry_at = timezone.now() + timedelta(hours=1)
        reason = _(
            "LinkedIn's daily limit for this member is reached; trying again at %(time)s."
        ) % {"time": _local_time(post, retry_at)}
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
        # Issue 18: images or a PDF go up first (each once, URN kept on its row); see
        # media_publishing.py. Its errors are handled below like the create's. A text-only
        # post is created with exactly the call it always was.
        content = (
            media_content(client=client, post=post, owner_urn=connection.member_urn)
            if post.has_media
            else None
        )
        media = {"content": content} if content else {}
        urn = client.create_post(connection.member_urn, post.text, **media)
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

    # LinkedIn has the post: that wins over whatever happened to the row meanwhile (a reaper
    # or a person who answered "not there" while the call was still running).
    _mark_published(
        post,
        urn,
        attempt=attempt,
        allowed_from=(
            Post.Status.PUBLISHING,
            Post.Status.NEEDS_CHECK,
            Post.Status.SCHEDULED,
            Post.Status.FAILED,
        ),
    )
    return "published"


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
    ) % {"time": _local_time(post, retry_at)}
    # A quota hold is not a failed attempt: it must not use up the retries for outages.
    with transaction.atomic():
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
            key=f"quota:{post.pk}:{retry_at.date().isoformat()}",
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
        % {"time": _local_time(post, retry_at)},
    )
    return "retry"


@transaction.atomic
def _fail(post: Post, reason: str) -> str:
    # The failure and its event commit together: no failed post without its notice.
    if _move(post, to=Post.Status.FAILED, status_reason=reason[:500]):
        post.refresh_from_db()
        audit_record(
            action="post.failed",
            actor=None,
            workspace=post.workspace,
            target=post.hook[:200],
            reason=reason[:300],
        )
        events.post_failed(
            post=post,
            reason=reason,
            notice=_notice(post, _("A post could not be published"), reason),
        )
    return "failed"


def _insert_select(db, model, source: str) -> tuple[str, list]:
    """`INSERT INTO <model's table> (<its columns>) SELECT <a value each> FROM <source>`: a
    row written once for each row of `source` (a WITH of the same statement), its values
    bound (`_row_values`), and the fields they are for."""
    quote = db.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 (quoted, bound)
        f"SELECT {', '.join(['%s'] * len(fields))} FROM {quote(source)}"
    )
    return sql, fields


def _row_values(db, row, fields) -> list:
    """The values the ORM would save for the unsaved `row`'s `fields`."""
    return [field.get_db_prep_save(getattr(row, field.attname), connection=db) for field in fields]


class _FinishStatement:
    """`_publish_in_one_statement`'s SQL, written once per database and shape (the post's
    fields it sets, how many statuses it may move from) and then run with each post's
    values, as `_PreparedRead` does for the read: the text (some thirty names quoted and
    joined) is the same for every post."""

    def __init__(self, db, names: tuple[str, ...], statuses: int) -> None:
        quote = db.ops.quote_name
        self.post_fields = [Post._meta.get_field(name) for name in names]
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in self.post_fields)
        audit_sql, self.audit_fields = _insert_select(db, AuditEvent, "moved")
        event_sql, self.event_fields = _insert_select(db, OutboxEvent, "moved")
        self.sql = (
            f"WITH {quote('finished')} AS ("  # noqa: S608 (names quoted, values bound)
            f"UPDATE {quote(PublishAttempt._meta.db_table)} SET {quote('outcome')} = %s, "
            f"{quote('error')} = %s, {quote('finished_at')} = %s "
            f"WHERE {quote('id')} = %s AND {quote('workspace_id')} = %s), "
            f"{quote('moved')} AS ("
            f"UPDATE {quote(Post._meta.db_table)} SET {assignments} "
            f"WHERE {quote('id')} = %s AND {quote('workspace_id')} = %s "
            f"AND {quote('status')} IN ({', '.join(['%s'] * statuses)}) "
            f"RETURNING {quote('id')}), "
            f"{quote('audited')} AS ({audit_sql}) "
            f"{event_sql} ON CONFLICT ({quote('workspace_id')}, {quote('key')}) "
            f"DO UPDATE SET {quote('key')} = EXCLUDED.{quote('key')} RETURNING {quote('id')}"
        )


_finish_statements: dict[tuple, _FinishStatement] = {}


def _finish_statement(db, names: tuple[str, ...], statuses: int) -> _FinishStatement:
    key = (db.alias, db.settings_dict["NAME"], names, statuses)
    statement = _finish_statements.get(key)
    if statement is None:
        statement = _finish_statements[key] = _FinishStatement(db, names, statuses)
    return statement


def _publish_in_one_statement(
    attempt: PublishAttempt, post: Post, urn: str, db, *, allowed_from, **fields
) -> OutboxEvent | None:
    """PostgreSQL: everything `_mark_published` writes for a post LinkedIn has just taken,
    but its first comment, as one statement: the attempt's outcome, the post's "published"
    (conditional, as `_move`), its audit record and its post.published event, the last two
    written only when the post moved (they select from its UPDATE's RETURNING). PostgreSQL
    runs every data-modifying WITH to completion, in one snapshot, and a connection in
    autocommit commits the statement on its own: one round trip instead of five (BEGIN, the
    updates, the audit INSERT, the event INSERT, COMMIT) and no ORM to build them. Measured
    old against new, alternating in one run on PostgreSQL 15: this step's CPU a post went
    from 5.0-5.3 ms to 2.2-2.7 ms (the worker 3.6 -> 1.1-1.4, its backend 1.4-1.6 -> 1.1-1.3).

    The rows and values are those of `_finish_attempt`, `_move`, `audit_record` and
    `events.post_published(first=True)`: the same builders make them. The event keeps that
    INSERT ... ON CONFLICT: a key recorded already is returned, not added twice. Returns
    the event, or None when the post was not moved."""
    now = fields["published_at"]
    values = {"status": Post.Status.PUBLISHED, "updated_at": now, **fields}
    statuses = list(allowed_from)
    statement = _finish_statement(db, tuple(values), len(statuses))
    # The post as it reads once moved, for the event's payload (what a webhook receives).
    published = copy.copy(post)
    for name, value in values.items():
        setattr(published, name, value)
    audit = audit_row(
        action="post.published",
        actor=None,
        workspace=post.workspace,
        target=post.hook[:200],
        urn=urn,
    )
    event = events.post_published_row(
        post=published,
        notice=_notice(published, _("Your post is live on LinkedIn"), post.hook[:200]),
    )
    error = f"urn {urn}"[:500]
    at = db.ops.adapt_datetimefield_value(now)
    params = [PublishAttempt.Outcome.PUBLISHED, error, at, attempt.pk, attempt.workspace_id]
    params += [
        field.get_db_prep_save(values[field.name], connection=db) for field in statement.post_fields
    ]
    params += [post.pk, post.workspace_id, *statuses]
    params += _row_values(db, audit, statement.audit_fields)
    params += _row_values(db, event, statement.event_fields)
    with statement_cursor(db) as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    event.pk = row[0]
    event._state.adding = False
    event._state.db = db.alias
    return event


def _mark_published(
    post: Post,
    urn: str,
    *,
    allowed_from=(Post.Status.PUBLISHING, Post.Status.NEEDS_CHECK),
    attempt: PublishAttempt | None = None,
) -> bool:
    """Published, its event (notification, webhook, CRM) and its first comment step commit
    together, with the outcome of the `attempt` that made it: a worker killed right after
    still leaves all of them to be delivered."""
    now = timezone.now()
    published = {
        "linkedin_urn": urn,
        "linkedin_url": PUBLIC_URL.format(urn=urn) if urn else "",
        "published_at": now,
        "status_reason": "",
        "next_attempt_at": None,
    }
    db = connections[router.db_for_write(Post)]
    if attempt is None or db.vendor != "postgresql":
        return _mark_published_in_steps(post, urn, published, allowed_from, attempt)
    # One statement commits all but the first comment's step; a post with a first comment
    # takes a transaction so that its step commits with the rest.
    with transaction.atomic(using=db.alias) if post.first_comment else nullcontext():
        event = _publish_in_one_statement(
            attempt, post, urn, db, allowed_from=allowed_from, **published
        )
        metrics.record_publish_outcome(PublishAttempt.Outcome.PUBLISHED)
        if event is None:
            return False
        _published(post, published, now)
        events.dispatch_after_commit(event)
        _first_comment_step(post)
    return True


@transaction.atomic
def _mark_published_in_steps(post: Post, urn: str, published: dict, allowed_from, attempt) -> bool:
    """`_mark_published` one write at a time, in one transaction (SQLite, and posts found
    published by a check or a person, which have no attempt to finish)."""
    if attempt is not None:
        _finish_attempt(attempt, PublishAttempt.Outcome.PUBLISHED, f"urn {urn}")
    moved = _move(post, to=Post.Status.PUBLISHED, allowed_from=allowed_from, **published)
    if moved:
        _published(post, published, published["published_at"])
        audit_record(
            action="post.published",
            actor=None,
            workspace=post.workspace,
            target=post.hook[:200],
            urn=urn,
        )
        events.post_published(
            post=post,
            notice=_notice(post, _("Your post is live on LinkedIn"), post.hook[:200]),
            first=True,  # the conditional update above moved it: only once per post
        )
        _first_comment_step(post)
    return moved


def _published(post: Post, published: dict, now: datetime) -> None:
    """What the update wrote, on the object, without reading the row back."""
    for field, value in published.items():
        setattr(post, field, value)
    post.status = Post.Status.PUBLISHED
    post.updated_at = now


def _first_comment_step(post: Post) -> None:
    if post.first_comment and post.linkedin_urn:
        step, created = owned(FirstComment, workspace=post.workspace).get_or_create(
            post=post, defaults={"workspace": post.workspace, "text": post.first_comment}
        )
        if created:
            _enqueue_first_comment(step)


# --- The first comment --------------------------------------------------------------------
# A step of publishing with its own record (FirstComment), made with the post's "published"
# and retried until it is done or LinkedIn refuses it. A call that may have reached LinkedIn
# without an answer is never repeated blindly: the post's comments are read first.

FIRST_COMMENT_MAX_ATTEMPTS = 8
FIRST_COMMENT_SWEEP_GRACE = timedelta(seconds=30)


def _enqueue_first_comment(step: FirstComment) -> None:
    from apps.content.tasks import post_first_comment

    transaction.on_commit(
        lambda pk=step.pk, ws=step.workspace_id: post_first_comment.delay(pk, ws), robust=True
    )


def _first_comment_settle(step: FirstComment, status: str, **fields) -> str:
    settled = FirstComment.objects.filter(
        pk=step.pk, workspace_id=step.workspace_id, status=FirstComment.Status.POSTING
    ).update(status=status, **fields)
    if settled and status in (FirstComment.Status.DONE, FirstComment.Status.REFUSED):
        # The post's own fields, which the post page shows.
        Post.objects.filter(pk=step.post_id, workspace_id=step.workspace_id).update(
            first_comment_urn=fields.get("urn", "")[:200],
            first_comment_error=fields.get("error", "")[:300],
        )
    return str(status)


def _first_comment_later(step: FirstComment, error: str, *, maybe_posted=None) -> str:
    maybe = step.maybe_posted if maybe_posted is None else maybe_posted
    if step.attempts >= FIRST_COMMENT_MAX_ATTEMPTS:
        status = FirstComment.Status.UNKNOWN if maybe else FirstComment.Status.REFUSED
        return _first_comment_settle(
            step,
            status,
            maybe_posted=maybe,
            error=(
                _("Gave up after %(n)d attempts: %(error)s") % {"n": step.attempts, "error": error}
            )[:300],
        )
    retry_at = timezone.now() + timedelta(seconds=backoff_seconds(step.attempts))
    _first_comment_settle(
        step,
        FirstComment.Status.PENDING,
        maybe_posted=maybe,
        next_attempt_at=retry_at,
        error=error[:300],
    )
    return "retry"


def _find_comment(client, connection, post: Post, text: str) -> str | None:
    wanted = normalised(text)
    page = client.list_comments(post.linkedin_urn, start=0, count=50)
    for element in page.get("elements", []):
        mine = element.get("actor") in ("", None, connection.member_urn)
        said = normalised(((element.get("message") or {}).get("text")) or "")
        if mine and said == wanted:
            return element.get("$URN") or element.get("id") or element.get("urn") or "found"
    return None


def post_first_comment(*, step_id: int, workspace_id: int) -> str:
    """One attempt at a published post's first comment. Claimed first (pending → posting,
    leased), so a task run twice, or run with the sweep's, calls LinkedIn once."""
    step = owned_for_task(FirstComment, workspace_id=workspace_id, pk=step_id)
    if step is None:
        return "gone"
    now = timezone.now()
    claimed = FirstComment.objects.filter(
        pk=step.pk,
        workspace_id=workspace_id,
        status=FirstComment.Status.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=5),
    ).update(
        status=FirstComment.Status.POSTING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=settings.SIDE_EFFECT_LEASE_SECONDS),
    )
    if not claimed:
        return "not due"
    step.refresh_from_db()
    post = step.post
    connection = connection_for(workspace=post.workspace)
    if connection is None or not connection.is_usable:
        return _first_comment_later(step, _("LinkedIn needs to be reconnected."))
    client = linkedin.LinkedInClient(connection.access_token)
    if step.maybe_posted:
        try:
            found = _find_comment(client, connection, post, step.text)
        except linkedin.LinkedInPermissionError:
            return _first_comment_settle(
                step,
                FirstComment.Status.UNKNOWN,
                error=_(
                    "The first comment may or may not be on LinkedIn, and reading comments "
                    "is not permitted. Look at the post on LinkedIn."
                ),
            )
        except linkedin.LinkedInError as error:
            return _first_comment_later(step, str(error))
        if found:
            return _first_comment_settle(
                step, FirstComment.Status.DONE, urn=str(found)[:200], done_at=timezone.now()
            )
    try:
        answer = client.create_comment(post.linkedin_urn, connection.member_urn, step.text)
    except linkedin.LinkedInUnknownOutcome as error:
        return _first_comment_later(step, str(error), maybe_posted=True)
    except (
        linkedin.LinkedInTransientError,
        linkedin.LinkedInRateLimited,
        linkedin.LinkedInAuthError,
    ) as error:
        return _first_comment_later(step, str(error))
    except linkedin.LinkedInError as error:
        # LinkedIn said no (a validation or permission error): known refused, not retried.
        return _first_comment_settle(step, FirstComment.Status.REFUSED, error=str(error)[:300])
    urn = (answer or {}).get("$URN") or (answer or {}).get("id") or ""
    return _first_comment_settle(
        step, FirstComment.Status.DONE, urn=str(urn)[:200], error="", done_at=timezone.now()
    )


def sweep_first_comments(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: first comments whose task was lost, and calls a killed worker left posting
    (lease run out: the call may have reached LinkedIn, so the next attempt looks first)."""
    from apps.content.tasks import post_first_comment as task

    now = now or timezone.now()
    with across_workspaces(reason="beat sweep: first comments in every workspace"):
        FirstComment.objects.filter(
            status=FirstComment.Status.POSTING, next_attempt_at__lt=now
        ).update(status=FirstComment.Status.PENDING, maybe_posted=True, next_attempt_at=now)
        due = list(
            FirstComment.objects.filter(
                status=FirstComment.Status.PENDING,
                next_attempt_at__lte=now,
                created_at__lte=now - FIRST_COMMENT_SWEEP_GRACE,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "workspace_id")[:limit]
        )
    for pk, workspace_id in due:
        task.delay(pk, workspace_id)
    return len(due)


# --- Unknown outcomes ----------------------------------------------------------------------


def _reconcile_later(post: Post, *, countdown: float) -> None:
    from apps.content.tasks import reconcile_post

    transaction.on_commit(
        lambda: reconcile_post.apply_async((post.pk, post.workspace_id), countdown=countdown),
        robust=True,
    )


def _check_backoff(checks: int) -> timedelta:
    """The wait before re-check number `checks + 1`: the reconcile delay, doubling."""
    base = max(1, settings.PUBLISH_RECONCILE_DELAY_SECONDS)
    return timedelta(seconds=min(6 * 3600, base * 2 ** max(0, checks)))


def _needs_check(post: Post, reason: str) -> None:
    delay = settings.PUBLISH_RECONCILE_DELAY_SECONDS
    if _move(
        post,
        to=Post.Status.NEEDS_CHECK,
        status_reason=reason[:500],
        reconcile_checks=0,
        first_missing_at=None,
        # When the reaper looks again if this check is lost (a worker died holding it).
        next_attempt_at=timezone.now() + timedelta(seconds=delay) + _check_backoff(0),
    ):
        _reconcile_later(post, countdown=delay)


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
    if post.reconcile_checks >= settings.PUBLISH_RECONCILE_MAX_CHECKS:
        return _ask_people(post)
    checks = post.reconcile_checks + 1
    now = timezone.now()
    Post.objects.filter(pk=post.pk, status=Post.Status.NEEDS_CHECK).update(
        reconcile_checks=checks, next_attempt_at=now + _check_backoff(checks)
    )
    client = linkedin.LinkedInClient(connection.access_token)
    try:
        found = _find_on_linkedin(client, connection, post)
    except linkedin.LinkedInPermissionError:
        return _ask_people(post)
    except linkedin.LinkedInError:
        if checks >= settings.PUBLISH_RECONCILE_MAX_CHECKS:
            return _ask_people(post)
        # The reaper takes it at next_attempt_at: long waits stay out of the broker, whose
        # visibility timeout is short (a countdown past it would be delivered again).
        return "retry later"
    if found:
        _mark_published(post, found, allowed_from=(Post.Status.NEEDS_CHECK,))
        return "found"
    confirm = timedelta(seconds=settings.PUBLISH_RECONCILE_CONFIRM_SECONDS)
    if post.first_missing_at is None or now - post.first_missing_at < confirm:
        # One "not there" may be LinkedIn's read side lagging: read again after a delay.
        if post.first_missing_at is None:
            Post.objects.filter(pk=post.pk, status=Post.Status.NEEDS_CHECK).update(
                first_missing_at=now
            )
        if checks >= settings.PUBLISH_RECONCILE_MAX_CHECKS:
            return _ask_people(post)
        _reconcile_later(post, countdown=confirm.total_seconds())
        return "read again"
    # Not there, twice, far enough apart: safe to publish again, straight away.
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
    with transaction.atomic():
        # Out of the reaper's re-checks: the post waits for a person's answer.
        Post.objects.filter(pk=post.pk).update(status_reason=reason, next_attempt_at=None)
        _tell(
            post,
            Event.POST_NEEDS_CHECK,
            _("Did your post appear on LinkedIn?"),
            reason,
            key=f"needs-check:{post.pk}:{post.publish_attempts}",
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
    with across_workspaces(reason="beat task: stuck posts of every workspace"):
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
        # A check whose reconcile task was lost (a worker died holding it) is tried again: the
        # longest-waiting first, each pushed back by its backoff so the next run takes others;
        # posts out of checks wait for a person (next_attempt_at cleared by _ask_people).
        from apps.content.tasks import reconcile_post

        due = list(
            Post.objects.filter(
                status=Post.Status.NEEDS_CHECK,
                next_attempt_at__lte=now,
                reconcile_checks__lt=settings.PUBLISH_RECONCILE_MAX_CHECKS,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "workspace_id", "reconcile_checks")[:200]
        )
        for post_id, workspace_id, checks in due:
            if Post.objects.filter(
                pk=post_id, status=Post.Status.NEEDS_CHECK, next_attempt_at__lte=now
            ).update(next_attempt_at=now + _check_backoff(checks + 1)):
                transaction.on_commit(
                    lambda pk=post_id, ws=workspace_id: reconcile_post.delay(pk, ws), robust=True
                )
        return moved
