"""The Content page, the editor with live lint, review and approval, CSV import."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, require_role, workspace_view
from apps.content import drafting, publishing, scheduling, selectors, services
from apps.content.besttime import heatmap_rows
from apps.content.facts import find_gaps
from apps.content.forms import (
    GenerateForm,
    ImportForm,
    NeedsCheckForm,
    PlanWeekForm,
    PostForm,
    ScheduleForm,
    SendBackForm,
    SlotForm,
)
from apps.content.linter import lint_post
from apps.content.models import DraftingJob, Post, PostingSlot, PostVersion
from apps.core.http import client_ip
from apps.media.selectors import images_without_alt

LIST_TABS = ("draft", "in_review", "approved", "archived")


def _post_or_404(request, pk) -> Post:
    return get_owned_or_404(
        Post.objects.select_related("author", "approved_by", "template"),
        workspace=request.workspace,
        pk=pk,
    )


def _forbidden(request, message: str) -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


@workspace_view()
def content_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "draft")
    if tab not in LIST_TABS:
        tab = "draft"
    if tab == "archived":
        posts = selectors.posts_in(workspace=request.workspace, archived=True)
    else:
        posts = selectors.posts_in(workspace=request.workspace, status=tab)
    template = "content/content_list.html"
    if request.htmx:
        template += "#post-list"
    return render(
        request,
        template,
        {
            "tab": tab,
            "posts": posts[:100],
            "counts": selectors.status_counts(workspace=request.workspace),
            "generate_form": GenerateForm(),
            "plan_form": PlanWeekForm(),
            "evergreen": selectors.evergreen_candidates(workspace=request.workspace),
            "can_write": request.membership.has_role(Role.EDITOR),
        },
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a framework from the list."))
        return redirect("content", workspace_slug=request.workspace.slug)
    try:
        job = drafting.drafting_job_start(
            workspace=request.workspace,
            author=request.user,
            kind=DraftingJob.Kind.ONE,
            topic=form.cleaned_data["topic"],
            framework=form.cleaned_data["framework"],
        )
    except services.ContentError as error:
        messages.error(request, str(error))
        return redirect("content", workspace_slug=request.workspace.slug)
    return _write_drafts(request, job)


def _write_drafts(request, job: DraftingJob) -> HttpResponse:
    """The model's drafts are a worker's job, enqueued when this request's transaction
    commits; the page shows them as they arrive. The template engine calls nothing outside
    and takes milliseconds, so it writes them here, and one draft opens in the editor."""
    if drafting.model_writes():
        drafting.enqueue_on_commit(job)
    else:
        drafting.drafting_job_run(job_id=job.pk, workspace_id=job.workspace_id)
        job.refresh_from_db()
        post = _only_draft(request, job)
        if post is not None:
            _say_how_it_was_written(request, post)
            return redirect("post_edit", workspace_slug=request.workspace.slug, pk=post.pk)
    return redirect("drafting_job", workspace_slug=request.workspace.slug, pk=job.pk)


def _only_draft(request, job: DraftingJob) -> Post | None:
    """The draft of a finished one-draft job (it opens in the editor), else None."""
    if job.kind == DraftingJob.Kind.WEEK or job.state != DraftingJob.State.DONE:
        return None
    return selectors.drafting_job_posts(workspace=request.workspace, job=job).first()


def _say_how_it_was_written(request, post: Post) -> None:
    if post.generation_note:
        messages.warning(request, post.generation_note)
    else:
        messages.success(request, _("A fresh draft. Make it yours, then send it for review."))


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_plan_week(request: HttpRequest) -> HttpResponse:
    form = PlanWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Plan between 1 and 14 posts at a time."))
        return redirect("content", workspace_slug=request.workspace.slug)
    if not selectors.profile_for(workspace=request.workspace, user=request.user).is_complete:
        # Written from an empty profile, a week of drafts is generic filler the consultant
        # deletes; ask for what the posts are written from instead.
        messages.warning(
            request,
            _(
                "Describe your expertise first: a headline, your areas and your offers. A week "
                "of drafts is written from them."
            ),
        )
        return redirect("profile", workspace_slug=request.workspace.slug)
    try:
        job = drafting.drafting_job_start(
            workspace=request.workspace,
            author=request.user,
            kind=DraftingJob.Kind.WEEK,
            count=form.cleaned_data["count"],
        )
    except services.ContentError as error:
        # Only a deployment that never loaded the template library gets here.
        messages.error(request, str(error))
        return redirect("content", workspace_slug=request.workspace.slug)
    return _write_drafts(request, job)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def drafting_job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_owned_or_404(DraftingJob, workspace=request.workspace, pk=pk)
    if not drafting.drafting_job_resume(job=job):
        return redirect("drafting_job", workspace_slug=request.workspace.slug, pk=job.pk)
    return _write_drafts(request, job)


@workspace_view(min_role=Role.EDITOR)
def drafting_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel of a drafting job; htmx asks for it every second until the job is
    finished. A one-draft job that is done opens its draft in the editor."""
    job = get_owned_or_404(DraftingJob, workspace=request.workspace, pk=pk)
    post = _only_draft(request, job)
    if post is not None:
        _say_how_it_was_written(request, post)
        url = reverse("post_edit", kwargs={"workspace_slug": request.workspace.slug, "pk": post.pk})
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": url})
        return redirect(url)
    template = "content/drafting_job.html"
    if request.htmx:
        template += "#drafting-panel"
    now = timezone.now()
    return render(
        request,
        template,
        {
            "job": job,
            "posts": list(selectors.drafting_job_posts(workspace=request.workspace, job=job)),
            "waiting_long": job.state == DraftingJob.State.QUEUED
            and now - job.created_at > drafting.WORKER_EXPECTED_WITHIN,
            # Its worker died: a redelivered task (or a restarted worker) takes it over.
            "gone_quiet": job.state == DraftingJob.State.RUNNING
            and job.heartbeat_at is not None
            and now - job.heartbeat_at > drafting.LEASE,
        },
    )


