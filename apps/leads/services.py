"""Writes for leads: storing classified comments, making leads, alerts, status, feedback."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import AuditEvent, Membership, Role
from apps.accounts.services import audit_record
from apps.accounts.tenancy import across_workspaces, owned, owned_for_task, workspace_atomic
from apps.core.bulk import insert_returning, insert_statements
from apps.core.prepared import statement_cursor
from apps.leads.models import (
    Alert,
    AlertSettings,
    Comment,
    Commenter,
    Feedback,
    Lead,
    LeadCalibration,
    LeadSettings,
)
from apps.notifications import events

logger = logging.getLogger(__name__)


class LeadError(Exception):
    """A request that breaks a lead rule; the message is for the user."""


def lead_settings(workspace) -> LeadSettings:
    settings_row, _created = LeadSettings.objects.get_or_create(workspace=workspace)
    return settings_row


def alert_settings(workspace, user) -> AlertSettings:
    row, _created = AlertSettings.objects.get_or_create(workspace=workspace, user=user)
    return row


@dataclass(frozen=True)
class IncomingComment:
    urn: str
    actor_urn: str
    text: str
    commented_at: object
    parent_urn: str = ""
    name: str = ""
    headline: str = ""


def store_comments(
    *, workspace, post, incoming: list[IncomingComment], source: str = Comment.Source.LINKEDIN
) -> list[Comment]:
    """Classify, score and store new comments; make or update leads; alert on commit.

    Comments already stored (same URN) are skipped, so a scan that runs twice stores each
    comment once; the unique constraint settles a race between two scans."""
    from apps.leads.classifier import get_model
    from apps.leads.scoring import ScoreInput, score_comment

    if not incoming:
        return []
    # One read answers what every batch asks first: which of its comments are stored already
    # (a re-scan re-reads every page of a post, so most are), the workspace's calibration and
    # its lead threshold. A batch of known comments ends here, before any classifying.
    known, offset, threshold = _batch_context(workspace, [c.urn for c in incoming])
    fresh = [c for c in incoming if c.urn not in known]
    if not fresh:
        return []
    # The shared model, seen through this workspace's calibration (its "lead / not a lead"
    # answers, see apps/leads/feedback.py): no per-workspace retraining on the hot path.
    from apps.leads.feedback import adjust

    predictions = [adjust(p, offset) for p in get_model().predict_many([c.text for c in fresh])]
    # Where a language model is configured, it decides the unsure band, before the transaction
    # opens; inside a caller's transaction (a web request's import) it is not asked at all: no
    # network call inside one. On any failure the model's own verdict stands.
    if not transaction.get_connection().in_atomic_block:
        from apps.leads.second_opinion import review

        predictions = review([c.text for c in fresh], predictions)

    if threshold is None:  # the workspace's first batch: its lead settings are made
        threshold = lead_settings(workspace).alert_threshold
    # One transaction for the batch, and a fixed number of queries for it whatever its size
    # (was ~6 a comment, each insert in its own savepoint): the commenters upserted (the
    # statement answers with their earlier comments and their leads' columns), then one
    # insert of the new leads and one of the comments, already linked to their leads, each
    # answering with what it made, and the events (with, on PostgreSQL, the raised scores
    # and the audit records). A failure rolls the whole batch back; the next scan stores it
    # again, URNs keep it once.
    with transaction.atomic():
        commenters, leads_by_commenter, earlier_comments = _commenters_for(workspace, fresh)
        plan = _BatchPlan(leads_by_commenter)
        now = timezone.now()
        for item, prediction in zip(fresh, predictions, strict=True):
            commenter = commenters[item.actor_urn]
            breakdown = score_comment(
                ScoreInput(
                    text=item.text,
                    headline=commenter.headline,
                    prediction=prediction,
                    previous_comments_by_commenter=earlier_comments.get(commenter.pk, 0),
                    existing_lead=plan.has_lead(commenter.pk),
                )
            )
            earlier_comments[commenter.pk] = earlier_comments.get(commenter.pk, 0) + 1
            # Made with the relations' ids and given the objects after: assigning an object
            # asks the database router about the relation, three times a comment.
            comment = Comment(
                workspace_id=workspace.pk,
                post_id=post.pk if post is not None else None,
                commenter_id=commenter.pk,
                urn=item.urn,
                parent_urn=item.parent_urn,
                text=item.text,
                commented_at=item.commented_at,
                source=source,
                intent=prediction.intent,
                intent_probability=prediction.intent_probability,
                lead_probability=prediction.lead_probability,
                score=breakdown.score,
                score_parts=[[label, points] for label, points in breakdown.parts],
                unsure=prediction.unsure,
                second_opinion=prediction.second_opinion,
                explanation=[[term, round(weight, 3)] for term, weight in prediction.explanation],
                ingested_at=now,
            )
            _related(comment, workspace=workspace, post=post, commenter=commenter)
            plan.add(comment, qualifies=breakdown.score >= threshold)
        created_leads = _insert_new_leads(workspace, plan, now)
        for comment in plan.comments:
            lead = plan.lead_of(comment)
            comment.lead_id = lead.pk if lead is not None else None
        stored = _insert_comments(plan.comments)
        raise_scores = _raise_and_attribute(workspace, plan, stored)
        audit = _announce_new_leads(workspace, plan, created_leads, stored)
        # One event per qualifying comment, committed with it: alerts (by `_alert_members`,
        # each member's threshold), webhooks and the CRM (once per lead), after commit.
        # All of the batch's in one insert (was a look, a savepoint and an insert each), and
        # on PostgreSQL the leads' raised scores and the audit records go in the same
        # statement: none depends on another, so they need no round trip each.
        alerting = plan.alerting(stored)
        for lead, comment in alerting:
            # No query per lead in the event's payload.
            _related(lead, workspace=workspace, commenter=comment.commenter)
        events.leads_detected(workspace=workspace, pairs=alerting, alongside=raise_scores + audit)
    return stored


def _related(instance, **objects) -> None:
    """Give `instance`, made with its relations' ids, the related objects themselves, as
    assigning them would (no query when the caller reads comment.commenter)."""
    for name, value in objects.items():
        type(instance)._meta.get_field(name).set_cached_value(instance, value)


class _BatchPlan:
    """Which lead each comment of a batch belongs to, decided in memory before any write, in
    the order the comments came (as storing them one by one would): a comment scoring at the
    threshold makes its commenter a lead or raises the lead's score; any later comment of a
    lead's commenter is linked to the lead."""

    def __init__(self, leads_by_commenter: dict[int, Lead]) -> None:
        self.existing = dict(leads_by_commenter)
        self.becoming: dict[int, Comment] = {}  # commenter id -> the comment that makes the lead
        self.comments: list[Comment] = []
        self.linked: dict[str, int] = {}  # comment URN -> commenter id whose lead it joins
        self.qualifying: dict[str, bool] = {}
        self.leads: dict[int, Lead] = {}  # filled once the new leads exist

    def has_lead(self, commenter_id: int) -> bool:
        return commenter_id in self.existing or commenter_id in self.becoming

    def add(self, comment: Comment, *, qualifies: bool) -> None:
        commenter_id = comment.commenter_id
        if qualifies and not self.has_lead(commenter_id):
            self.becoming[commenter_id] = comment
        if self.has_lead(commenter_id):
            self.linked[comment.urn] = commenter_id
        self.qualifying[comment.urn] = qualifies
        self.comments.append(comment)

    def lead_of(self, comment: Comment) -> Lead | None:
        commenter_id = self.linked.get(comment.urn)
        if commenter_id is None:
            return None
        return self.existing.get(commenter_id) or self.leads.get(commenter_id)

    def alerting(self, stored: list[Comment]) -> list[tuple[Lead, Comment]]:
        """The stored comments at the alert threshold, each with its lead."""
        return [
            (self.lead_of(comment), comment)
            for comment in stored
            if comment.lead_id is not None and self.qualifying[comment.urn]
        ]


