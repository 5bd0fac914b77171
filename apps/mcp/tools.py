"""What an assistant can do, one function per MCP tool. Each takes the caller (a Principal)
and plain arguments, and goes through the same services, selectors, serializers and role
rules as the REST API (apps/api/*_api.py): a tool is the API's endpoint without HTTP.

Roles are the API's: viewers read, editors draft, revise and submit for review, owners and
admins approve and schedule. Approval stays human unless the token's role may approve: the
content service itself refuses an editor, whatever asked."""

from decimal import Decimal

from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404
from apps.analytics import selectors as analytics_selectors
from apps.api.content_api import PUBLISHING_ROLE_MESSAGE, valid
from apps.api.serializers import (
    AnalyticsQuerySerializer,
    LeadDetailSerializer,
    LeadSerializer,
    LeadUpdateSerializer,
    NotificationSerializer,
    PostingSlotSerializer,
    PostSerializer,
    PostTemplateSerializer,
    PostWriteSerializer,
    ScheduleSerializer,
)
from apps.content import drafting, scheduling
from apps.content import selectors as content_selectors
from apps.content import services as content_services
from apps.content.linter import lint_post
from apps.content.models import DraftingJob, Framework, Post
from apps.leads import selectors as lead_selectors
from apps.leads import services as lead_services
from apps.leads.models import Lead
from apps.mcp.access import Principal
from apps.notifications import selectors as notification_selectors

MAX_LIST = 100
MAX_DRAFTS = 5


class ToolRefused(Exception):
    """A call the rules refuse or the input does not allow; the message is for the model."""


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIST))


def _post(principal: Principal, post_id: int) -> Post:
    return get_owned_or_404(
        Post.objects.select_related("author", "approved_by"),
        workspace=principal.workspace,
        pk=post_id,
    )


def _lead(principal: Principal, lead_id: int) -> Lead:
    lead = get_owned_or_404(
        Lead.objects.select_related("commenter", "workspace"),
        workspace=principal.workspace,
        pk=lead_id,
    )
    lead.api_comments = list(lead_selectors.lead_comments(lead=lead))
    return lead


def _run(service, **kwargs):
    try:
        return service(**kwargs)
    except content_services.ContentError as error:  # NotAllowed is one too
        raise ToolRefused(str(error)) from None


# --- Posts ---------------------------------------------------------------------------------


def list_posts(principal: Principal, *, status: str = "", limit: int = 20) -> dict:
    if status and status not in Post.Status.values:
        raise ToolRefused(
            _("Unknown status. Use one of: %(choices)s")
            % {"choices": ", ".join(Post.Status.values)}
        )
    posts = content_selectors.posts_in(workspace=principal.workspace, status=status or None)
    posts = posts.select_related("author", "approved_by").order_by("-updated_at", "-id")
    return {"posts": PostSerializer(posts[: _limit(limit)], many=True).data}


def read_post(principal: Principal, *, post_id: int) -> dict:
    return PostSerializer(_post(principal, post_id)).data


def draft_posts(
    principal: Principal, *, topic: str = "", framework: str = "", count: int = 1
) -> dict:
    principal.require_role(Role.EDITOR)
    if not 1 <= count <= MAX_DRAFTS:
        raise ToolRefused(_("Draft between 1 and %(max)s posts at a time.") % {"max": MAX_DRAFTS})
    if framework and framework not in Framework.values:
        raise ToolRefused(
            _("Unknown framework. Use one of: %(choices)s")
            % {"choices": ", ".join(Framework.values)}
        )
    # The web's drafting jobs (apps/content/drafting.py), one per draft: every tool call runs
    # in a transaction, and the model is never asked inside one. With the model a worker
    # writes them after this call commits (drafting_status tells how far it got); the
    # template engine calls nothing outside and writes them here.
    jobs = [
        _run(
            drafting.drafting_job_start,
            workspace=principal.workspace,
            author=principal.user,
            kind=DraftingJob.Kind.ONE,
            topic=topic,
            framework=framework,
        )
        for _n in range(count)
    ]
    for job in jobs:
        if drafting.model_writes():
            drafting.enqueue_on_commit(job)
        else:
            drafting.drafting_job_run(job_id=job.pk, workspace_id=job.workspace_id)
    return _drafting(principal, jobs)


