import itertools
from datetime import datetime, timedelta

from django.db import connections, router
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from apps.accounts.tenancy import across_workspaces, database_workspace_set, owned
from apps.core.prepared import statement_cursor
from apps.leads.models import Comment, Lead, LeadSettings, LeadStatusTotals

PIPELINE = (
    Lead.Status.NEW,
    Lead.Status.CONTACTED,
    Lead.Status.QUALIFIED,
    Lead.Status.CONVERTED,
    Lead.Status.LOST,
)
SORTS = {
    "score": ("-score", "-created_at"),
    "newest": ("-created_at",),
    "follow_up": ("follow_up_on", "-score"),
}


def leads_inbox(
    *,
    workspace,
    status: str | None = None,
    intent: str | None = None,
    min_score: int | None = None,
    sort: str = "score",
) -> QuerySet[Lead]:
    leads = (
        owned(Lead, workspace=workspace)
        .select_related("commenter")
        .exclude(status=Lead.Status.NOT_A_LEAD)
    )
    if status:
        leads = leads.filter(status=status)
    if intent:
        leads = leads.filter(intent=intent)
    if min_score:
        leads = leads.filter(score__gte=min_score)
    return leads.order_by(*SORTS.get(sort, SORTS["score"]))


def best_comments(*, workspace, leads) -> dict[int, Comment]:
    """Each lead's highest-scoring comment, in one query."""
    best = {}
    for comment in (
        owned(Comment, workspace=workspace)
        .filter(lead__in=leads)
        .select_related("post")
        .order_by("lead_id", "-score")
    ):
        best.setdefault(comment.lead_id, comment)
    return best


def lead_comments(*, lead) -> QuerySet[Comment]:
    return (
        owned(Comment, workspace=lead.workspace)
        .filter(commenter=lead.commenter)
        .select_related("post")
        .order_by("commented_at")
    )


def thread_of(*, comment) -> QuerySet[Comment]:
    """The other comments under the same post, for context."""
    if comment.post_id is None:
        return owned(Comment, workspace=comment.workspace).none()
    return (
        owned(Comment, workspace=comment.workspace)
        .filter(post_id=comment.post_id)
        .select_related("commenter")
        .order_by("commented_at")[:50]
    )


_STATUS_TOTALS = "SELECT status, n, value FROM leads_leadstatustotals WHERE workspace_id = %s"


def pipeline(*, workspace) -> list[dict]:
    """The workspace's leads per status: how many and their summed value. One query: on
    PostgreSQL the status totals the triggers on leads_lead keep (LeadStatusTotals, a few
    rows; grouping 200,000 leads took 55-75 ms per dashboard), elsewhere grouped from the
    leads."""
    db = connections[router.db_for_read(LeadStatusTotals)]
    if db.vendor == "postgresql":
        # A statement prepared once per connection: the ORM's query cost more to build than
        # to run (the dashboard asks on every visit).
        with statement_cursor(db) as cursor:
            cursor.execute(_STATUS_TOTALS, [workspace.pk])
            rows = {status: {"n": n, "value": value} for status, n, value in cursor.fetchall()}
    else:
        totals = (
            owned(Lead, workspace=workspace)
            .values("status")
            .annotate(n=Count("id"), value=Sum("value_eur"))
        )
        rows = {r["status"]: r for r in totals}
    return [
        {
            "status": status,
            "label": status.label,
            "count": rows.get(status, {}).get("n", 0),
            "value": rows.get(status, {}).get("value") or 0,
        }
        for status in PIPELINE
    ]


def reading_permitted(*, workspace) -> bool:
    row = owned(LeadSettings, workspace=workspace).first()
    return row is None or row.comment_reading_permitted


def lead_of_member(*, user, pk) -> Lead | None:
    """A lead in any workspace the user belongs to (for signed links that carry no
    workspace); `lead.membership` is set to the user's membership there."""
    from apps.accounts.selectors import memberships_of_user

    for membership in memberships_of_user(user=user):
        # A member's own workspace, named to the database in turn (row-level security).
        database_workspace_set(membership.workspace_id, user_id=user.pk)
        lead = (
            owned(Lead, workspace=membership.workspace)
            .select_related("commenter")
            .filter(pk=pk)
            .first()
        )
        if lead is not None:
            lead.membership = membership
            return lead
    database_workspace_set(None, user_id=user.pk)
    return None


def feedback_examples(*, workspace) -> list[tuple[str, str]]:
    """A workspace's corrections as training examples: "not a lead" teaches `other`,
    "is a lead" teaches the intent the comment was given (or a direct inquiry)."""
    from apps.leads.classifier import LEAD_INTENTS
    from apps.leads.models import Feedback

    examples = []
    for text, is_lead, intent, given in (
        owned(Feedback, workspace=workspace)
        .order_by("pk")
        .values_list("comment__text", "is_lead", "intent", "comment__intent")
    ):
        if is_lead:
            examples.append((text, given if given in LEAD_INTENTS else "direct_inquiry"))
        else:
            examples.append((text, intent or "other"))
    return examples


def leads_arrived_since(*, workspace, since) -> int:
    return (
        owned(Lead, workspace=workspace)
        .filter(created_at__gt=since)
        .exclude(status=Lead.Status.NOT_A_LEAD)
        .count()
    )


def unsure_comments(*, workspace, limit: int = 10) -> list[Comment]:
    """Recent comments the classifier abstained on and that belong to no lead: the inbox shows
    them as "unsure" for the consultant to decide (no alert was sent)."""
    return list(
        owned(Comment, workspace=workspace)
        .exclude(unsure="")
        .filter(lead__isnull=True, feedback__isnull=True)
        .select_related("commenter")
        .order_by("-commented_at", "-id")[:limit]
    )


