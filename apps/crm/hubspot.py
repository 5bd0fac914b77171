"""HubSpot, through a private app's access token (CRM API v3: objects contacts, deals, notes
with associations, and the search endpoint). The only code that talks to HubSpot.

Scopes the private app needs: crm.objects.contacts.read/write, crm.objects.deals.read/write."""

from __future__ import annotations

import requests
from django.conf import settings
from django.utils import timezone

from apps.crm.client import Deal, Person, send

NAME = "HubSpot"
# HubSpot-defined association types (v3 "types" with associationCategory HUBSPOT_DEFINED).
DEAL_TO_CONTACT = 3
NOTE_TO_CONTACT = 202
NOTE_TO_DEAL = 214
LINKEDIN_PROPERTY = "hs_linkedin_url"
# The default sales pipeline's stages, used where the owner mapped nothing.
DEFAULT_STAGES = {
    "new": "appointmentscheduled",
    "contacted": "qualifiedtobuy",
    "qualified": "presentationscheduled",
    "converted": "closedwon",
    "lost": "closedlost",
}


def _association(to_id: str, type_id: int) -> dict:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


class HubSpotClient:
    def __init__(self, token: str, *, base_url: str | None = None):
        self.base_url = (base_url or settings.CRM_HUBSPOT_API_BASE).rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )

    def _send(self, method: str, path: str, **kwargs) -> dict:
        return send(self.session, method, f"{self.base_url}{path}", NAME, **kwargs)

    def _search(self, object_type: str, filters: list[dict]) -> str | None:
        body = {"filterGroups": [{"filters": filters}], "properties": ["hs_object_id"], "limit": 1}
        found = self._send("POST", f"/crm/v3/objects/{object_type}/search", json=body)
        results = found.get("results") or []
        return str(results[0]["id"]) if results else None

    def check(self) -> None:
        self._send("GET", "/crm/v3/objects/contacts", params={"limit": 1})

    def find_contact(self, person: Person) -> str | None:
        # LinkedIn profile first, then e-mail, then name and company together.
        if person.linkedin_url:
            found = self._search(
                "contacts",
                [
                    {
                        "propertyName": LINKEDIN_PROPERTY,
                        "operator": "EQ",
                        "value": person.linkedin_url,
                    }
                ],
            )
            if found:
                return found
        if person.email:
            found = self._search(
                "contacts", [{"propertyName": "email", "operator": "EQ", "value": person.email}]
            )
            if found:
                return found
        if person.name and person.company:
            filters = [
                {"propertyName": "firstname", "operator": "EQ", "value": person.first_name},
                {"propertyName": "company", "operator": "EQ", "value": person.company},
            ]
            if person.last_name:
                filters.append(
                    {"propertyName": "lastname", "operator": "EQ", "value": person.last_name}
                )
            return self._search("contacts", filters)
        return None

    @staticmethod
    def _contact_properties(person: Person) -> dict:
        properties = {
            "firstname": person.first_name,
            "lastname": person.last_name,
            "jobtitle": person.headline[:250],
            "company": person.company,
            "email": person.email,
            LINKEDIN_PROPERTY: person.linkedin_url,
        }
        # Only what we know: an empty value would wipe what the consultant typed in HubSpot.
        return {key: value for key, value in properties.items() if value}

    def create_contact(self, person: Person) -> str:
        created = self._send(
            "POST",
            "/crm/v3/objects/contacts",
            json={"properties": self._contact_properties(person)},
        )
        return str(created["id"])

    def update_contact(self, contact_id: str, person: Person) -> None:
        self._send(
            "PATCH",
            f"/crm/v3/objects/contacts/{contact_id}",
            json={"properties": self._contact_properties(person)},
        )

    def find_deal(self, title: str) -> str | None:
        return self._search(
            "deals", [{"propertyName": "dealname", "operator": "EQ", "value": title}]
        )

    @staticmethod
    def _deal_properties(deal: Deal) -> dict:
        properties = {
            "dealname": deal.title,
            "pipeline": "default",
            "dealstage": deal.stage or DEFAULT_STAGES.get(deal.status, ""),
        }
        if deal.value is not None:
            properties["amount"] = str(deal.value)
        return {key: value for key, value in properties.items() if value}

    def create_deal(self, deal: Deal, *, contact_id: str) -> str:
        body = {
            "properties": self._deal_properties(deal),
            "associations": [_association(contact_id, DEAL_TO_CONTACT)],
        }
        return str(self._send("POST", "/crm/v3/objects/deals", json=body)["id"])

    def update_deal(self, deal_id: str, deal: Deal) -> None:
        properties = self._deal_properties(deal)
        properties.pop("dealname")  # the consultant may have renamed it in HubSpot
        self._send("PATCH", f"/crm/v3/objects/deals/{deal_id}", json={"properties": properties})

    def add_note(self, text: str, *, contact_id: str, deal_id: str) -> str:
        body = {
            "properties": {
                "hs_note_body": text,
                "hs_timestamp": timezone.now().isoformat(timespec="milliseconds"),
            },
            "associations": [
                _association(contact_id, NOTE_TO_CONTACT),
                _association(deal_id, NOTE_TO_DEAL),
            ],
        }
        return str(self._send("POST", "/crm/v3/objects/notes", json=body)["id"])
