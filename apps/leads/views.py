"""The lead inbox, a lead's page, replies, feedback and the pipeline."""

import time
from datetime import UTC, datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, workspace_atomic, workspace_view
from apps.leads import selectors, services
from apps.leads.forms import IdentifyForm, LeadForm, ReplyForm
from apps.leads.models import Comment, Lead
from apps.leads.replies import suggested_reply


@workspace_view()
def lead_inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Lead.Status.values:
        status = None
    sort = request.GET.get("sort", "score")
    leads = list(
        selectors.leads_inbox(
            workspace=request.workspace,
            status=status,
            intent=request.GET.get("intent") or None,
            sort=sort,
        )[:200]
    )
    best = selectors.best_comments(workspace=request.workspace, leads=leads)
    for lead in leads:
        lead.best_comment = best.get(lead.pk)
    template = "leads/lead_inbox.html"
    if request.htmx:
        template += "#lead-table"
    return render(
        request,
        template,
        {
            "leads": leads,
            "status": status,
            "sort": sort,
            "pipeline": selectors.pipeline(workspace=request.workspace),
            "reading_permitted": selectors.reading_permitted(workspace=request.workspace),
            "unsure": [] if status else selectors.unsure_comments(workspace=request.workspace),
            "calibration": selectors.lead_calibration(workspace=request.workspace),
            "statuses": Lead.Status.choices,
            "opened_at": int(time.time()),
        },
    )


