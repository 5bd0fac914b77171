"""How a webhook is signed, and how its receiver checks it.

Every request carries three headers:

    Webhook-Id:        the event's id (the same on every retry: ignore ids you have seen)
    Webhook-Timestamp: when this attempt was signed, in Unix seconds
    Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed with the secret>

The key is the whole secret as shown, "whsec_" included. The timestamp is inside the signed
text, so an old request cannot be replayed with a fresh timestamp; receivers refuse
timestamps further than a few minutes from their clock. `verify` is the receiver's side,
written the way a customer's code should be (and documented on the settings page).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

ID_HEADER = "Webhook-Id"
TIMESTAMP_HEADER = "Webhook-Timestamp"
SIGNATURE_HEADER = "Webhook-Signature"
VERSION = "v1"


class InvalidSignature(Exception):
    """The request is not from us, was altered, or is too old."""


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    message = str(timestamp).encode() + b"." + _as_bytes(body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, event_id: str, body: bytes | str, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: str(event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{VERSION}={signature(secret, timestamp, body)}",
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    raise InvalidSignature(f"The {name} header is missing.")


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> None:
    """Check a received webhook against the raw request body (before any JSON parsing).

    Raises InvalidSignature unless one `v1=` signature matches and the timestamp is within
    `tolerance` seconds of now. Signatures are compared in constant time."""
    raw_timestamp = _header(headers, TIMESTAMP_HEADER)
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise InvalidSignature("The timestamp is not a number.") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("The timestamp is too far from now.")
    expected = signature(secret, timestamp, body)
    offered = [
        value
        for version, _, value in (
            part.partition("=") for part in _header(headers, SIGNATURE_HEADER).split()
        )
        if version == VERSION
    ]
    if not any(hmac.compare_digest(expected, value) for value in offered):
        raise InvalidSignature("No signature matches.")
