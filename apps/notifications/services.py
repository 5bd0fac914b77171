"""notify(): the one way anything tells members about an event, and the writes around it
(preferences, push devices, phone numbers).

An event reaches each recipient once (a dedupe key per lead or post), in the app always and on
every other channel the member chose: email, push to each of their devices, SMS for the
hottest leads. Rationed alerts (leads) first pass the member's quiet hours and daily cap, which
hold back every channel at once: one alert per lead, whichever channels carry it. Each channel
attempt is a Delivery row; email goes after commit, push and SMS in a Celery task each, and
the task claims its row so running it twice sends once."""

from __future__ import annotations

import logging
import re
import secrets
import zoneinfo
from datetime import time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Role
from apps.accounts.tenancy import across_workspaces, owned
from apps.core import metrics
from apps.notifications import channels, push, sms
from apps.notifications.models import (
    DEFAULT_CHANNELS,
    HELD_DAILY_CAP,
    HELD_QUIET_HOURS,
    MEMBER_CHANNELS,
    MEMBER_EVENTS,
    RATIONED_EVENTS,
    SMS_EVENTS,
    Channel,
    Delivery,
    Event,
    Notification,
    PhoneNumber,
    Preference,
    PushSubscription,
)

logger = logging.getLogger(__name__)


class NotificationError(Exception):
    """A request that cannot be done; the message is for the user."""


# --- The pipeline --------------------------------------------------------------------------


def _recipients(workspace, roles) -> list:
    return [
        m.user
        for m in owned(Membership, workspace=workspace)
        .filter(role__in=roles, user__is_active=True)
        .select_related("user")
    ]


def wanted_channels(*, workspace, users, event: str) -> dict[int, set[str]]:
    """Per user id, the channels (besides the app) they chose for `event`."""
    defaults = DEFAULT_CHANNELS.get(event, set())
    wanted = {user.pk: {str(c) for c in defaults} for user in users}
    stored = (
        owned(Preference, workspace=workspace)
        .filter(user__in=[u.pk for u in users], event=event)
        .values_list("user_id", "channel", "enabled")
    )
    for user_id, channel, enabled in stored:
        (wanted[user_id].add if enabled else wanted[user_id].discard)(channel)
    return wanted


def in_quiet_hours(*, quiet_from: time | None, quiet_until: time | None, tz: str, now=None) -> bool:
    if quiet_from is None or quiet_until is None:
        return False
    local = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz)).time()
    if quiet_from <= quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until  # across midnight


def held_reason(*, workspace, user, event: str, now=None) -> str:
    """Why a rationed alert must stay in the app now: quiet hours, or the daily cap (alerts
    that went out in the last 24 hours, counted once each whatever their channels)."""
    if event not in RATIONED_EVENTS:
        return ""
    # The rules live with the member's lead alert settings (threshold, quiet hours, cap).
    from apps.leads.models import AlertSettings

    now = now or timezone.now()
    rules = owned(AlertSettings, workspace=workspace).filter(user=user).first()
    rules = rules or AlertSettings(workspace=workspace, user=user)
    if in_quiet_hours(
        quiet_from=rules.quiet_from, quiet_until=rules.quiet_until, tz=user.timezone, now=now
    ):
        return HELD_QUIET_HOURS
    sent_today = (
        owned(Notification, workspace=workspace)
        .filter(
            user=user,
            event__in=RATIONED_EVENTS,
            held_reason="",
            created_at__gte=now - timedelta(hours=24),
        )
        .count()
    )
    return HELD_DAILY_CAP if sent_today >= rules.daily_cap else ""


def _planned_deliveries(notification: Notification, chosen: set[str], score) -> list[Delivery]:
    user, workspace = notification.user, notification.workspace
    common = {"workspace": workspace, "notification": notification, "user": user}
    common["event"] = notification.event
    planned = []
    if Channel.EMAIL in chosen and user.email:
        planned.append(Delivery(**common, channel=Channel.EMAIL, target=user.email))
    if Channel.PUSH in chosen and push.push_configured():
        for device in owned(PushSubscription, workspace=workspace).filter(user=user):
            planned.append(
                Delivery(
                    **common,
                    channel=Channel.PUSH,
                    target=str(device)[:300],
                    push_subscription=device,
                )
            )
    if Channel.SMS in chosen and notification.event in SMS_EVENTS and sms.sms_configured():
        phone = owned(PhoneNumber, workspace=workspace).filter(user=user).first()
        if phone and phone.can_receive_sms and score is not None and score >= phone.sms_threshold:
            planned.append(Delivery(**common, channel=Channel.SMS, target=phone.masked))
    return planned


