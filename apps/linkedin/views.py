"""Connect, disconnect and show the workspace's LinkedIn account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import membership_for_workspace_id, require_role, workspace_view
from apps.core.http import client_ip
from apps.linkedin import selectors, services

CANCELLED_ERRORS = {"user_cancelled_authorize", "user_cancelled_login"}


@workspace_view()
def linkedin_settings(request: HttpRequest) -> HttpResponse:
    connection = selectors.connection_for(workspace=request.workspace)
    return render(
        request,
        "linkedin/linkedin_settings.html",
        {
            "connection": connection,
            "state": selectors.connection_state(connection),
            "can_manage": request.membership.has_role(Role.ADMIN),
        },
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def linkedin_connect(request: HttpRequest) -> HttpResponse:
    url = services.connect_start(
        session=request.session, user=request.user, workspace=request.workspace
    )
    return redirect(url)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def linkedin_disconnect(request: HttpRequest) -> HttpResponse:
    connection = selectors.connection_for(workspace=request.workspace)
    if connection is not None:
        services.disconnect(
            connection=connection, actor=request.user, ip_address=client_ip(request)
        )
        messages.success(
            request,
            _("LinkedIn is disconnected. Nothing will be published until you connect again."),
        )
    return redirect("linkedin_settings", workspace_slug=request.workspace.slug)


# Not a tenant URL: the workspace comes from the state bound to the session. LinkedIn is
# called while answering (the code exchange), so nothing is held around it: the membership
# is looked up in a short transaction and the service stores the connection in its own.
@login_required
def linkedin_callback(request: HttpRequest) -> HttpResponse:
    """Where LinkedIn sends the browser back. The workspace comes from the state bound to
    this session at connect time, and membership and role are checked again here."""
    try:
        pending = services.connect_pop_pending(
            session=request.session, state=request.GET.get("state"), user=request.user
        )
    except services.ConnectError as error:
        messages.error(request, str(error))
        return redirect("home")
    with transaction.atomic():
        membership = membership_for_workspace_id(request.user, pending.workspace_id)
    require_role(membership, Role.ADMIN)
    workspace = membership.workspace

    error = request.GET.get("error")
    if error:
        if error in CANCELLED_ERRORS:
            messages.warning(request, _("You cancelled on LinkedIn, so nothing was connected."))
        else:
            messages.error(
                request,
                _("LinkedIn refused the connection: %(reason)s")
                % {"reason": request.GET.get("error_description") or error},
            )
        return redirect("linkedin_settings", workspace_slug=workspace.slug)
    code = request.GET.get("code")
    if not code:
        messages.error(request, _("LinkedIn sent no authorization code. Please try again."))
        return redirect("linkedin_settings", workspace_slug=workspace.slug)
    try:
        connection = services.connect_complete(
            workspace=workspace, user=request.user, code=code, ip_address=client_ip(request)
        )
    except services.ConnectError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("LinkedIn connected as %(name)s.")
            % {"name": connection.name or connection.member_urn},
        )
    return redirect("linkedin_settings", workspace_slug=workspace.slug)
