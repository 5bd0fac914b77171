"""How each channel carries one Delivery: email, Web Push, SMS. `send` raises
DeliveryFailed with words for the delivery log; side effects of an answer (a device gone, a
number opted out) are applied here, where the answer is understood."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.tenancy import owned
from apps.core.branded_mail import send_branded
from apps.notifications import push, sms
from apps.notifications.models import Channel, Delivery, Notification, PhoneNumber, PushSubscription


class DeliveryFailed(Exception):
    """The channel could not carry the notification this time; the message goes in the log
    and the delivery is tried again later."""


class DeliveryRefused(DeliveryFailed):
    """Trying again will not help (the device is gone, the number opted out, SMS was turned
    off): the delivery fails for good."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


def short_link(notification: Notification) -> str:
    """A short link that opens the notification's page (and marks it read)."""
    return absolute(
        reverse(
            "notification_open",
            kwargs={"workspace_slug": notification.workspace.slug, "pk": notification.pk},
        )
    )


def send(delivery: Delivery) -> None:
    senders = {Channel.EMAIL: _email, Channel.PUSH: _push, Channel.SMS: _sms}
    sender = senders.get(delivery.channel)
    if sender is None:
        raise DeliveryRefused(f"{delivery.channel} is not sent this way")
    sender(delivery)


def _email(delivery: Delivery) -> None:
    notification = delivery.notification
    body = notification.email_text or render_to_string(
        "notifications/email/notification.txt",
        {"notification": notification, "link": absolute(notification.url)},
    )
    try:
        with translation.override(_member_language(notification)):
            send_branded(
                subject=notification.title,
                text=body,
                to=[notification.user.email],
                workspace_name=notification.workspace.name,
            )
    except Exception as error:  # SMTP and friends raise all sorts; the log says which
        raise DeliveryFailed(str(error)[:300]) from error


def _member_language(notification: Notification) -> str:
    """The language the member writes in (their expertise profile in this workspace), so the
    e-mail's frame matches them; English when they have none."""
    from apps.accounts.models import ExpertiseProfile

    language = (
        owned(ExpertiseProfile, workspace=notification.workspace)
        .filter(user_id=notification.user_id)
        .values_list("language", flat=True)
        .first()
    )
    return language or settings.LANGUAGE_CODE


def push_payload(notification: Notification) -> dict:
    return {
        "title": notification.title,
        "body": notification.body[:240],
        "url": notification.url or "/",
        # One notification per thing on the phone: a newer one about it replaces the old.
        "tag": notification.dedupe_key or f"n{notification.pk}",
    }


def _push(delivery: Delivery) -> None:
    subscription = delivery.push_subscription
    if subscription is None:
        raise DeliveryRefused("The device was removed before the message went out.")
    notification = delivery.notification
    urgency = "high" if notification.event in ("lead.detected", "post.failed") else "normal"
    try:
        push.send(
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            payload=push_payload(notification),
            urgency=urgency,
        )
    except push.PushGone as error:
        owned(PushSubscription, workspace=delivery.workspace).filter(pk=subscription.pk).delete()
        raise DeliveryRefused(f"{error}; the device was removed.") from error
    except push.PushError as error:
        raise DeliveryFailed(str(error)[:300]) from error
    PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=timezone.now())


def sms_text(notification: Notification) -> str:
    return f"{notification.sms_text or notification.title} - {short_link(notification)}"


def _sms(delivery: Delivery) -> None:
    phone = owned(PhoneNumber, workspace=delivery.workspace).filter(user=delivery.user).first()
    if phone is None or not phone.can_receive_sms:
        raise DeliveryRefused("SMS was turned off for this number before the message went out.")
    try:
        sms.send(to=phone.number, body=sms_text(delivery.notification))
    except sms.SmsOptedOut as error:
        # The carrier will refuse every message: stop trying until the member says so.
        PhoneNumber.objects.filter(pk=phone.pk).update(
            opted_out_at=timezone.now(), sms_enabled=False
        )
        raise DeliveryRefused(f"{error}; SMS is now off for this number.") from error
    except sms.SmsError as error:
        raise DeliveryFailed(str(error)[:300]) from error
