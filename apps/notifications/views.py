import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.tenancy import get_owned_or_404, owned, workspace_view
from apps.notifications import selectors, services
from apps.notifications.forms import PhoneForm, PushSubscriptionForm, SmsSettingsForm, VerifyForm
from apps.notifications.models import (
    MEMBER_CHANNELS,
    MEMBER_EVENTS,
    Notification,
    PushSubscription,
)


@workspace_view()
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_read(workspace=request.workspace, user=request.user)
        return redirect("notifications", workspace_slug=request.workspace.slug)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "notifications": selectors.notifications_for(
                workspace=request.workspace, user=request.user
            ),
        },
    )


@workspace_view()
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The short link in a text message: mark it read, go to what it is about."""
    notification = get_owned_or_404(
        owned(Notification, workspace=request.workspace).filter(user=request.user),
        workspace=request.workspace,
        pk=pk,
    )
    services.mark_read(
        workspace=request.workspace, user=request.user, notification_ids=[notification.pk]
    )
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications", workspace_slug=request.workspace.slug)


def _settings_context(request, **forms) -> dict:
    workspace, user = request.workspace, request.user
    devices = list(selectors.push_devices(workspace=workspace, user=user))
    phone = selectors.phone_of(workspace=workspace, user=user)
    states = selectors.channel_states(workspace=workspace, user=user, devices=devices, phone=phone)
    context = {
        "states": states,
        "grid": selectors.preference_grid(workspace=workspace, user=user, states=states),
        "devices": devices,
        "phone": phone,
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if services.push.push_configured() else "",
        "sms_offered": services.sms.sms_configured(),
        "phone_form": forms.get("phone_form") or PhoneForm(),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "sms_form": forms.get("sms_form")
        or (SmsSettingsForm(instance=phone) if phone and phone.verified_at else None),
    }
    return context


def _render_settings(request, status=200, **forms) -> HttpResponse:
    return render(
        request,
        "notifications/preferences.html",
        _settings_context(request, **forms),
        status=status,
    )


def _back(request) -> HttpResponse:
    return redirect("notification_preferences", workspace_slug=request.workspace.slug)


@workspace_view()
def notification_preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        context = _settings_context(request)
        available = {s.channel for s in context["states"] if s.available}
        chosen = set()
        for value in request.POST.getlist("on"):
            event, _sep, channel = value.partition(":")
            if event in MEMBER_EVENTS and channel in MEMBER_CHANNELS:
                chosen.add((event, channel))
        services.preferences_save(
            workspace=request.workspace, user=request.user, chosen=chosen, available=available
        )
        messages.success(request, _("Notification preferences saved."))
        return _back(request)
    return _render_settings(request)


@workspace_view()
def delivery_log(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/delivery_log.html",
        {
            "deliveries": selectors.delivery_log(
                workspace=request.workspace, user=request.user, role=request.membership.role
            ),
        },
    )


# --- Push devices --------------------------------------------------------------------------


@workspace_view()
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The browser's PushSubscription, as JSON from static/js/push-subscribe.js."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errors": {"__all__": [_("Send JSON.")]}}, status=400)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    form = PushSubscriptionForm(
        {
            "endpoint": data.get("endpoint", ""),
            "p256dh": keys.get("p256dh", ""),
            "auth": keys.get("auth", ""),
            "label": data.get("label", ""),
        }
    )
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        device = services.push_subscription_save(
            workspace=request.workspace,
            user=request.user,
            user_agent=request.headers.get("User-Agent", ""),
            **form.cleaned_data,
        )
    except services.NotificationError as error:
        return JsonResponse({"errors": {"endpoint": [{"message": str(error)}]}}, status=400)
    return JsonResponse({"id": device.pk, "label": device.label}, status=201)


@workspace_view()
@require_POST
def push_device_delete(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_owned_or_404(
        owned(PushSubscription, workspace=request.workspace).filter(user=request.user),
        workspace=request.workspace,
        pk=pk,
    )
    services.push_subscription_delete(subscription=device)
    messages.success(request, _("The device will no longer get push notifications."))
    return _back(request)


# --- Phone ---------------------------------------------------------------------------------


def _my_phone_or_404(request):
    phone = selectors.phone_of(workspace=request.workspace, user=request.user)
    if phone is None:
        raise Http404
    return phone


# Texts a code (the provider may take seconds): no transaction around the request; the
# service stores the number and the code in short transactions of their own.
@workspace_view(atomic=False)
@require_POST
def phone_set(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            services.phone_set(
                workspace=request.workspace,
                user=request.user,
                raw_number=form.cleaned_data["number"],
            )
        except services.NotificationError as error:
            form.add_error("number", str(error))
        else:
            messages.success(request, _("We sent a code to your phone. Type it below."))
            return _back(request)
    return _render_settings(request, status=400, phone_form=form)


# Texts a code (the provider may take seconds): no transaction around the request; the
# service stores the number and the code in short transactions of their own.
@workspace_view(atomic=False)
@require_POST
def phone_resend(request: HttpRequest) -> HttpResponse:
    phone = _my_phone_or_404(request)
    try:
        services.phone_send_code(phone=phone)
    except services.NotificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A new code is on its way."))
    return _back(request)


@workspace_view()
@require_POST
def phone_verify(request: HttpRequest) -> HttpResponse:
    phone = _my_phone_or_404(request)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.phone_verify(phone=phone, code=form.cleaned_data["code"])
        except services.NotificationError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Your number is verified."))
            return _back(request)
    return _render_settings(request, status=400, verify_form=form)


@workspace_view()
@require_POST
def phone_sms_settings(request: HttpRequest) -> HttpResponse:
    phone = _my_phone_or_404(request)
    form = SmsSettingsForm(request.POST, instance=phone)
    if form.is_valid():
        services.phone_update_sms(
            phone=phone,
            sms_enabled=form.cleaned_data["sms_enabled"],
            sms_threshold=form.cleaned_data["sms_threshold"],
        )
        messages.success(request, _("SMS settings saved."))
        return _back(request)
    phone.refresh_from_db()
    return _render_settings(request, status=400, sms_form=form)


@workspace_view()
@require_POST
def phone_delete(request: HttpRequest) -> HttpResponse:
    services.phone_delete(phone=_my_phone_or_404(request))
    messages.success(request, _("Your number was removed. No more text messages."))
    return _back(request)
