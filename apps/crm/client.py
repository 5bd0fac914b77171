"""What every CRM client offers (apps/crm/hubspot.py, apps/crm/pipedrive.py), and the errors
they raise. The services speak only this interface, so a third CRM is one more module."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import requests

TIMEOUT = (5, 20)  # connect, read: a slow CRM must not hold a worker for long


class CrmError(Exception):
    """A push that failed; the message goes to the delivery log."""


class CrmAuthError(CrmError):
    """401: the token was revoked or is wrong. Retrying cannot help."""


class CrmTransientError(CrmError):
    """429, 5xx or no answer: worth retrying later."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class CrmRejected(CrmError):
    """Another 4xx: the CRM refused this request as it is (a wrong stage id, say)."""


@dataclass(frozen=True)
class Person:
    """Who the lead is, as far as the workspace knows: nothing is guessed."""

    name: str
    headline: str = ""
    company: str = ""
    email: str = ""
    linkedin_url: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0] if self.name else ""

    @property
    def last_name(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else ""


@dataclass(frozen=True)
class Deal:
    title: str
    value: Decimal | None
    stage: str  # the CRM's stage id from the owner's mapping; "" leaves the CRM's default
    status: str  # the lead's status: new, contacted, qualified, converted, lost


COMPANY_IN_HEADLINE = re.compile(r"\s(?:at|@)\s+(?P<company>[^|,·•]+)", re.IGNORECASE)


def company_from_headline(headline: str) -> str:
    """ "CTO at Acme GmbH | speaker" -> "Acme GmbH"; "" when the headline names none."""
    match = COMPANY_IN_HEADLINE.search(headline or "")
    return match.group("company").strip() if match else ""


class CrmClient(Protocol):
    def find_contact(self, person: Person) -> str | None: ...
    def create_contact(self, person: Person) -> str: ...
    def update_contact(self, contact_id: str, person: Person) -> None: ...
    def find_deal(self, title: str) -> str | None: ...
    def create_deal(self, deal: Deal, *, contact_id: str) -> str: ...
    def update_deal(self, deal_id: str, deal: Deal) -> None: ...
    def add_note(self, text: str, *, contact_id: str, deal_id: str) -> str: ...
    def check(self) -> None: ...


def raise_for(response: requests.Response, crm: str) -> None:
    """Turn an error answer into the error the services act on."""
    if response.status_code < 400:
        return
    detail = response.text[:200]
    if response.status_code == 401:
        raise CrmAuthError(f"{crm} refused the token (401): {detail}")
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After")
        raise CrmTransientError(
            f"{crm} answered {response.status_code}: {detail}",
            retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    raise CrmRejected(f"{crm} answered {response.status_code}: {detail}")


def send(session: requests.Session, method: str, url: str, crm: str, **kwargs) -> dict:
    try:
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise CrmTransientError(f"{crm} did not answer: {error}") from None
    raise_for(response, crm)
    return response.json() if response.content else {}