@workspace_view(min_role=Role.EDITOR)
def post_new(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create_manual(
                workspace=request.workspace, author=request.user, **form.cleaned_data
            )
        except services.ContentError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("post_edit", workspace_slug=request.workspace.slug, pk=post.pk)
    text = form.data.get("text", "")
    lint = lint_post(text, facts=_facts(request, None)) if form.is_bound else None
    return render(
        request,
        "content/post_edit.html",
        {
            "form": form,
            "post": None,
            "lint": lint,
            "gaps": find_gaps(form.data.get("text", "")),
            "can_write": True,
        },
        status=400 if form.is_bound else 200,
    )


def _earlier(request, post: Post | None):
    return selectors.earlier_posts_index(
        workspace=request.workspace, exclude_pk=post.pk if post else None
    )


def _facts(request, post: Post | None):
    return selectors.lint_facts(workspace=request.workspace, topic=post.topic if post else "")


@workspace_view()
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    can_write = request.membership.has_role(Role.EDITOR)
    form = PostForm(
        request.POST or None, initial={"text": post.text, "first_comment": post.first_comment}
    )
    status = 200
    if request.method == "POST":
        if not can_write:
            return _forbidden(request, _("Viewers can read posts but not change them."))
        if form.is_valid():
            try:
                services.post_save(post=post, actor=request.user, **form.cleaned_data)
            except services.ContentError as error:
                form.add_error("text", str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("post_edit", workspace_slug=request.workspace.slug, pk=post.pk)
        status = 400
    text = form.data.get("text", post.text) if form.is_bound else post.text
    return render(
        request,
        "content/post_edit.html",
        {
            "post": post,
            "form": form,
            "can_write": can_write,
            "can_approve": request.membership.has_role(Role.ADMIN),
            "lint": lint_post(
                text,
                earlier_posts=_earlier(request, post),
                facts=_facts(request, post),
                images_without_alt=images_without_alt(workspace=request.workspace, post=post),
            ),
            "gaps": find_gaps(text),
            "notices": selectors.draft_notices(workspace=request.workspace, post=post)
            if post.is_editable
            else [],
            "versions": selectors.post_versions(post=post)[:20],
            "send_back_form": SendBackForm(),
            "schedule_form": ScheduleForm(),
            "next_slot": scheduling.next_free_slot(workspace=request.workspace)
            if post.status == Post.Status.APPROVED
            else None,
            "going_out_now": _going_out_now(post),
        },
        status=status,
    )


def _going_out_now(post: Post) -> bool:
    """Publishing, or due within two minutes: the page then checks back by itself, so the
    consultant watching it sees "Published" without reloading."""
    if post.status == Post.Status.PUBLISHING:
        return True
    soon = timezone.now() + timedelta(minutes=2)
    return (
        post.status == Post.Status.SCHEDULED
        and bool(post.scheduled_at)
        and post.scheduled_at <= soon
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_lint(request: HttpRequest) -> HttpResponse:
    """The live checker: the editor posts its text here as the user types (debounced)."""
    post = None
    if request.POST.get("post"):
        post = _post_or_404(request, request.POST.get("post"))
    text = request.POST.get("text", "")
    lint = lint_post(
        text,
        earlier_posts=_earlier(request, post),
        facts=_facts(request, post),
        images_without_alt=images_without_alt(workspace=request.workspace, post=post),
    )
    return render(
        request,
        "content/post_edit.html#lint-panel",
        {"lint": lint, "post": post, "gaps": find_gaps(text)},
    )


def _post_action(request, pk, action, success_message):
    post = _post_or_404(request, pk)
    try:
        action(post)
    except services.NotAllowed as error:
        return _forbidden(request, str(error))
    except services.ContentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success_message)
    return redirect("post_edit", workspace_slug=request.workspace.slug, pk=post.pk)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: services.post_submit_for_review(
            post=post, actor=request.user, ip_address=client_ip(request)
        ),
        _("Sent for review. Owners and admins got an email with a one-click approval."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: services.post_approve(
            post=post, membership=request.membership, ip_address=client_ip(request)
        ),
        _("Approved. It is ready to be scheduled."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    form = SendBackForm(request.POST)
    comment = form.data.get("comment", "")
    return _post_action(
        request,
        pk,
        lambda post: services.post_send_back(
            post=post, membership=request.membership, comment=comment, ip_address=client_ip(request)
        ),
        _("Sent back to draft with your comment."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: services.post_archive(post=post, actor=request.user),
        _("Archived."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: services.post_unarchive(post=post, actor=request.user),
        _("Restored from the archive."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_generate_similar(request: HttpRequest, pk: int) -> HttpResponse:
    source = _post_or_404(request, pk)
    try:
        job = drafting.drafting_job_start(
            workspace=request.workspace,
            author=request.user,
            kind=DraftingJob.Kind.SIMILAR,
            similar_to=source,
        )
    except services.ContentError as error:
        messages.error(request, str(error))
        return redirect("post_edit", workspace_slug=request.workspace.slug, pk=source.pk)
    return _write_drafts(request, job)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_save_as_template(request: HttpRequest, pk: int) -> HttpResponse:
    name = request.POST.get("name", "")
    return _post_action(
        request,
        pk,
        lambda post: services.template_save_from_post(post=post, actor=request.user, name=name),
        _("Saved as one of your templates. New drafts may now be written from it."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_restore_version(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    version = get_owned_or_404(PostVersion, workspace=request.workspace, pk=version_pk, post=post)
    return _post_action(
        request,
        pk,
        lambda p: services.post_restore_version(post=p, version=version, actor=request.user),
        _("That version is back."),
    )


@workspace_view(min_role=Role.EDITOR)
def post_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    rows, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            csv_text = form.cleaned_data["csv_text"]
            try:
                if request.POST.get("confirm"):
                    posts = services.posts_import(
                        workspace=request.workspace, author=request.user, csv_text=csv_text
                    )
                    messages.success(request, _("%(n)d drafts imported.") % {"n": len(posts)})
                    return redirect("content", workspace_slug=request.workspace.slug)
                rows = services.posts_import_preview(csv_text=csv_text)
                form = ImportForm(initial={"csv_text": csv_text})
            except services.ContentError as error:
                form.add_error(None, str(error))
                status = 400
        else:
            status = 400
    return render(
        request,
        "content/post_import.html",
        {
            "form": form,
            "rows": rows,
            "has_errors": bool(rows and any(row.errors for row in rows)),
        },
        status=status,
    )


@login_required
def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link from a review email. The signed token is the key; the signed-in
    user must be the approver it was sent to."""
    if request.method == "POST":
        try:
            post = services.approval_link_use(
                token=token, user=request.user, ip_address=client_ip(request)
            )
        except services.ContentError as error:
            messages.error(request, str(error))
            return redirect("approval_link", token=token)
        messages.success(request, _("Approved. It is ready to be scheduled."))
        return redirect("post_edit", workspace_slug=post.workspace.slug, pk=post.pk)
    check = services.approval_link_check(token=token, user=request.user)
    return render(
        request,
        "content/approval_link.html",
        {
            "check": check,
            "post": check.link.post if check.link else None,
            "lint": lint_post(
                check.link.post.text,
                facts=selectors.lint_facts(
                    workspace=check.link.post.workspace, topic=check.link.post.topic
                ),
            )
            if check.link
            else None,
        },
        status=200 if check.link else 400,
    )


# --- Scheduling ----------------------------------------------------------------------------


@workspace_view(min_role=Role.ADMIN)
@require_POST
def post_queue(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: scheduling.post_add_to_queue(post=post, actor=request.user),
        _("Queued for the next free slot."),
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def post_schedule_at(request: HttpRequest, pk: int) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        # The field's own words where it has them (a time the clocks skip or repeat).
        errors = form.errors.get("at") or [_("Enter a date and time.")]
        messages.error(request, errors[0])
        return redirect("post_edit", workspace_slug=request.workspace.slug, pk=pk)
    return _post_action(
        request,
        pk,
        lambda post: scheduling.post_schedule(
            post=post, at=form.cleaned_data["at"], actor=request.user
        ),
        _("Scheduled."),
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def post_publish_now(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: scheduling.post_publish_now(post=post, actor=request.user),
        _("Publishing within a minute."),
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def post_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda post: scheduling.post_unschedule(post=post, actor=request.user),
        _("Unscheduled; the post is approved and waiting."),
    )


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_resolve_check(request: HttpRequest, pk: int) -> HttpResponse:
    form = NeedsCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the post appeared on LinkedIn."))
        return redirect("post_edit", workspace_slug=request.workspace.slug, pk=pk)
    appeared = form.cleaned_data["appeared"]
    return _post_action(
        request,
        pk,
        lambda post: publishing.resolve_needs_check(
            post=post, appeared=appeared, actor=request.user, url=form.cleaned_data["url"]
        ),
        _("Thanks. Marked as published.") if appeared else _("Queued to publish again."),
    )


@workspace_view()
def posting_slots(request: HttpRequest) -> HttpResponse:
    form = SlotForm(request.POST or None)
    if request.method == "POST":
        require_role(request.membership, Role.ADMIN)
        if form.is_valid():
            try:
                scheduling.slot_add(
                    workspace=request.workspace, actor=request.user, **form.cleaned_data
                )
            except services.ContentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Slot added."))
                return redirect("posting_slots", workspace_slug=request.workspace.slug)
    slots = list(selectors.posting_slots(workspace=request.workspace))
    model = selectors.best_time_model(workspace=request.workspace)
    from django.utils import timezone as dj_timezone

    week = dj_timezone.now().isocalendar()
    suggestions = model.suggest(
        5,
        seed=request.workspace.pk * 100 + week.week,
        exclude=[(s.weekday, s.local_time.hour) for s in slots],
    )
    return render(
        request,
        "content/posting_slots.html",
        {
            "slots": slots,
            "form": form,
            "heatmap": heatmap_rows(model),
            "suggestions": [
                {"weekday": d, "hour": h, "label": _slot_label(d, h)} for d, h in suggestions
            ],
            "can_manage": request.membership.has_role(Role.ADMIN),
        },
        status=400 if form.errors else 200,
    )


def _slot_label(weekday: int, hour: int) -> str:
    from django.utils.dates import WEEKDAYS

    return f"{WEEKDAYS[weekday]} {hour:02d}:00"


@workspace_view(min_role=Role.ADMIN)
@require_POST
def posting_slot_add_suggested(request: HttpRequest) -> HttpResponse:
    import datetime as dt

    form = SlotForm(
        {
            "weekday": request.POST.get("weekday"),
            # The form validates the hour: "abc" or "25" is refused there, not a crash here.
            "local_time": f"{request.POST.get('hour', '9')}:00",
        }
    )
    if form.is_valid():
        try:
            scheduling.slot_add(
                workspace=request.workspace,
                actor=request.user,
                weekday=form.cleaned_data["weekday"],
                local_time=dt.time(form.cleaned_data["local_time"].hour),
            )
            messages.success(request, _("Slot added."))
        except services.ContentError as error:
            messages.error(request, str(error))
    return redirect("posting_slots", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def posting_slot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_owned_or_404(PostingSlot, workspace=request.workspace, pk=pk)
    scheduling.slot_remove(slot=slot, actor=request.user)
    messages.success(request, _("Slot removed."))
    return redirect("posting_slots", workspace_slug=request.workspace.slug)


@workspace_view()
def health(request: HttpRequest) -> HttpResponse:
    return render(
        request, "content/health.html", selectors.workspace_health(workspace=request.workspace)
    )


@staff_member_required
def staff_health(request: HttpRequest) -> HttpResponse:
    from apps.core.selectors import database_role_warning, heartbeat_age_seconds

    return render(
        request,
        "content/staff_health.html",
        {
            "rows": selectors.publishing_health_across_workspaces(),
            "dispatcher_age": heartbeat_age_seconds("dispatcher"),
            "beat_age": heartbeat_age_seconds("beat"),
            "role_warning": database_role_warning(),
        },
    )