def _insert_new_leads(workspace, plan: _BatchPlan, now) -> set[int]:
    """Make the batch's new leads in one insert that answers with the ids it made (a lead
    another scan made meanwhile is kept, the unique constraint settles it, and only then
    read). Returns the ids of the leads this batch made."""
    if not plan.becoming:
        return set()
    # Each new lead starts with what storing its comments one by one would leave: the best
    # qualifying score and the post of its earliest comment.
    linked: dict[int, list[Comment]] = {}
    for comment in plan.comments:
        if plan.linked.get(comment.urn) in plan.becoming:
            linked.setdefault(plan.linked[comment.urn], []).append(comment)
    new_leads = []
    for commenter_id, first in plan.becoming.items():
        best = first
        for comment in linked[commenter_id]:
            if plan.qualifying[comment.urn] and comment.score > best.score:
                best = comment
        dated = [
            c for c in linked[commenter_id] if c.post_id is not None and c.commented_at is not None
        ]
        earliest = min(dated, key=lambda comment: comment.commented_at) if dated else None
        new_leads.append(
            Lead(
                workspace=workspace,
                commenter=first.commenter,
                score=best.score,
                intent=best.intent,
                created_at=now,
                status_changed_at=now,
                source_post_id=earliest.post_id if earliest else None,
                first_commented_at=earliest.commented_at if earliest else None,
            )
        )
    made = dict(
        insert_returning(
            Lead, new_leads, unique_fields=["workspace", "commenter"], returning=["commenter", "id"]
        )
    )
    for lead in new_leads:
        if lead.commenter_id in made:
            lead.pk = made[lead.commenter_id]
            lead._state.adding = False
            plan.leads[lead.commenter_id] = lead
    # A lead another scan made meanwhile is read as it is (rare: a race).
    raced = [commenter_id for commenter_id in plan.becoming if commenter_id not in made]
    if raced:
        for lead in owned(Lead, workspace=workspace).filter(commenter_id__in=raced):
            lead.commenter = plan.becoming[lead.commenter_id].commenter
            plan.leads[lead.commenter_id] = lead
    return set(made.values())


