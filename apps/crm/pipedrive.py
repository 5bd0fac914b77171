"""Pipedrive, through a user's API token (API v1: persons, deals, notes and their search
endpoints; the token travels in the x-api-token header, not the URL, so it stays out of
logs). The only code that talks to Pipedrive.

Pipedrive has no standard LinkedIn field: a person's LinkedIn URL is searched in custom
fields, where most accounts keep it; a match by e-mail, then by name and organization
follows."""

from __future__ import annotations

import requests
from django.conf import settings

from apps.crm.client import CrmRejected, Deal, Person, send

NAME = "Pipedrive"
# A lead's status -> a deal's status. Stages are per account: only the owner's mapping sets one.
DEAL_STATUS = {"converted": "won", "lost": "lost"}


class PipedriveClient:
    def __init__(self, token: str, *, base_url: str | None = None):
        self.base_url = (base_url or settings.CRM_PIPEDRIVE_API_BASE).rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"x-api-token": token, "Accept": "application/json"})

    def _send(self, method: str, path: str, **kwargs) -> dict:
        answer = send(self.session, method, f"{self.base_url}{path}", NAME, **kwargs)
        if answer.get("success") is False:
            raise CrmRejected(f"Pipedrive refused: {answer.get('error', '')}"[:300])
        return answer.get("data") or {}

    def _search_persons(self, term: str, field: str) -> list[dict]:
        data = self._send(
            "GET",
            "/persons/search",
            params={"term": term, "fields": field, "exact_match": "true", "limit": 10},
        )
        return [entry["item"] for entry in data.get("items") or []]

    def check(self) -> None:
        self._send("GET", "/users/me")

    def find_contact(self, person: Person) -> str | None:
        if person.linkedin_url:
            found = self._search_persons(person.linkedin_url, "custom_fields")
            if found:
                return str(found[0]["id"])
        if person.email:
            found = self._search_persons(person.email, "email")
            if found:
                return str(found[0]["id"])
        if person.name and person.company:
            for item in self._search_persons(person.name, "name"):
                organization = (item.get("organization") or {}).get("name") or ""
                if organization.casefold() == person.company.casefold():
                    return str(item["id"])
        return None

    @staticmethod
    def _person_body(person: Person) -> dict:
        body = {"name": person.name or person.headline or "LinkedIn lead"}
        if person.email:
            body["email"] = [{"value": person.email, "primary": True, "label": "work"}]
        return body

    def create_contact(self, person: Person) -> str:
        return str(self._send("POST", "/persons", json=self._person_body(person))["id"])

    def update_contact(self, contact_id: str, person: Person) -> None:
        self._send("PUT", f"/persons/{contact_id}", json=self._person_body(person))

    def find_deal(self, title: str) -> str | None:
        data = self._send(
            "GET",
            "/deals/search",
            params={"term": title, "fields": "title", "exact_match": "true", "limit": 1},
        )
        items = data.get("items") or []
        return str(items[0]["item"]["id"]) if items else None

    @staticmethod
    def _deal_body(deal: Deal) -> dict:
        body = {"status": DEAL_STATUS.get(deal.status, "open")}
        if deal.value is not None:
            body["value"] = float(deal.value)
            body["currency"] = "EUR"
        if deal.stage:
            try:
                body["stage_id"] = int(deal.stage)
            except ValueError:
                raise CrmRejected(f"Pipedrive stage ids are numbers, not {deal.stage!r}.") from None
        return body

    def create_deal(self, deal: Deal, *, contact_id: str) -> str:
        body = {"title": deal.title, "person_id": int(contact_id), **self._deal_body(deal)}
        return str(self._send("POST", "/deals", json=body)["id"])

    def update_deal(self, deal_id: str, deal: Deal) -> None:
        self._send("PUT", f"/deals/{deal_id}", json=self._deal_body(deal))

    def add_note(self, text: str, *, contact_id: str, deal_id: str) -> str:
        body = {"content": text, "deal_id": int(deal_id), "person_id": int(contact_id)}
        return str(self._send("POST", "/notes", json=body)["id"])
