"""The only code that sends webhooks: one signed POST, with timeouts, never following
redirects (a redirect could lead to an address the destination check refused)."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings

from apps.webhooks import signing
from apps.webhooks.destinations import destination_problem

USER_AGENT = "TechLeadAutoPilot-Webhooks/1"
RESPONSE_EXCERPT_BYTES = 200


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
    problem = destination_problem(url)
    if problem:
        return DeliveryResult(ok=False, error=problem)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.signed_headers(secret=secret, event_id=event_id, body=body),
    }
    timeout = _timeout()
    # requests' read timeout bounds each wait for data, not the whole answer; a receiver
    # dripping bytes is stopped by the task's time limit instead.
    try:
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=(min(timeout, 5.0), timeout),
            allow_redirects=False,
            stream=True,  # the answer's body is not needed beyond a short excerpt
        ) as response:
            if 200 <= response.status_code < 300:
                return DeliveryResult(ok=True, status_code=response.status_code)
            excerpt = next(response.iter_content(RESPONSE_EXCERPT_BYTES), b"")
            text = excerpt.decode("utf-8", "replace").strip()
            return DeliveryResult(
                ok=False,
                status_code=response.status_code,
                error=f"HTTP {response.status_code}" + (f": {text}" if text else ""),
            )
    except requests.Timeout:
        return DeliveryResult(ok=False, error=f"No answer within {timeout:g} s")
    except requests.RequestException as error:
        return DeliveryResult(ok=False, error=f"Could not connect: {type(error).__name__}")