def _insert_comments(comments: list[Comment]) -> list[Comment]:
    """Insert the batch in one statement that answers with the ids of the rows it made; a
    comment another scan stored meanwhile is skipped (the unique constraint settles the
    race). Returns the comments this batch stored, with their ids, in the order they came."""
    ids = dict(
        insert_returning(
            Comment, comments, unique_fields=["workspace", "urn"], returning=["urn", "id"]
        )
    )
    stored = []
    for comment in comments:
        if comment.urn in ids:
            comment.pk = ids[comment.urn]
            comment._state.adding = False
            stored.append(comment)
    return stored


def _raise_and_attribute(workspace, plan: _BatchPlan, stored: list[Comment]) -> list:
    """Per lead the batch touched: raise its score to the best qualifying comment's, and credit
    it to the post of its earliest comment (see attribute_comment). Leads the batch made get
    both only where their own insert did not already say it. Credits are written here; the
    raises are returned, one statement for the batch's leads, for the caller to run."""
    by_lead: dict[int, list[Comment]] = {}
    for comment in stored:
        if comment.lead_id is not None:
            by_lead.setdefault(comment.lead_id, []).append(comment)
    leads = {lead.pk: lead for lead in [*plan.existing.values(), *plan.leads.values()]}
    raised = []
    for lead_id, comments in by_lead.items():
        lead = leads[lead_id]
        best = None
        for comment in comments:
            if plan.qualifying[comment.urn] and comment.score > (best or lead).score:
                best = comment
        if best is not None:
            raised.append((lead_id, best.score, best.intent))
            lead.score, lead.intent = best.score, best.intent
    for lead_id, comments in by_lead.items():
        lead = leads[lead_id]
        dated = [c for c in comments if c.post_id is not None and c.commented_at is not None]
        if not dated:
            continue
        earliest = min(dated, key=lambda comment: comment.commented_at)  # first on equal times
        if lead.first_commented_at is None or lead.first_commented_at > earliest.commented_at:
            attribute_comment(lead=lead, comment=earliest)
            lead.source_post_id = earliest.post_id
            lead.first_commented_at = earliest.commented_at
    return _raise_scores(workspace, raised)


def _raise_scores(workspace, raised: list[tuple[int, int, str]]) -> list[tuple[str, list]]:
    """The statement (none for nothing to raise) raising each lead of `raised` (id, score,
    intent) to its score and intent where its stored score is lower (another scan may have
    raised it further meanwhile), for the whole batch: the leads' totals triggers run once,
    not once a lead (0.4 ms each on PostgreSQL), and the statement is written once, not
    composed by the ORM for each lead. Like the ORM's update() it leaves updated_at alone."""
    if not raised:
        return []
    db = connections[router.db_for_write(Lead)]
    quote = db.ops.quote_name
    table = quote(Lead._meta.db_table)
    # (VALUES ...) names its columns column1, column2... on both PostgreSQL and SQLite.
    rows = ", ".join(["(%s, %s, %s)"] * len(raised))
    sql = (
        f"UPDATE {table} SET {quote('score')} = raised.column2, "  # noqa: S608 (names quoted, values bound)
        f"{quote('intent')} = raised.column3 FROM (VALUES {rows}) AS raised "
        f"WHERE {table}.{quote('workspace_id')} = %s AND {table}.{quote('id')} = raised.column1 "
        f"AND {table}.{quote('score')} < raised.column2"
    )
    return [(sql, [value for row in raised for value in row] + [workspace.pk])]