@transaction.atomic
def notify(
    *,
    workspace,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    users=None,
    roles=(Role.OWNER, Role.ADMIN),
    dedupe_key: str = "",
    email_text: str = "",
    sms_text: str = "",
    score: int | None = None,
) -> list[Notification]:
    """Tell `users` (default: the workspace's owners and admins) about an event, on the
    channels each of them chose. With a dedupe_key, someone already told about the same
    thing is not told again, on any channel. `score` is a lead's, for the SMS threshold.
    Returns the notifications made now (their held_reason says if alerts were held)."""
    recipients = list(
        {u.pk: u for u in (users if users is not None else _recipients(workspace, roles))}.values()
    )
    if not recipients:
        return []
    wanted = wanted_channels(workspace=workspace, users=recipients, event=event)
    now = timezone.now()
    created = []
    for user in recipients:
        told = owned(Notification, workspace=workspace).filter(
            user=user, event=event, dedupe_key=dedupe_key[:120]
        )
        if dedupe_key and told.exists():
            continue
        held = held_reason(workspace=workspace, user=user, event=event, now=now)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    workspace=workspace,
                    user=user,
                    event=event,
                    title=title[:200],
                    body=body,
                    url=url[:300],
                    dedupe_key=dedupe_key[:120],
                    held_reason=held,
                    email_text=email_text,
                    sms_text=sms_text[:320],
                    created_at=now,
                )
        except IntegrityError:
            continue  # another worker told them about it a moment ago
        Delivery.objects.create(
            workspace=workspace,
            notification=notification,
            user=user,
            event=event,
            channel=Channel.IN_APP,
            status=Delivery.Status.SENT,
            sent_at=now,
        )
        for delivery in _planned_deliveries(notification, wanted[user.pk], score):
            if held:
                delivery.status, delivery.error = Delivery.Status.HELD, held
            else:
                delivery.status = Delivery.Status.PENDING
            delivery.save()
            if not held:
                transaction.on_commit(lambda d=delivery: _dispatch(d))
        created.append(notification)
    return created


def _dispatch(delivery: Delivery) -> None:
    # Email is handed to the local mail server right away, as every email in the app is;
    # push and SMS call outside services, from a worker.
    if delivery.channel == Channel.EMAIL:
        deliver(delivery_id=delivery.pk, workspace_id=delivery.workspace_id)
        return
    from apps.notifications.tasks import deliver as deliver_task

    deliver_task.delay(delivery.pk, delivery.workspace_id)


# A send in flight holds its delivery this long; a worker killed meanwhile leaves it to the
# sweep after that. Longer than any channel's timeout (SMS and push: 10 s; SMTP: 30 s).
DELIVERY_LEASE = timedelta(minutes=2)
# The sweep leaves a delivery this long to the task enqueued when it was made.
DELIVERY_SWEEP_GRACE = timedelta(seconds=30)
# Waits before each retry of a send that failed; after the last, the delivery has failed.
DELIVERY_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_DELIVERY_ATTEMPTS = len(DELIVERY_RETRY_DELAYS) + 1


def deliver(*, delivery_id: int, workspace_id: int) -> str:
    """Send one pending delivery. Claimed with a conditional update first, so a task run
    twice (or by two workers, or by its own message and the sweep) sends once; a send the
    provider did not take is tried again with backoff, a few times, then fails for good.
    A delivery whose sender died mid-send is claimed again once its lease runs out: the
    provider may then have it twice (none of them takes an idempotency key), which beats a
    hot lead nobody hears of. Returns what happened."""
    now = timezone.now()
    claimable = (
        Q(status=Delivery.Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)
    )
    claimed = (
        Delivery.objects.filter(pk=delivery_id, workspace_id=workspace_id)
        .filter(claimable)
        .update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + DELIVERY_LEASE,
        )
    )
    if not claimed:
        return "not pending"  # sent, failed, being sent, or waiting for its retry time
    delivery = (
        Delivery.objects.filter(workspace_id=workspace_id, pk=delivery_id)
        .select_related(
            "workspace",
            "user",
            "notification__workspace",
            "notification__user",
            "push_subscription",
        )
        .get()
    )
    try:
        channels.send(delivery)
    except channels.DeliveryFailed as error:
        logger.info("Delivery %s (%s) failed: %s", delivery.pk, delivery.channel, error)
        refused = isinstance(error, channels.DeliveryRefused)
        if refused or delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=str(error)[:300], next_attempt_at=None
            )
            return "failed"
        wait = DELIVERY_RETRY_DELAYS[delivery.attempts - 1]
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            error=str(error)[:300],
            next_attempt_at=timezone.now() + wait,
        )
        return "retry"
    sent_at = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=sent_at, error="", next_attempt_at=None
    )
    if delivery.event == Event.LEAD_DETECTED and delivery.notification_id:
        _record_alert_latency(delivery, sent_at)
    return "sent"


