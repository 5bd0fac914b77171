"""The only code that sends text messages. One provider today, Twilio's REST API, chosen by
settings.SMS_PROVIDER ("twilio"); empty means SMS is not offered anywhere in the app.

Tests point TWILIO_API_BASE at a local fake of the API."""

from __future__ import annotations

import requests
from django.conf import settings

TIMEOUT_SECONDS = 10
# Twilio's "Attempt to send to unsubscribed recipient": the person replied STOP.
TWILIO_OPTED_OUT = 21610


class SmsError(Exception):
    """The provider did not take the message; the text says why."""


class SmsOptedOut(SmsError):
    """The recipient opted out with the carrier; sending again will not work."""


def sms_configured() -> bool:
    return settings.SMS_PROVIDER == "twilio" and bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER
    )


def send(*, to: str, body: str) -> str:
    """Send `body` to the E.164 number `to`. Returns the provider's message id."""
    if not sms_configured():
        raise SmsError("SMS is not configured on this server.")
    sid = settings.TWILIO_ACCOUNT_SID
    url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        response = requests.post(
            url,
            data={"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body},
            auth=(sid, settings.TWILIO_AUTH_TOKEN),
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise SmsError(f"Could not reach the SMS provider: {type(error).__name__}") from error
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code in (200, 201):
        return str(answer.get("sid", ""))
    code = answer.get("code")
    message = f"HTTP {response.status_code}" + (
        f" ({code}): {answer.get('message', '')}" if code else ""
    )
    if code == TWILIO_OPTED_OUT:
        raise SmsOptedOut(message[:300])
    raise SmsError(message[:300])