def _announce_new_leads(workspace, plan: _BatchPlan, created: set[int], stored) -> list:
    """The statements writing the audit record of each lead this batch made, with the comment
    that made it (when this batch stored it), for the caller to run; its lead.detected event
    is recorded with the batch's alerts."""
    stored_urns = {comment.urn for comment in stored}
    announced = []
    for commenter_id, comment in plan.becoming.items():
        lead = plan.leads.get(commenter_id)
        if lead is None or lead.pk not in created or comment.urn not in stored_urns:
            continue
        lead.workspace = workspace
        announced.append((lead, comment))
    # The rows audit_record would write, in one insert for the batch.
    return insert_statements(
        AuditEvent,
        [
            AuditEvent(
                action="lead.detected",
                workspace=workspace,
                target=(comment.commenter.name or comment.commenter.actor_urn)[:200],
                details={"score": comment.score},
            )
            for _lead, comment in announced
        ],
    )


def _batch_context(workspace, urns: list[str]) -> tuple[set[str], float, int | None]:
    """In one read: which of `urns` the workspace stored already, its calibration offset
    (0 before any answer, see selectors.calibration_offset) and its lead threshold (None
    before its lead settings exist)."""
    db = connections[router.db_for_write(Comment)]
    quote = db.ops.quote_name
    placeholders = ", ".join(["%s"] * len(urns))
    sql = (
        f"SELECT NULL, (SELECT {quote('offset')} FROM {quote(LeadCalibration._meta.db_table)} "  # noqa: S608 (names quoted, values bound)
        f"WHERE {quote('workspace_id')} = %s ORDER BY {quote('id')} LIMIT 1), "
        f"(SELECT {quote('alert_threshold')} FROM {quote(LeadSettings._meta.db_table)} "
        f"WHERE {quote('workspace_id')} = %s ORDER BY {quote('id')} LIMIT 1) "
        f"UNION ALL SELECT {quote('urn')}, NULL, NULL FROM {quote(Comment._meta.db_table)} "
        f"WHERE {quote('workspace_id')} = %s AND {quote('urn')} IN ({placeholders})"
    )
    known, offset, threshold = set(), 0.0, None
    with statement_cursor(db) as cursor:
        cursor.execute(sql, [workspace.pk, workspace.pk, workspace.pk, *urns])
        for urn, calibration, rule in cursor.fetchall():
            if urn is None:
                offset = calibration or 0.0
                threshold = rule
            else:
                known.add(urn)
    return known, offset, threshold