@workspace_view()
def leads_fresh(request: HttpRequest) -> HttpResponse:
    """Polled by the open inbox: how many leads arrived since it was opened. It says so and
    offers to show them rather than reshuffling the list under someone's cursor."""
    try:
        since = datetime.fromtimestamp(int(request.GET.get("since", "")), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return HttpResponse(status=400)
    count = selectors.leads_arrived_since(workspace=request.workspace, since=since)
    return render(request, "leads/lead_inbox.html#fresh-leads", {"fresh": count})


def _lead_or_404(request, pk) -> Lead:
    return get_owned_or_404(
        Lead.objects.select_related("commenter"), workspace=request.workspace, pk=pk
    )


@workspace_view()
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    can_write = request.membership.has_role(Role.EDITOR)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST":
        if not can_write:
            return render(request, "403.html", status=403)
        if form.is_valid():
            services.lead_update(
                lead=lead,
                actor=request.user,
                status=form.cleaned_data["status"],
                value_eur=form.cleaned_data["value_eur"],
                notes=form.cleaned_data["notes"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                fields={"value_eur", "notes", "follow_up_on"},
            )
            if request.htmx:
                return render(
                    request,
                    "leads/lead_detail.html#lead-form",
                    {
                        "lead": lead,
                        "form": LeadForm(instance=lead),
                        "saved": True,
                        "can_write": can_write,
                    },
                )
            messages.success(request, _("Lead saved."))
            return redirect("lead_detail", workspace_slug=request.workspace.slug, pk=lead.pk)
        lead.refresh_from_db()
        if request.htmx:
            return render(
                request,
                "leads/lead_detail.html#lead-form",
                {"lead": lead, "form": form, "can_write": can_write},
            )
    return _lead_page(request, lead, form=form, can_write=can_write)


def _lead_page(request, lead, *, form=None, can_write=None, identify_form=None):
    if can_write is None:
        can_write = request.membership.has_role(Role.EDITOR)
    form = form or LeadForm(instance=lead)
    comments = list(selectors.lead_comments(lead=lead))
    best = max(comments, key=lambda c: c.score) if comments else None
    profile_language = _member_language(request)
    return render(
        request,
        "leads/lead_detail.html",
        {
            "lead": lead,
            "form": form,
            "comments": comments,
            "best": best,
            "thread": list(selectors.thread_of(comment=best)) if best else [],
            "reply_form": ReplyForm(
                initial={
                    "text": suggested_reply(
                        best, language=profile_language, name=request.user.full_name
                    )
                }
                if best
                else None
            ),
            "can_write": can_write,
            "identify_form": identify_form
            or IdentifyForm(
                initial={"name": lead.commenter.name, "headline": lead.commenter.headline}
            ),
            "comment_on_linkedin": _comment_on_linkedin(best),
        },
        status=400 if form.errors or (identify_form and identify_form.errors) else 200,
    )


def _comment_on_linkedin(comment: Comment | None) -> str:
    """The comment on LinkedIn, where its author's name and headline are shown."""
    if comment is None or comment.post is None or not comment.post.linkedin_url:
        return ""
    return f"{comment.post.linkedin_url}?commentUrn={quote(comment.urn, safe='')}"


@workspace_view(min_role=Role.EDITOR)
@require_POST
def lead_identify(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    form = IdentifyForm(request.POST)
    if not form.is_valid():
        return _lead_page(request, lead, identify_form=form)
    services.commenter_identify(
        lead=lead,
        actor=request.user,
        name=form.cleaned_data["name"],
        headline=form.cleaned_data["headline"],
    )
    messages.success(request, _("Saved. The score now counts their headline."))
    return redirect("lead_detail", workspace_slug=request.workspace.slug, pk=lead.pk)


def _member_language(request) -> str:
    from apps.accounts.selectors import profile_of_member

    return profile_of_member(workspace=request.workspace, user=request.user).language


@workspace_view(min_role=Role.EDITOR)
@require_POST
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Status change in place from the inbox (HTMX swaps the row)."""
    lead = _lead_or_404(request, pk)
    status = request.POST.get("status", "")
    try:
        services.lead_update(lead=lead, actor=request.user, status=status)
    except services.LeadError as error:
        messages.error(request, str(error))
    if request.htmx:
        lead.best_comment = selectors.best_comments(workspace=request.workspace, leads=[lead]).get(
            lead.pk
        )
        return render(
            request,
            "leads/lead_inbox.html#lead-row",
            {"lead": lead, "statuses": Lead.Status.choices},
        )
    return redirect("leads", workspace_slug=request.workspace.slug)


# LinkedIn is called while answering: no transaction around the request (the service
# records the intent, calls, then records the outcome in transactions of its own).
@workspace_view(min_role=Role.EDITOR, atomic=False)
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    with workspace_atomic(request.workspace.pk, user_id=request.user.pk):
        comment = get_owned_or_404(
            Comment.objects.select_related("post", "lead", "commenter"),
            workspace=request.workspace,
            pk=pk,
        )
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_on_linkedin(
                comment=comment, actor=request.user, text=form.cleaned_data["text"]
            )
        except services.LeadError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your reply is on LinkedIn."))
    else:
        messages.error(request, _("Write a reply first."))
    if comment.lead_id:
        return redirect("lead_detail", workspace_slug=request.workspace.slug, pk=comment.lead_id)
    return redirect("leads", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def comment_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_owned_or_404(
        Comment.objects.select_related("commenter", "lead"), workspace=request.workspace, pk=pk
    )
    is_lead = request.POST.get("is_lead") == "yes"
    services.feedback_record(comment=comment, actor=request.user, is_lead=is_lead)
    messages.success(
        request,
        _("Thanks, this teaches the lead detector.")
        if is_lead
        else _("Marked as not a lead. The detector learns from it."),
    )
    if is_lead:
        comment.refresh_from_db()
        return redirect("lead_detail", workspace_slug=request.workspace.slug, pk=comment.lead_id)
    return redirect("leads", workspace_slug=request.workspace.slug)


@login_required
def lead_status_link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-click status link from the digest: signed for one member. The page confirms (a
    GET never changes anything) and the button applies it."""
    from apps.leads.digests import read_status_link

    data = read_status_link(token) or {}
    lead = None
    if data.get("u") == request.user.pk and data.get("s") in Lead.Status.values:
        lead = selectors.lead_of_member(user=request.user, pk=data.get("l"))
    if lead is None:
        return render(request, "leads/status_link.html", {"error": True}, status=400)
    if request.method == "POST" and lead.membership.has_role(Role.EDITOR):
        services.lead_update(lead=lead, actor=request.user, status=data["s"])
        messages.success(request, _("Lead updated."))
        return redirect("lead_detail", workspace_slug=lead.workspace.slug, pk=lead.pk)
    return render(
        request,
        "leads/status_link.html",
        {"lead": lead, "status_label": Lead.Status(data["s"]).label},
    )


@workspace_view()
def lead_settings(request: HttpRequest) -> HttpResponse:
    from apps.leads.forms import AlertSettingsForm, LeadSettingsForm

    rules = services.lead_settings(request.workspace)
    mine = services.alert_settings(request.workspace, request.user)
    can_manage = request.membership.has_role(Role.ADMIN)
    which = request.POST.get("form")
    rules_form = LeadSettingsForm(request.POST if which == "rules" else None, instance=rules)
    alerts_form = AlertSettingsForm(request.POST if which == "alerts" else None, instance=mine)
    if request.method == "POST":
        form = rules_form if which == "rules" else alerts_form
        if which == "rules" and not can_manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            form.save()
            messages.success(request, _("Lead settings saved."))
            return redirect("lead_settings", workspace_slug=request.workspace.slug)
    return render(
        request,
        "leads/lead_settings.html",
        {
            "rules_form": rules_form,
            "alerts_form": alerts_form,
            "can_manage": can_manage,
        },
        status=400 if (rules_form.errors or alerts_form.errors) else 200,
    )


@workspace_view(min_role=Role.EDITOR)
def comment_import(request: HttpRequest) -> HttpResponse:
    """Paste comments or upload a CSV; see every row and its problems; then import."""
    from apps.leads import importing

    rows, error = None, ""
    pasted = request.POST.get("pasted", "")
    csv_text = request.POST.get("csv_text", "")
    upload = request.FILES.get("file")
    if request.method == "POST":
        try:
            if upload is not None:
                if upload.size > 2 * 1024 * 1024:
                    raise importing.CommentImportError(_("The file is larger than 2 MB."))
                try:
                    csv_text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise importing.CommentImportError(
                        _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
                    ) from None
            rows = importing.parse_csv(csv_text) if csv_text else importing.parse_pasted(pasted)
            if request.POST.get("confirm"):
                stored = importing.import_comments(workspace=request.workspace, rows=rows)
                leads = sum(1 for comment in stored if comment.lead_id)
                messages.success(
                    request,
                    _("%(n)d comments imported, %(leads)d of them leads.")
                    % {"n": len(stored), "leads": leads},
                )
                return redirect("leads", workspace_slug=request.workspace.slug)
        except importing.CommentImportError as problem:
            error = str(problem)
    has_errors = bool(rows and any(row.errors for row in rows))
    return render(
        request,
        "leads/comment_import.html",
        {
            "rows": rows,
            "error": error,
            "pasted": pasted,
            "csv_text": csv_text,
            "has_errors": has_errors,
        },
        status=400 if (error or has_errors) else 200,
    )


@workspace_view(min_role=Role.ADMIN)
def commenter_export(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import JsonResponse

    lead = _lead_or_404(request, pk)
    response = JsonResponse(
        services.commenter_export(commenter=lead.commenter),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="commenter-{lead.commenter.pk}.json"'
    return response


@workspace_view(min_role=Role.ADMIN)
@require_POST
def commenter_erase(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    services.commenter_erase(commenter=lead.commenter, actor=request.user)
    messages.success(request, _("Everything about this commenter has been erased."))
    return redirect("leads", workspace_slug=request.workspace.slug)
