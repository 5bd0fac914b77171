"""The only code that talks to Web Push services (RFC 8030), through pywebpush: the payload
encrypted to the device's keys (aes128gcm, RFC 8291) and signed with our VAPID key (RFC 8292).

A push endpoint is an address the member's browser chose, so it gets the same guard as a
webhook destination (only globally routable addresses unless WEBHOOKS_ALLOW_LOCAL), the
request goes to the address that was checked, and redirects are not followed."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pywebpush import WebPushException, webpush

from apps.webhooks.destinations import DestinationRefused, destination_check, pinned_session

TIMEOUT_SECONDS = 10
# How long a push service keeps trying to reach a switched-off phone: a lead alert older
# than a day is in the digest anyway.
TTL_SECONDS = 24 * 3600


class PushError(Exception):
    """The push service did not take the message; the text says why."""


class PushGone(PushError):
    """The subscription no longer exists (404/410): the device unsubscribed or expired."""


@dataclass(frozen=True)
class VapidKeys:
    public_key: str  # base64url, uncompressed P-256 point: the browser's applicationServerKey
    private_key: str  # base64url, the raw 32-byte secret


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_keys_new() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(
        public_key=_b64url(public),
        private_key=_b64url(key.private_numbers().private_value.to_bytes(32, "big")),
    )


def push_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def send(*, endpoint: str, p256dh: str, auth: str, payload: dict, urgency: str = "normal") -> None:
    """Send `payload` (JSON) to one subscription. Raises PushGone or PushError."""
    try:
        destination = destination_check(endpoint)
    except DestinationRefused as refused:
        raise PushError(str(refused)) from None
    session = pinned_session(destination)
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes the audience and expiry into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            timeout=TIMEOUT_SECONDS,
            ttl=TTL_SECONDS,
            headers={"Urgency": urgency},
            requests_session=session,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(f"HTTP {status}: the device is no longer subscribed") from error
        raise PushError(f"HTTP {status}" if status else str(error)[:200]) from error
    except requests.RequestException as error:
        raise PushError(f"Could not reach the push service: {type(error).__name__}") from error
    except (ValueError, TypeError) as error:  # bad keys stored for the device
        raise PushError(f"The device's keys are not usable: {error}"[:200]) from error
    finally:
        session.close()