def sweep_deliveries(*, limit: int = 500) -> int:
    """Beat's sweep (with the outbox's, each minute): enqueue a send for each email, push or
    SMS that is due again after a failure, whose task never ran (a worker killed after the
    notification committed, a broker that was down), or whose sender died mid-send."""
    from apps.notifications.tasks import deliver as deliver_task

    now = timezone.now()
    with across_workspaces(reason="beat sweep: deliveries not yet sent, in every workspace"):
        due = list(
            Delivery.objects.filter(
                Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                | Q(
                    status=Delivery.Status.PENDING,
                    next_attempt_at__isnull=True,
                    created_at__lte=now - DELIVERY_SWEEP_GRACE,
                )
                | Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)
            )
            .order_by("created_at", "pk")
            .values_list("pk", "workspace_id")[:limit]
        )
    for pk, workspace_id in due:
        deliver_task.delay(pk, workspace_id)
    return len(due)


def _record_alert_latency(delivery: Delivery, sent_at) -> None:
    """For operators (apps/core/metrics.py): seconds from the lead's comment stored to this
    alert sent. The lead is the one _alert_members named in the dedupe key ("lead:<pk>")."""
    from apps.leads.selectors import alert_comment_stored_at

    notification = delivery.notification
    lead_id = notification.dedupe_key.removeprefix("lead:")
    if not lead_id.isdigit():
        return
    stored = alert_comment_stored_at(
        workspace=delivery.workspace, lead_id=int(lead_id), before=notification.created_at
    )
    if stored is not None:
        metrics.record_alert_latency((sent_at - stored).total_seconds(), channel=delivery.channel)


# --- Reading -------------------------------------------------------------------------------


def mark_read(*, workspace, user, notification_ids=None) -> int:
    unread = owned(Notification, workspace=workspace).filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# --- Preferences ---------------------------------------------------------------------------


@transaction.atomic
def preferences_save(*, workspace, user, chosen: set[tuple[str, str]], available: set[str]) -> None:
    """Store the grid: each (event, channel) in `chosen` on, the others off. Channels not
    `available` now (no device yet, no verified phone) keep what they had, so adding a
    device later brings back what the member chose or the default."""
    for event in MEMBER_EVENTS:
        for channel in MEMBER_CHANNELS:
            if channel not in available or (channel == Channel.SMS and event not in SMS_EVENTS):
                continue
            Preference.objects.update_or_create(
                workspace=workspace,
                user=user,
                event=event,
                channel=channel,
                defaults={"enabled": (event, channel) in chosen},
            )


# --- Push devices --------------------------------------------------------------------------


@transaction.atomic
def push_subscription_save(
    *, workspace, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "", label: str = ""
) -> PushSubscription:
    """Store a device's subscription. The same endpoint again (the browser renewed its keys,
    or another member signed in on that device) updates the one row."""
    from apps.webhooks.destinations import destination_problem

    problem = destination_problem(endpoint)
    if problem:
        raise NotificationError(problem)
    defaults = {"user": user, "p256dh": p256dh, "auth": auth}
    if user_agent or label:  # keep the name a member knows unless there is a better one
        defaults["user_agent"] = user_agent[:300]
        defaults["label"] = (label or _device_label(user_agent))[:100]
    subscription, _created = PushSubscription.objects.update_or_create(
        workspace=workspace, endpoint=endpoint, defaults=defaults
    )
    return subscription


def _device_label(user_agent: str) -> str:
    """A name a person recognises: "Chrome on Android", not the whole user agent."""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in user_agent
        ),
        _("Browser"),
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Mac OS X", "macOS"),
                ("Windows", "Windows"),
                ("Linux", "Linux"),
            )
            if key in user_agent
        ),
        "",
    )
    return (
        _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
        if system
        else browser
    )


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    subscription.delete()


# --- Phone numbers -------------------------------------------------------------------------

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
CODE_VALID = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)