def _commenters_for(
    workspace, incoming: list[IncomingComment]
) -> tuple[dict[str, Commenter], dict[int, Lead], dict[int, int]]:
    """The batch's commenters by actor URN, their leads by commenter id and how many comments
    each wrote before, in one upsert that makes the new ones (a race with another scan is
    settled by the unique constraint), marks all seen now and refreshes names and headlines
    where the comments carry them (imports do)."""
    urns = list(dict.fromkeys(item.actor_urn for item in incoming))
    names: dict[str, str] = {}
    headlines: dict[str, str] = {}
    for item in incoming:  # the last name and headline the batch gives for each
        if item.name:
            names[item.actor_urn] = item.name[:200]
        if item.headline:
            headlines[item.actor_urn] = item.headline[:300]
    now = timezone.now()
    rows = [
        Commenter(
            workspace_id=workspace.pk,
            actor_urn=urn,
            name=names.get(urn, ""),
            headline=headlines.get(urn, ""),
            first_seen_at=now,
            last_seen_at=now,
        )
        for urn in urns
    ]
    db = connections[router.db_for_write(Commenter)]
    quote = db.ops.quote_name
    this = f"{quote(Commenter._meta.db_table)}.{quote('id')}"
    # Subqueries about each row the upsert touched: they see the tables as the statement
    # began, which is all there is to see (the upsert changes neither). The lead's columns
    # the batch needs come one subquery each (each a probe of the one-lead-per-commenter
    # index), so its leads need no read of their own.
    earlier_sql = (
        f"(SELECT COUNT(*) FROM {quote(Comment._meta.db_table)} "  # noqa: S608 (names quoted)
        f"WHERE {quote('workspace_id')} = %s AND {quote('commenter_id')} = {this})"
    )
    lead_columns = [Lead._meta.get_field(name) for name in _LEAD_COLUMNS_READ]
    lead_sql = [
        (
            f"(SELECT {quote(field.column)} FROM {quote(Lead._meta.db_table)} "  # noqa: S608 (names quoted)
            f"WHERE {quote('workspace_id')} = %s AND {quote('commenter_id')} = {this})",
            [workspace.pk],
            field,
        )
        for field in lead_columns
    ]
    fields = [field.name for field in Commenter._meta.concrete_fields]
    answered = insert_returning(
        Commenter,
        rows,
        unique_fields=["workspace", "actor_urn"],
        update_fields=["name", "headline", "last_seen_at"],
        update_if_given=["name", "headline"],
        returning=fields,
        also_returning=[(earlier_sql, [workspace.pk]), *lead_sql],
    )
    attnames = [field.attname for field in Commenter._meta.concrete_fields]
    read = ["workspace_id", "commenter_id", *(field.attname for field in lead_columns)]
    lead_attnames = [f.attname for f in Lead._meta.concrete_fields if f.attname in read]
    commenters, leads, earlier = {}, {}, {}
    for values in answered:
        commenter = Commenter.from_db(db.alias, attnames, values[: len(fields)])
        _related(commenter, workspace=workspace)
        commenters[commenter.actor_urn] = commenter
        count, lead_id, *lead_values = values[len(fields) :]
        if count:
            earlier[commenter.pk] = count
        if lead_id is not None:
            # The lead with the columns read; any other is read from the database if asked
            # for (nothing on this path asks).
            by_name = dict(
                zip(read, [workspace.pk, commenter.pk, lead_id, *lead_values], strict=True)
            )
            lead = Lead.from_db(db.alias, lead_attnames, [by_name[n] for n in lead_attnames])
            _related(lead, workspace=workspace, commenter=commenter)
            leads[commenter.pk] = lead
    return commenters, leads, earlier


# The columns of a batch's existing leads that storing it reads: to link, raise and credit
# them (id, score, first_commented_at) and for their lead.detected events (status,
# created_at). The id first: it says whether there is a lead.
_LEAD_COLUMNS_READ = ("id", "score", "status", "created_at", "first_commented_at")


def _lead_for(workspace, commenter, existing: Lead | None, comment: Comment) -> Lead:
    if existing is None:
        lead, created = Lead.objects.get_or_create(
            workspace=workspace,
            commenter=commenter,
            defaults={"score": comment.score, "intent": comment.intent},
        )
        if created:
            audit_record(
                action="lead.detected",
                actor=None,
                workspace=workspace,
                target=commenter.name or commenter.actor_urn,
                score=comment.score,
            )
    else:
        lead = existing
        if comment.score > lead.score:
            Lead.objects.filter(pk=lead.pk).update(score=comment.score, intent=comment.intent)
    Comment.objects.filter(pk=comment.pk).update(lead=lead)
    attribute_comment(lead=lead, comment=comment)
    return lead


def attribute_comment(*, lead: Lead, comment: Comment) -> None:
    """Credit the lead to this comment's post if it is the lead's first comment so far.

    A lead belongs to the post that brought the person in: the post of their earliest comment
    (on equal times, the one stored first). Kept on the lead so the dashboard sums leads per
    post instead of scanning comments. One conditional update, so two scans storing comments
    of the same person at once still leave the earliest."""
    if comment.post_id is None or comment.commented_at is None:
        return
    Lead.objects.filter(pk=lead.pk).filter(
        Q(first_commented_at__isnull=True) | Q(first_commented_at__gt=comment.commented_at)
    ).update(
        source_post_id=comment.post_id,
        first_commented_at=comment.commented_at,
        updated_at=timezone.now(),  # the dashboard's fingerprint notices the new credit
    )


# --- Alerts --------------------------------------------------------------------------------


