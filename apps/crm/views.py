"""The CRM settings page: connect HubSpot or Pipedrive, map lead stages to deal stages, and
read the push log. Every member can look; owners and admins change things."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.crm import selectors, services
from apps.crm.forms import ConnectForm, StageMapForm
from apps.crm.models import CrmDelivery

TEMPLATE = "crm/crm_settings.html"


def _page(request: HttpRequest, *, form=None, stages_form=None, status=200) -> HttpResponse:
    connection = selectors.connection_of(workspace=request.workspace)
    can_manage = request.membership.has_role(Role.ADMIN)
    context = {
        "connection": connection,
        "deliveries": selectors.recent_deliveries(workspace=request.workspace),
        "can_manage": can_manage,
        "form": form or (ConnectForm() if can_manage else None),
        "stages_form": stages_form
        or (
            StageMapForm(initial=StageMapForm.initial_from(connection.stage_map))
            if connection and can_manage
            else None
        ),
    }
    return render(request, TEMPLATE, context, status=status)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("crm_settings", workspace_slug=request.workspace.slug)


@workspace_view()
@require_GET
def crm_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def crm_connect(request: HttpRequest) -> HttpResponse:
    form = ConnectForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        services.crm_connect(
            workspace=request.workspace,
            actor=request.user,
            provider=form.cleaned_data["provider"],
            token=form.cleaned_data["token"],
            stage_map=form.stage_map(),
        )
    except services.CrmSetupError as error:
        form.add_error("token", str(error))
        return _page(request, form=form, status=400)
    messages.success(request, _("Connected. New leads and stage changes now reach your CRM."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def crm_stages(request: HttpRequest) -> HttpResponse:
    connection = selectors.connection_of(workspace=request.workspace)
    if connection is None:
        raise PermissionDenied
    form = StageMapForm(request.POST)
    if not form.is_valid():
        return _page(request, stages_form=form, status=400)
    services.crm_stage_map_save(
        connection=connection, actor=request.user, stage_map=form.stage_map()
    )
    messages.success(request, _("Stage mapping saved."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def crm_disconnect(request: HttpRequest) -> HttpResponse:
    connection = selectors.connection_of(workspace=request.workspace)
    if connection is not None:
        services.crm_disconnect(connection=connection, actor=request.user)
        messages.success(request, _("Disconnected. The token was deleted."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def crm_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_owned_or_404(CrmDelivery, workspace=request.workspace, pk=pk)
    try:
        services.crm_redeliver(delivery=delivery, actor=request.user)
    except services.CrmSetupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sending it again."))
    return _back(request)
