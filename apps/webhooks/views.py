"""The webhook settings page: endpoints, their secrets, and the delivery log.

Every member can look; owners and admins change things. A secret is shown in the response
that creates or rotates it, and never again."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.webhooks import selectors, services
from apps.webhooks.forms import EndpointForm
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

LIST_TEMPLATE = "webhooks/endpoint_list.html"


def _list_context(request: HttpRequest, *, form: EndpointForm | None = None) -> dict:
    can_manage = request.membership.has_role(Role.ADMIN)
    return {
        "endpoints": list(selectors.endpoints_for(workspace=request.workspace)),
        "deliveries": selectors.recent_deliveries(workspace=request.workspace),
        "form": form or (EndpointForm() if can_manage else None),
        "can_manage": can_manage,
    }


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("webhooks", workspace_slug=request.workspace.slug)


def _endpoint_or_404(request: HttpRequest, pk: int) -> WebhookEndpoint:
    return get_owned_or_404(WebhookEndpoint, workspace=request.workspace, pk=pk)


@workspace_view()
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    template = LIST_TEMPLATE
    if request.htmx:
        # The log refreshing itself: only the deliveries are needed.
        template += "#delivery-log"
        context = {
            "deliveries": selectors.recent_deliveries(workspace=request.workspace),
            "can_manage": request.membership.has_role(Role.ADMIN),
        }
        return render(request, template, context)
    return render(request, template, _list_context(request))


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = services.endpoint_create(
                workspace=request.workspace,
                actor=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except services.WebhookError as error:
            form.add_error(None, str(error))
        else:
            return _secret_page(request, endpoint, secret=endpoint.secret, created=True)
    return render(request, LIST_TEMPLATE, _list_context(request, form=form), status=400)


def _secret_page(request, endpoint: WebhookEndpoint, *, secret: str, created: bool):
    response = render(
        request,
        "webhooks/endpoint_secret.html",
        {"endpoint": endpoint, "secret": secret, "created": created},
    )
    response["Cache-Control"] = "no-store"  # the secret must not outlive this page
    return response


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _secret_page(request, endpoint, secret=secret, created=False)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    active = request.POST.get("active") == "yes"
    services.endpoint_set_active(endpoint=endpoint, actor=request.user, active=active)
    if active:
        messages.success(request, _("The endpoint is on again."))
    else:
        messages.success(request, _("The endpoint is off. Nothing is sent to it."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("The endpoint and its delivery log are deleted."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    try:
        services.ping(endpoint=endpoint, actor=request.user)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A test event is on its way. Its delivery shows below."))
    return _back(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_owned_or_404(
        WebhookDelivery.objects.select_related("endpoint", "workspace"),
        workspace=request.workspace,
        pk=pk,
    )
    try:
        services.redeliver(delivery=delivery, actor=request.user)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The delivery is on its way again."))
    if request.htmx:
        return render(
            request,
            LIST_TEMPLATE + "#delivery-log",
            {
                "deliveries": selectors.recent_deliveries(workspace=request.workspace),
                "can_manage": True,
            },
        )
    return _back(request)