def _alert_members(lead_id: int, *, workspace_id: int) -> int:
    """Alert each member whose threshold the lead reaches, once per lead and member, through
    the notification pipeline: in the app always; email, push and (for the hottest) SMS as
    they chose, unless their quiet hours or daily cap hold it (then the digest carries it).
    Returns how many members were alerted beyond the app."""
    from apps.notifications.models import Event
    from apps.notifications.services import notify

    lead = owned_for_task(Lead, workspace_id=workspace_id, pk=lead_id)
    if lead is None:
        return 0
    sent = 0
    members = (
        owned(Membership, workspace=lead.workspace)
        .filter(role__in=(Role.OWNER, Role.ADMIN, Role.EDITOR), user__is_active=True)
        .select_related("user")
    )
    who = lead.commenter.name or _("A LinkedIn member")
    for membership in members:
        user = membership.user
        row = alert_settings(lead.workspace, user)
        if lead.score < row.threshold:
            continue
        told = notify(
            workspace=lead.workspace,
            event=Event.LEAD_DETECTED,
            users=[user],
            title=_("New lead (score %(score)d): %(who)s") % {"score": lead.score, "who": who},
            body=_intent_line(lead),
            url=lead_path(lead),
            dedupe_key=f"lead:{lead.pk}",
            email_text=_alert_email_text(lead, user),
            # Nothing personal beyond the name: a text message sits on a lock screen.
            sms_text=_("Hot lead (score %(score)d) from %(who)s - open TechLead")
            % {"score": lead.score, "who": who},
            score=lead.score,
        )
        if not told:
            continue  # already alerted about this lead
        held = told[0].held_reason
        Alert.objects.get_or_create(
            workspace=lead.workspace, lead=lead, user=user, defaults={"held_reason": held}
        )
        if not held:
            sent += 1
    if sent:
        Lead.objects.filter(pk=lead.pk, alerted_at__isnull=True).update(alerted_at=timezone.now())
    return sent


def _intent_line(lead: Lead) -> str:
    from apps.leads.models import INTENT_LABELS

    label = INTENT_LABELS.get(lead.intent)
    return str(label) if label else ""


def lead_path(lead: Lead) -> str:
    return reverse("lead_detail", kwargs={"workspace_slug": lead.workspace.slug, "pk": lead.pk})


def _alert_email_text(lead: Lead, user) -> str:
    comment = (
        owned(Comment, workspace=lead.workspace)
        .filter(lead=lead)
        .order_by("-score")
        .select_related("post")
        .first()
    )
    context = {
        "lead": lead,
        "comment": comment,
        "user": user,
        "url": settings.SITE_URL.rstrip("/") + lead_path(lead),
    }
    return render_to_string("leads/email/alert.txt", context)


# --- The pipeline --------------------------------------------------------------------------


@transaction.atomic
def lead_update(
    *,
    lead: Lead,
    actor,
    status: str | None = None,
    value_eur=None,
    notes: str | None = None,
    follow_up_on=None,
    fields: set[str] = frozenset(),
) -> Lead:
    changed = {}
    if status is not None and status != lead.status:
        if status not in Lead.Status.values:
            raise LeadError(_("Unknown status."))
        changed["status"] = {"from": lead.status, "to": status}
        lead.status = status
        lead.status_changed_at = timezone.now()
    if "value_eur" in fields:
        if value_eur is not None and value_eur < 0:
            raise LeadError(_("A value cannot be negative."))
        lead.value_eur = value_eur
    if "notes" in fields:
        lead.notes = notes or ""
    if "follow_up_on" in fields:
        lead.follow_up_on = follow_up_on
    lead.save()
    if changed:
        audit_record(
            action="lead.status_changed",
            actor=actor,
            workspace=lead.workspace,
            target=lead.commenter.name or lead.commenter.actor_urn,
            **changed["status"],
        )
        events.lead_stage_changed(lead=lead, previous=changed["status"]["from"])
    return lead