def lead_calibration(*, workspace):
    """The workspace's learnt calibration (apps/leads/feedback.py), or None before any answer."""
    from apps.leads.models import LeadCalibration

    return owned(LeadCalibration, workspace=workspace).first()


def calibration_offset(*, workspace) -> float:
    calibration = lead_calibration(workspace=workspace)
    return calibration.offset if calibration else 0.0


def labelled_comments_for_export(*, feedback=None) -> list[dict]:
    """Comments members labelled "lead" / "not a lead", in workspaces that opted in to share
    them (LeadSettings.share_labelled_comments): the text and the label only, for staff to grow
    the corpus. Across workspaces by design (a staff export); `feedback` (a queryset) narrows
    it, and it never widens past the opt-in."""
    from apps.leads.classifier import LEAD_INTENTS
    from apps.leads.models import Feedback, LeadSettings

    with across_workspaces(reason="staff export from every opted-in workspace"):
        sharing = LeadSettings.objects.filter(share_labelled_comments=True).values("workspace_id")
        feedback = (Feedback.objects.all() if feedback is None else feedback).filter(
            workspace_id__in=sharing
        )
        rows = []
        for text, is_lead, intent, given in feedback.order_by("pk").values_list(
            "comment__text", "is_lead", "intent", "comment__intent"
        ):
            rows.append(
                {
                    "text": text,
                    "label": "lead" if is_lead else "not_lead",
                    "intent": (given if given in LEAD_INTENTS else "direct_inquiry")
                    if is_lead
                    else (intent or "other"),
                }
            )
        return rows


# --- Comment scans overdue -------------------------------------------------------------------

# A post's comment scan is overdue once its last scan (or its publication, if none) is older
# than twice its interval (apps/leads/ingestion.scan_interval) plus this: one missed round is
# a busy minute, two mean the dispatcher or the scans workers are not running.
SCAN_OVERDUE_GRACE = timedelta(minutes=10)
# The age bands of scan_interval: posts younger than 48 hours, than 7 days, than 30 days.
SCAN_AGE_BANDS = (timedelta(0), timedelta(hours=48), timedelta(days=7), timedelta(days=30))


def with_overdue_scans(posts: QuerySet, *, now: datetime) -> QuerySet:
    """`posts` (already scoped by the caller) narrowed to published posts whose comment scan
    is overdue, annotated with `last_scan_at`. Only posts that would be scanned count: the
    workspace's LinkedIn connection is usable and may read comments, and LinkedIn has not
    refused it. Oldest scan first."""
    from apps.content.models import Post
    from apps.leads.ingestion import scan_interval
    from apps.linkedin.models import SCOPE_READ_COMMENTS, LinkedInConnection

    overdue = Q()
    for younger, older in itertools.pairwise(SCAN_AGE_BANDS):
        interval = scan_interval(younger)
        overdue |= Q(
            published_at__lte=now - younger,
            published_at__gt=now - older,
            last_scan_at__lt=now - 2 * interval - SCAN_OVERDUE_GRACE,
        )
    # The granted scopes are a JSON list; its text holds each scope quoted, on SQLite and
    # PostgreSQL alike (JSON containment is not offered on SQLite).
    can_read_comments = (
        LinkedInConnection.objects.filter(
            workspace=OuterRef("workspace_id"),
            status=LinkedInConnection.Status.CONNECTED,
        )
        .filter(Q(access_token_expires_at__isnull=True) | Q(access_token_expires_at__gt=now))
        .annotate(scopes_text=Cast("scopes", TextField()))
        .filter(scopes_text__contains=f'"{SCOPE_READ_COMMENTS}"')
    )
    refused = LeadSettings.objects.filter(
        workspace=OuterRef("workspace_id"), comment_reading_permitted=False
    )
    return (
        posts.filter(status=Post.Status.PUBLISHED, published_at__isnull=False)
        .exclude(linkedin_urn="")
        .annotate(last_scan_at=Coalesce("comments_scanned_at", "published_at"))
        .filter(overdue)
        .filter(Exists(can_read_comments))
        .exclude(Exists(refused))
        .order_by("last_scan_at", "pk")
    )


def scans_overdue(*, workspace, now: datetime, limit: int = 10) -> list:
    """The workspace's posts whose comment scan is overdue, oldest scan first."""
    from apps.content.models import Post

    return list(with_overdue_scans(owned(Post, workspace=workspace), now=now)[:limit])


# --- For operators (apps/core/metrics.py) ----------------------------------------------------


def comment_scans_due(now: datetime | None = None) -> tuple[int, float]:
    """How many published posts are due a comment scan, and how many seconds the longest
    waiting of them has been due (0 when none is): the same posts `dispatch_scans` claims.
    One aggregate over the index on next_comment_scan_at."""
    from apps.content.models import Post

    now = now or timezone.now()
    with across_workspaces(reason="metrics: the scan backlog of every workspace"):
        figures = (
            Post.objects.filter(
                status=Post.Status.PUBLISHED, published_at__gt=now - timedelta(days=30)
            )
            .filter(Q(next_comment_scan_at__isnull=True) | Q(next_comment_scan_at__lte=now))
            .aggregate(
                due=Count("pk"), oldest=Min(Coalesce("next_comment_scan_at", "published_at"))
            )
        )
    oldest = figures["oldest"]
    return figures["due"], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def alert_comment_stored_at(*, workspace, lead_id: int, before: datetime) -> datetime | None:
    """When the comment that raised a lead's alert was stored: the lead's latest comment
    stored by the time the alert was made (`before`)."""
    return (
        owned(Comment, workspace=workspace)
        .filter(lead_id=lead_id, ingested_at__lte=before)
        .aggregate(stored=Max("ingested_at"))["stored"]
    )