def drafting_status(principal: Principal, *, job_ids: list[int]) -> dict:
    """How far draft_posts' jobs have got, and the drafts they wrote so far."""
    if not 1 <= len(job_ids) <= MAX_LIST:
        raise ToolRefused(_("Give the job ids draft_posts returned."))
    jobs = [get_owned_or_404(DraftingJob, workspace=principal.workspace, pk=pk) for pk in job_ids]
    return _drafting(principal, jobs)


def _drafting(principal: Principal, jobs: list[DraftingJob]) -> dict:
    posts, states = [], []
    for job in jobs:
        job.refresh_from_db()
        written = list(
            content_selectors.drafting_job_posts(
                workspace=principal.workspace, job=job
            ).select_related("author", "approved_by")
        )
        posts.extend(written)
        states.append(
            {
                "id": job.pk,
                "state": job.state,
                "error": str(job.get_error_display()) if job.error else "",
                "post_ids": [post.pk for post in written],
            }
        )
    finished = all(job.state in (DraftingJob.State.DONE, DraftingJob.State.FAILED) for job in jobs)
    return {
        "done": finished,
        "jobs": states,
        "posts": PostSerializer(posts, many=True).data,
        "message": ""
        if finished
        else _("The drafts are being written. Ask drafting_status with these job ids."),
    }


def revise_post(
    principal: Principal, *, post_id: int, text: str, first_comment: str | None = None
) -> dict:
    principal.require_role(Role.EDITOR)
    post = _post(principal, post_id)
    data = {
        "text": text,
        "first_comment": post.first_comment if first_comment is None else first_comment,
    }
    data = valid(PostWriteSerializer, data)
    post = _run(
        content_services.post_save,
        post=post,
        actor=principal.user,
        text=data["text"],
        first_comment=data["first_comment"],
    )
    return PostSerializer(post).data


def submit_post_for_review(principal: Principal, *, post_id: int) -> dict:
    principal.require_role(Role.EDITOR)
    post = _run(
        content_services.post_submit_for_review,
        post=_post(principal, post_id),
        actor=principal.user,
    )
    return PostSerializer(post).data


def approve_post(principal: Principal, *, post_id: int) -> dict:
    # The service checks the (token-limited) membership: an editor's token is refused there.
    post = _run(
        content_services.post_approve,
        post=_post(principal, post_id),
        membership=principal.membership,
    )
    return PostSerializer(post).data


def lint_text(principal: Principal, *, text: str) -> dict:
    earlier = content_selectors.earlier_posts_index(workspace=principal.workspace)
    # The same reader checks as the editor: figures the workspace's own material supports.
    facts = content_selectors.lint_facts(workspace=principal.workspace)
    result = lint_post(text, earlier_posts=earlier, facts=facts)
    return {
        "score": result.score,
        "length": result.length,
        "escaped_length": result.escaped_length,
        "hook": result.hook,
        "has_errors": result.has_errors,
        "similarity_to_earlier_post": round(result.similarity, 3),
        "findings": [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "fix": f.fix}
            for f in result.findings
        ],
    }


def schedule_post(principal: Principal, *, post_id: int, at: str = "") -> dict:
    principal.require_role(Role.ADMIN, PUBLISHING_ROLE_MESSAGE)
    post = _post(principal, post_id)
    data = valid(ScheduleSerializer, {"at": at} if at else {})
    if data.get("at"):
        post = _run(scheduling.post_schedule, post=post, at=data["at"], actor=principal.user)
    else:
        post = _run(scheduling.post_add_to_queue, post=post, actor=principal.user)
    return PostSerializer(post).data