@transaction.atomic
def commenter_identify(*, lead: Lead, actor, name: str, headline: str) -> Lead:
    """The consultant says who a commenter is. LinkedIn's comments API names nobody (only a
    member id); the name and headline are on the post itself. Their comments are scored
    again with the headline, so a CTO's seniority and their company count."""
    from apps.leads.classifier import Prediction
    from apps.leads.scoring import ScoreInput, score_comment

    commenter = lead.commenter
    commenter.name = name.strip()[:200]
    commenter.headline = headline.strip()[:300]
    commenter.save(update_fields=["name", "headline"])
    comments = list(
        owned(Comment, workspace=lead.workspace)
        .filter(commenter=commenter)
        .order_by("commented_at", "id")
    )
    for earlier, comment in enumerate(comments):
        breakdown = score_comment(
            ScoreInput(
                text=comment.text,
                headline=commenter.headline,
                prediction=Prediction(
                    intent=comment.intent,
                    intent_probability=comment.intent_probability,
                    lead_probability=comment.lead_probability,
                    probabilities={},
                    explanation=[tuple(pair) for pair in comment.explanation or []],
                    unsure=comment.unsure,
                    second_opinion=comment.second_opinion,
                ),
                previous_comments_by_commenter=earlier,
                existing_lead=earlier > 0,
            )
        )
        comment.score = breakdown.score
        comment.score_parts = [[label, points] for label, points in breakdown.parts]
    Comment.objects.bulk_update(comments, ["score", "score_parts"])
    if comments:
        lead.score = max(comment.score for comment in comments)
        lead.save(update_fields=["score", "updated_at"])
    audit_record(
        action="lead.identified",
        actor=actor,
        workspace=lead.workspace,
        target=commenter.name or commenter.actor_urn,
        score=lead.score,
    )
    return lead


