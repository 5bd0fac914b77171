"""Workspace, membership and profile screens. Thin: parse, call one service, render."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import (
    ExpertiseProfileForm,
    InvitationForm,
    RoleForm,
    UserPreferencesForm,
    WorkspaceCreateForm,
    WorkspaceSettingsForm,
    case_study_formset,
)
from apps.accounts.models import Invitation, Membership, Role
from apps.accounts.tenancy import database_workspace_set, get_owned_or_404, owned, workspace_view
from apps.core.http import client_ip


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user lands: their first workspace, or a page to make one."""
    membership = next(iter(selectors.memberships_of_user(user=request.user)), None)
    if membership is None:
        # Staff without a workspace of their own came to run the tenants, not to make one.
        if request.user.is_staff:
            return redirect("staff_overview")
        return redirect("workspace_create")
    return redirect("dashboard", workspace_slug=membership.workspace.slug)


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.workspace_create(
            owner=request.user, name=form.cleaned_data["name"], ip_address=client_ip(request)
        )
        messages.success(request, _("Workspace “%(name)s” created.") % {"name": workspace.name})
        return redirect("dashboard", workspace_slug=workspace.slug)
    return render(request, "accounts/workspace_create.html", {"form": form})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = UserPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            timezone_name=form.cleaned_data["timezone"],
            ip_address=client_ip(request),
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})


# --- Workspace settings --------------------------------------------------------------------


@workspace_view(min_role=Role.ADMIN)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceSettingsForm(request.POST or None, instance=workspace)
    if request.method == "POST" and form.is_valid():
        services.workspace_update(
            workspace=workspace,
            actor=request.user,
            ip_address=client_ip(request),
            **{name: form.cleaned_data[name] for name in form.fields},
        )
        messages.success(request, _("Workspace settings saved."))
        return redirect("workspace_settings", workspace_slug=workspace.slug)
    # An invalid form must not leave half-applied values on the workspace shown in the nav.
    workspace.refresh_from_db()
    return render(request, "accounts/workspace_settings.html", {"form": form})


@workspace_view()
def profile(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_of_member(workspace=request.workspace, user=request.user)
    form = ExpertiseProfileForm(request.POST or None, instance=profile)
    cases = case_study_formset(request.POST or None, profile=profile)
    # Both are validated, so a mistake in one shows beside the other's errors.
    valid = request.method == "POST" and all(
        [form.is_valid(), cases.is_valid() or not cases.is_bound]
    )
    if valid:
        fields = {name: form.cleaned_data[name] for name in form.fields}
        quick = fields.pop("quick_case_studies")
        if cases.is_bound or quick:
            vault = cases.entries() if cases.is_bound else list(profile.case_studies or [])
            fields["case_studies"] = vault + quick
        services.profile_update(
            profile=profile, actor=request.user, ip_address=client_ip(request), **fields
        )
        messages.success(request, _("Your expertise profile is saved."))
        return _next_onboarding_step(request) or redirect(
            "profile", workspace_slug=request.workspace.slug
        )
    return render(request, "accounts/profile.html", {"form": form, "cases": cases})


def _next_onboarding_step(request: HttpRequest) -> HttpResponse | None:
    """While a workspace is new, saving the profile leads on to the next step of getting the
    first inquiry (connect LinkedIn, then plan a week) instead of back to the same form."""
    from apps.content.models import Post
    from apps.linkedin.selectors import connection_for

    workspace = request.workspace
    connection = connection_for(workspace=workspace)
    if connection is None or not connection.is_usable:
        messages.info(
            request, _("Next: connect LinkedIn, so posts can go out and their comments come back.")
        )
        return redirect("linkedin_settings", workspace_slug=workspace.slug)
    if not owned(Post, workspace=workspace).exists():
        messages.info(request, _("Next: plan your first week of posts."))
        return redirect("content", workspace_slug=workspace.slug)
    return None


@workspace_view(min_role=Role.OWNER)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = selectors.audit_events(workspace=request.workspace)
    return render(request, "accounts/audit_log.html", {"events": events})


# --- Members and invitations ---------------------------------------------------------------


def _members_context(request, invite_form=None):
    return {
        "members": selectors.workspace_members(workspace=request.workspace),
        "invitations": selectors.pending_invitations(workspace=request.workspace),
        "invite_form": invite_form or InvitationForm(),
        "roles": Role.choices,
    }


def _render_members(request, invite_form=None, status=200):
    template = "accounts/members.html"
    if request.htmx:
        template += "#member-panel"
    return render(request, template, _members_context(request, invite_form), status=status)


@workspace_view()
def members(request: HttpRequest) -> HttpResponse:
    return _render_members(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    # Invitations send email to any address a member types: limited per user and per
    # workspace (ACCOUNT_RATE_LIMITS["invite_member"]), counted only for valid requests.
    limited = form.is_valid() and not ratelimit.consume(
        request, action="invite_member", user=request.user, key=f"workspace:{request.workspace.pk}"
    )
    if limited:
        form.add_error("email", _("That is a lot of invitations at once. Please try again later."))
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor_membership=request.membership,
                ip_address=client_ip(request),
            )
        except services.AccountsError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            if not request.htmx:
                return redirect("members", workspace_slug=request.workspace.slug)
            form = None
    if form is not None and not request.htmx:
        status = 429 if limited else 400
        context = _members_context(request, form)
        return render(request, "accounts/members.html", context, status=status)
    return _render_members(request, form)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def member_change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_owned_or_404(
        Membership.objects.select_related("user"), workspace=request.workspace, pk=pk
    )
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor_membership=request.membership,
                ip_address=client_ip(request),
            )
            messages.success(
                request,
                _("%(email)s is now %(role)s.")
                % {"email": membership.user.email, "role": membership.get_role_display()},
            )
        except services.AccountsError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choose a valid role."))
    if request.htmx:
        return _render_members(request)
    return redirect("members", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_owned_or_404(
        Membership.objects.select_related("user"), workspace=request.workspace, pk=pk
    )
    try:
        services.membership_remove(
            membership=membership,
            actor_membership=request.membership,
            ip_address=client_ip(request),
        )
        messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    except services.AccountsError as error:
        messages.error(request, str(error))
    if request.htmx:
        return _render_members(request)
    return redirect("members", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_owned_or_404(Invitation, workspace=request.workspace, pk=pk)
    services.invitation_revoke(
        invitation=invitation, actor=request.user, ip_address=client_ip(request)
    )
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    if request.htmx:
        return _render_members(request)
    return redirect("members", workspace_slug=request.workspace.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email. The token is the secret; there is no workspace in the
    URL, and an unknown token is a 404."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        raise Http404
    # The token is the key to this one workspace: accepting writes the membership there.
    database_workspace_set(
        invitation.workspace_id,
        user_id=request.user.pk if request.user.is_authenticated else None,
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.invitation_accept(
                invitation=invitation, user=request.user, ip_address=client_ip(request)
            )
        except services.AccountsError as error:
            messages.error(request, str(error))
            return redirect("invitation_accept", token=token)
        messages.success(
            request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
        )
        return redirect("dashboard", workspace_slug=invitation.workspace.slug)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