def normalise_phone(raw: str) -> str:
    """ "+49 (151) 234-5678" → "+491512345678"; a leading 00 is taken for +."""
    number = re.sub(r"[\s().\-/]", "", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if not E164.match(number):
        raise NotificationError(
            _("Enter the number in international form, starting with + and the country code.")
        )
    return number


def _code_hash(phone: PhoneNumber, code: str) -> str:
    # Keyed with the secret key and bound to the row and number: a leaked hash of six
    # digits is otherwise guessed in a million tries.
    return salted_hmac("notifications.phone-code", f"{phone.pk}:{phone.number}:{code}").hexdigest()


def phone_set(*, workspace, user, raw_number: str) -> PhoneNumber:
    """Store a (new) number for the member, unverified, and text it a code. The number is
    stored first and the text sent after that commit, never inside it: the provider may
    take seconds to answer. A code that could not be sent can be asked for again at once."""
    if not sms.sms_configured():
        raise NotificationError(_("Text messages are not offered on this server."))
    number = normalise_phone(raw_number)
    with transaction.atomic():
        phone = owned(PhoneNumber, workspace=workspace).filter(user=user).first()
        if phone is not None and phone.number == number and phone.verified_at:
            return phone
        phone = phone or PhoneNumber(workspace=workspace, user=user)
        phone.number = number
        phone.verified_at = None
        phone.opted_out_at = None
        phone.sms_enabled = True
        phone.code_sent_at = None
        phone.save()
    return phone_send_code(phone=phone)


def phone_send_code(*, phone: PhoneNumber) -> PhoneNumber:
    """Text a fresh 6-digit code (at most once a minute); the previous code stops working.
    The code is stored (a short write of its own), then sent with no transaction held."""
    now = timezone.now()
    if phone.code_sent_at and now - phone.code_sent_at < CODE_RESEND_AFTER:
        raise NotificationError(
            _("A code was sent a moment ago. Wait a minute before asking again.")
        )
    code = f"{secrets.randbelow(10**6):06d}"
    phone.code_hash = _code_hash(phone, code)
    phone.code_sent_at = now
    phone.code_expires_at = now + CODE_VALID
    phone.code_attempts = 0
    phone.save(update_fields=["code_hash", "code_sent_at", "code_expires_at", "code_attempts"])
    try:
        sms.send(
            to=phone.number,
            body=_("Your TechLead AutoPilot code is %(code)s. It expires in 10 minutes.")
            % {"code": code},
        )
    except sms.SmsError as error:
        # Nothing reached the member: no code to type, and no minute to wait for a new one.
        phone.code_hash, phone.code_sent_at, phone.code_expires_at = "", None, None
        phone.save(update_fields=["code_hash", "code_sent_at", "code_expires_at"])
        raise NotificationError(
            _("The code could not be sent: %(error)s") % {"error": error}
        ) from error
    return phone


def phone_verify(*, phone: PhoneNumber, code: str) -> PhoneNumber:
    """Check a code typed by the member. Wrong codes count; after CODE_MAX_ATTEMPTS, or once
    expired, only a new code helps. Not atomic on purpose: a failed try must be counted even
    though an error is raised."""
    if phone.verified_at:
        return phone
    if not phone.code_hash or phone.code_expires_at is None:
        raise NotificationError(_("Ask for a code first."))
    if timezone.now() >= phone.code_expires_at:
        raise NotificationError(_("This code has expired. Ask for a new one."))
    # Count the try before comparing, with a conditional update: parallel guesses cannot
    # slip past the limit.
    counted = PhoneNumber.objects.filter(
        pk=phone.pk, code_attempts__lt=CODE_MAX_ATTEMPTS, code_hash=phone.code_hash
    ).update(code_attempts=phone.code_attempts + 1)
    if not counted:
        raise NotificationError(_("Too many wrong codes. Ask for a new one."))
    phone.code_attempts += 1
    if not constant_time_compare(_code_hash(phone, (code or "").strip()), phone.code_hash):
        left = CODE_MAX_ATTEMPTS - phone.code_attempts
        if left <= 0:
            raise NotificationError(_("Too many wrong codes. Ask for a new one."))
        raise NotificationError(_("That code is not right. %(left)d tries left.") % {"left": left})
    phone.verified_at = timezone.now()
    phone.code_hash = ""
    phone.code_expires_at = None
    phone.save(update_fields=["verified_at", "code_hash", "code_expires_at"])
    return phone


def phone_update_sms(*, phone: PhoneNumber, sms_enabled: bool, sms_threshold: int) -> PhoneNumber:
    """The member's own switch and score for SMS. Turning it on again after a STOP reply
    clears the opt-out: they have texted START to the provider's number (the page says so)."""
    phone.sms_enabled = sms_enabled
    phone.sms_threshold = sms_threshold
    if sms_enabled:
        phone.opted_out_at = None
    phone.save(update_fields=["sms_enabled", "sms_threshold", "opted_out_at"])
    return phone


def phone_delete(*, phone: PhoneNumber) -> None:
    phone.delete()
