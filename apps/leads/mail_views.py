"""The comment-forwarding page: the workspace's private address, how to forward LinkedIn's
notifications to it, a test message, and what became of every message received."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.leads import mail_inbound
from apps.leads.models import InboundMessage


@workspace_view(min_role=Role.ADMIN)
def inbound_setup(request: HttpRequest) -> HttpResponse:
    address = mail_inbound.inbound_address(workspace=request.workspace)
    template = "leads/inbound_setup.html"
    if request.htmx:
        template += "#inbound-messages"
    return render(
        request,
        template,
        {
            "address": address,
            "address_text": mail_inbound.address_text(address),
            "inbound_messages": mail_inbound.recent_messages(workspace=request.workspace),
        },
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def inbound_test(request: HttpRequest) -> HttpResponse:
    address = mail_inbound.inbound_send_test(workspace=request.workspace)
    if address.test_received_at:
        messages.success(request, _("The test message arrived: the route works."))
    else:
        messages.info(
            request,
            _("Test message sent. It shows up below once your mail provider delivers it."),
        )
    return redirect("inbound_setup", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def inbound_regenerate(request: HttpRequest) -> HttpResponse:
    mail_inbound.inbound_address_regenerate(workspace=request.workspace)
    messages.success(
        request,
        _("New address made. Update your forwarding rule: mail to the old one is refused."),
    )
    return redirect("inbound_setup", workspace_slug=request.workspace.slug)


@workspace_view(min_role=Role.ADMIN)
def inbound_message(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_owned_or_404(
        InboundMessage.objects.select_related("comment"), workspace=request.workspace, pk=pk
    )
    return render(
        request,
        "leads/inbound_message.html",
        {
            "row": row,
            "text": mail_inbound.readable_text(row),
            "can_retry": row.status in mail_inbound.RETRYABLE,
        },
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def inbound_message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_owned_or_404(InboundMessage, workspace=request.workspace, pk=pk)
    if mail_inbound.inbound_retry(workspace=request.workspace, message=row):
        messages.success(request, _("The message will be read again in a moment."))
    else:
        messages.info(request, _("This message is being read or was read already."))
    return redirect("inbound_message", workspace_slug=request.workspace.slug, pk=row.pk)
