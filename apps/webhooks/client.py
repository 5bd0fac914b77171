"""The only code that sends webhooks: one signed POST, with timeouts, to the address the
destination check approved (no second DNS lookup), never following redirects (a redirect
could lead to an address the check refused). A failed answer is recorded by its status
code only: the receiver's body is not stored, since admins read the delivery log and a
body is whatever the receiver (or whoever controls it) chose to put there."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings

from apps.webhooks import signing
from apps.webhooks.destinations import DestinationRefused, destination_check, pinned_session

USER_AGENT = "TechLeadAutoPilot-Webhooks/1"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str = ""


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10.0))


def send(*, url: str, secret: str, event_id: str, body: bytes) -> DeliveryResult:
    """POST `body` to `url`, signed. A 2xx answer is success; anything else, a refused
    destination, a timeout or a connection error is a failure described in `error`."""
    try:
        destination = destination_check(url)
    except DestinationRefused as refused:
        return DeliveryResult(ok=False, error=str(refused))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.signed_headers(secret=secret, event_id=event_id, body=body),
    }
    timeout = _timeout()
    # requests' read timeout bounds each wait for data, not the whole answer; a receiver
    # dripping bytes is stopped by the task's time limit instead.
    try:
        with (
            pinned_session(destination) as session,
            session.post(
                url,
                data=body,
                headers=headers,
                timeout=(min(timeout, 5.0), timeout),
                allow_redirects=False,
                stream=True,  # the answer's body is never read
            ) as response,
        ):
            if 200 <= response.status_code < 300:
                return DeliveryResult(ok=True, status_code=response.status_code)
            return DeliveryResult(
                ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}"
            )
    except requests.Timeout:
        return DeliveryResult(ok=False, error=f"No answer within {timeout:g} s")
    except requests.RequestException as error:
        return DeliveryResult(ok=False, error=f"Could not connect: {type(error).__name__}")