@transaction.atomic
def feedback_record(*, comment: Comment, actor, is_lead: bool) -> Feedback:
    """ "Is a lead" / "not a lead". Stored for `leads_train`; the lead follows the answer."""
    feedback = Feedback.objects.create(
        workspace=comment.workspace,
        comment=comment,
        is_lead=is_lead,
        user=actor,
        intent="" if is_lead else "other",
    )
    # The workspace's scoring learns from the answer within minutes (a task, after commit).
    from apps.leads import tasks

    workspace_id = comment.workspace_id
    transaction.on_commit(lambda: tasks.refit_lead_calibration.delay(workspace_id))
    if is_lead and comment.lead_id is None:
        lead = _lead_for(
            comment.workspace,
            comment.commenter,
            owned(Lead, workspace=comment.workspace).filter(commenter=comment.commenter).first(),
            comment,
        )
        comment.lead = lead
    elif not is_lead and comment.lead_id:
        Lead.objects.filter(pk=comment.lead_id).update(
            status=Lead.Status.NOT_A_LEAD,
            status_changed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return feedback


def calibration_refit(*, workspace) -> LeadCalibration:
    """Refit the workspace's lead calibration from all its answers (idempotent: the same
    answers give the same offset). The model runs before the transaction, not inside it."""
    from apps.leads.classifier import get_model
    from apps.leads.feedback import fit_offset

    answers = list(
        owned(Feedback, workspace=workspace).order_by("pk").values_list("comment__text", "is_lead")
    )
    probabilities = get_model().predict_many([text for text, _ in answers], explain=False)
    offset = fit_offset(
        [
            (p.lead_probability, is_lead)
            for p, (_, is_lead) in zip(probabilities, answers, strict=True)
        ]
    )
    with transaction.atomic():
        calibration, _created = LeadCalibration.objects.update_or_create(
            workspace=workspace,
            defaults={"offset": offset, "answers": len(answers), "updated_at": timezone.now()},
        )
    return calibration


REPLY_IN_FLIGHT = timedelta(minutes=2)


def reply_on_linkedin(*, comment: Comment, actor, text: str) -> Comment:
    """Post a reply under the comment, as the connected member.

    Never inside a transaction: the intent is recorded (the comment is claimed, so a double
    click or a second tab cannot post the reply twice), LinkedIn is called with nothing
    held, and the outcome is recorded in a transaction of its own.

    A reply is a nested comment under the top-level comment (LinkedIn threads are two levels
    deep), so it needs that comment's LinkedIn URN: only comments read through the API have
    one; e-mailed, pasted and uploaded comments are answered on LinkedIn itself."""
    from apps.linkedin import client as linkedin
    from apps.linkedin.selectors import connection_for

    text = text.strip()
    if not text:
        raise LeadError(_("Write a reply first."))
    if comment.post is None or not comment.post.linkedin_urn:
        raise LeadError(
            _(
                "This comment was imported, so it cannot be answered from here. "
                "Reply on LinkedIn directly."
            )
        )
    thread = comment.parent_urn or comment.urn
    if not thread.startswith("urn:li:comment:"):
        raise LeadError(
            _(
                "LinkedIn did not give us this comment's ID, so the reply cannot be posted "
                "under it from here. Copy the reply and answer on LinkedIn directly."
            )
        )
    # Each step is a short transaction of its own that names the workspace to the database;
    # the LinkedIn call between them holds nothing.
    workspace_id, actor_id = comment.workspace_id, getattr(actor, "pk", None)
    with workspace_atomic(workspace_id, user_id=actor_id):
        connection = connection_for(workspace=comment.workspace)
        if connection is None or not connection.is_usable:
            raise LeadError(_("Connect LinkedIn to reply from here."))
        # The intent: "replying" is replied_at set a moment ago with no reply URN yet (a
        # reply whose worker died is let go after the LinkedIn timeout has surely passed).
        started = timezone.now()
        in_flight = Q(replied_at__gte=started - REPLY_IN_FLIGHT, reply_urn="")
        claimed = (
            owned(Comment, workspace=comment.workspace)
            .filter(pk=comment.pk)
            .exclude(in_flight)
            .update(replied_at=started, reply_urn="")
        )
    if not claimed:
        raise LeadError(_("A reply to this comment is being posted. Reload in a moment."))
    try:
        answer = linkedin.LinkedInClient(connection.access_token).create_comment(
            comment.post.linkedin_urn, connection.member_urn, text, parent_comment_urn=thread
        )
    except linkedin.LinkedInError as error:
        # Not taken: the claim is let go, so the person can try again.
        with workspace_atomic(workspace_id, user_id=actor_id):
            owned(Comment, workspace=comment.workspace).filter(
                pk=comment.pk, replied_at=started, reply_urn=""
            ).update(replied_at=None)
        raise LeadError(
            _("LinkedIn did not take the reply: %(error)s") % {"error": error}
        ) from error
    with workspace_atomic(workspace_id, user_id=actor_id):
        comment.reply_urn = str((answer or {}).get("$URN") or (answer or {}).get("id") or "")[:200]
        comment.replied_at = timezone.now()
        comment.reply_text = text
        comment.save(update_fields=["reply_urn", "replied_at", "reply_text"])
        if comment.lead_id and comment.lead.status == Lead.Status.NEW:
            lead_update(lead=comment.lead, actor=actor, status=Lead.Status.CONTACTED)
        audit_record(
            action="lead.replied",
            actor=actor,
            workspace=comment.workspace,
            target=comment.commenter.name or comment.commenter.actor_urn,
        )
    return comment


# --- Commenter data: retention, export, erasure --------------------------------------------


def purge_expired_commenters(*, now=None) -> int:
    """Delete commenters (with their comments and leads) not seen for longer than their
    workspace's retention period. Safe to run twice."""
    with across_workspaces(reason="daily retention over every workspace"):
        now = now or timezone.now()
        removed = 0
        for rules in LeadSettings.objects.select_related("workspace"):
            cutoff = now - timedelta(days=rules.retention_days)
            deleted, _detail = (
                owned(Commenter, workspace=rules.workspace).filter(last_seen_at__lt=cutoff).delete()
            )
            removed += deleted
        return removed


def commenter_export(*, commenter: Commenter) -> dict:
    """Everything stored about one commenter, for a data request."""
    comments = owned(Comment, workspace=commenter.workspace).filter(commenter=commenter)
    leads = owned(Lead, workspace=commenter.workspace).filter(commenter=commenter)
    return {
        "commenter": {
            "linkedin_urn": commenter.actor_urn,
            "name": commenter.name,
            "headline": commenter.headline,
            "first_seen_at": commenter.first_seen_at.isoformat(),
            "last_seen_at": commenter.last_seen_at.isoformat(),
        },
        "comments": [
            {
                "text": c.text,
                "commented_at": c.commented_at.isoformat(),
                "intent": c.intent,
                "score": c.score,
                "source": c.source,
            }
            for c in comments
        ],
        "leads": [
            {
                "status": lead.status,
                "value_eur": str(lead.value_eur or ""),
                "notes": lead.notes,
                "created_at": lead.created_at.isoformat(),
            }
            for lead in leads
        ],
    }


@transaction.atomic
def commenter_erase(*, commenter: Commenter, actor) -> None:
    audit_record(
        action="commenter.erased",
        actor=actor,
        workspace=commenter.workspace,
        target=f"commenter {commenter.pk}",
    )
    commenter.delete()