def propose_time(principal: Principal) -> dict:
    when = scheduling.next_free_slot(workspace=principal.workspace)
    if when is None:
        return {
            "at": None,
            "message": _(
                "There is no free posting slot. Add weekly slots in Settings, "
                "or pick a date and time."
            ),
        }
    return {"at": when.isoformat(), "timezone": principal.workspace.timezone}


def list_posting_slots(principal: Principal) -> dict:
    slots = content_selectors.posting_slots(workspace=principal.workspace)
    return {
        "timezone": principal.workspace.timezone,
        "slots": PostingSlotSerializer(slots, many=True).data,
    }


# --- Leads ---------------------------------------------------------------------------------


def list_leads(
    principal: Principal, *, status: str = "", min_score: int = 0, limit: int = 20
) -> dict:
    if status and status not in Lead.Status.values:
        raise ToolRefused(
            _("Unknown status. Use one of: %(choices)s")
            % {"choices": ", ".join(Lead.Status.values)}
        )
    leads = lead_selectors.leads_inbox(
        workspace=principal.workspace, status=status or None, min_score=min_score or None
    )
    return {
        "leads": LeadSerializer(leads.order_by("-score", "-id")[: _limit(limit)], many=True).data
    }


def read_lead(principal: Principal, *, lead_id: int) -> dict:
    return LeadDetailSerializer(_lead(principal, lead_id)).data


def update_lead(
    principal: Principal,
    *,
    lead_id: int,
    status: str | None = None,
    value_eur: Decimal | None = None,
    notes: str | None = None,
) -> dict:
    principal.require_role(Role.EDITOR)
    lead = _lead(principal, lead_id)
    given = {
        name: value
        for name, value in (
            ("status", status),
            ("value_eur", None if value_eur is None else str(value_eur)),
            ("notes", notes),
        )
        if value is not None
    }
    if not given:
        raise ToolRefused(_("Give a status, a value or a note to change."))
    data = valid(LeadUpdateSerializer, given)
    try:
        lead_services.lead_update(lead=lead, actor=principal.user, fields=set(data), **data)
    except lead_services.LeadError as error:
        raise ToolRefused(str(error)) from None
    return LeadDetailSerializer(lead).data


# --- Analytics and notifications -----------------------------------------------------------


def analytics_summary(principal: Principal, *, days: int = 30) -> dict:
    days = valid(AnalyticsQuerySerializer, {"days": days})["days"]
    data = analytics_selectors.dashboard(workspace=principal.workspace, days=days)
    return {
        "days": data.days,
        "start": data.start.isoformat(),
        "end": data.end.isoformat(),
        "figures": data.figures,
        "previous": data.previous,
        "deltas": data.deltas,
        "funnel": [{**stage, "label": str(stage["label"])} for stage in data.funnel],
        "top_posts": [
            {
                "id": post["id"],
                "hook": post["hook"],
                "impressions": post["impressions"],
                "leads": post["leads"],
            }
            for post in data.top_posts
        ],
    }


def list_notifications(principal: Principal, *, unread_only: bool = False, limit: int = 20) -> dict:
    notifications = notification_selectors.notifications_for(
        workspace=principal.workspace, user=principal.user, limit=MAX_LIST
    )
    if unread_only:
        notifications = [n for n in notifications if n.read_at is None]
    return {
        "notifications": NotificationSerializer(
            list(notifications)[: _limit(limit)], many=True
        ).data
    }


# --- Resources and prompts -----------------------------------------------------------------


def expertise_profile(principal: Principal) -> dict:
    profile = content_selectors.profile_for(workspace=principal.workspace, user=principal.user)
    return model_to_dict(profile, exclude=["id", "workspace", "user"])


def template_library(principal: Principal) -> dict:
    templates = content_selectors.templates_for(workspace=principal.workspace).order_by(
        "framework", "name", "id"
    )
    return {"templates": PostTemplateSerializer(templates, many=True).data}


def lead_for_prompt(principal: Principal, *, lead_id: int) -> dict:
    return read_lead(principal, lead_id=lead_id)
