"""Local HubSpot and Pipedrive for the tests, on `responses`: the requests each documents
(paths, methods, auth headers, bodies) and the answers it gives (shapes, status codes, error
bodies), with the records kept in memory so a test can look at what landed in the CRM.

`fail_next(status, times)` makes the next calls answer an error (429, 503, 401...)."""

import itertools
import json
import re
from urllib.parse import parse_qs, urlparse

import responses
from django.conf import settings

HUBSPOT_TOKEN = "pat-eu1-11111111-2222-3333-4444-555555555555"
PIPEDRIVE_TOKEN = "0123456789abcdef0123456789abcdef01234567"


class _Fake:
    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.ids = itertools.count(101)
        self.failures: list[int] = []
        self.calls: list[tuple[str, str]] = []

    def fail_next(self, status: int, times: int = 1) -> None:
        self.failures.extend([status] * times)

    def _answer(self, request, handler):
        self.calls.append((request.method, urlparse(request.url).path))
        if self.failures:
            return self._error(self.failures.pop(0))
        if not self._authorised(request):
            return self._error(401)
        status, body = handler(request)
        return status, {"Content-Type": "application/json"}, json.dumps(body)


class FakeHubSpot(_Fake):
    """CRM v3 objects: POST /crm/v3/objects/{type}, PATCH .../{id}, POST .../search."""

    def __init__(self, mock, token: str = HUBSPOT_TOKEN):
        super().__init__(mock)
        self.token = token
        self.objects: dict[str, dict[str, dict]] = {"contacts": {}, "deals": {}, "notes": {}}
        self.associations: list[tuple[str, str, str, int]] = []  # (from type, id, to id, type)
        base = re.escape(settings.CRM_HUBSPOT_API_BASE)
        for method, pattern, handler in [
            ("POST", rf"{base}/crm/v3/objects/(\w+)/search$", self._search),
            ("POST", rf"{base}/crm/v3/objects/(\w+)$", self._create),
            ("PATCH", rf"{base}/crm/v3/objects/(\w+)/(\d+)$", self._update),
            ("GET", rf"{base}/crm/v3/objects/(\w+)(\?.*)?$", self._list),
        ]:
            mock.add_callback(
                method, re.compile(pattern), callback=lambda r, h=handler: self._answer(r, h)
            )

    def _authorised(self, request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def _error(self, status: int):
        category = {401: "INVALID_AUTHENTICATION", 429: "RATE_LIMITS"}.get(status, "INTERNAL")
        body = {"status": "error", "message": f"fake {status}", "category": category}
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    @staticmethod
    def _type(request) -> str:
        return urlparse(request.url).path.split("/")[4]

    def _record(self, object_type: str, object_id: str) -> dict:
        return {
            "id": object_id,
            "properties": {**self.objects[object_type][object_id], "hs_object_id": object_id},
            "createdAt": "2026-12-01T10:00:00.000Z",
            "updatedAt": "2026-12-01T10:00:00.000Z",
            "archived": False,
        }

    def _search(self, request):
        object_type = self._type(request)
        body = json.loads(request.body)
        groups = body.get("filterGroups") or [{"filters": []}]

        def matches(properties: dict) -> bool:
            return any(
                all(
                    f["operator"] == "EQ"
                    and str(properties.get(f["propertyName"], "")).lower()
                    == str(f["value"]).lower()
                    for f in group["filters"]
                )
                for group in groups
            )

        found = [
            self._record(object_type, object_id)
            for object_id, properties in self.objects[object_type].items()
            if matches(properties)
        ]
        return 200, {"total": len(found), "results": found[: body.get("limit", 10)]}

    def _create(self, request):
        object_type = self._type(request)
        body = json.loads(request.body)
        object_id = str(next(self.ids))
        self.objects[object_type][object_id] = dict(body["properties"])
        for association in body.get("associations", []):
            for kind in association["types"]:
                assert kind["associationCategory"] == "HUBSPOT_DEFINED"
                self.associations.append(
                    (object_type, object_id, association["to"]["id"], kind["associationTypeId"])
                )
        return 201, self._record(object_type, object_id)

    def _update(self, request):
        object_type, object_id = urlparse(request.url).path.split("/")[4:6]
        if object_id not in self.objects[object_type]:
            return 404, {
                "status": "error",
                "message": "Object not found",
                "category": "OBJECT_NOT_FOUND",
            }
        self.objects[object_type][object_id].update(json.loads(request.body)["properties"])
        return 200, self._record(object_type, object_id)

    def _list(self, request):
        object_type = self._type(request)
        return 200, {"results": [self._record(object_type, i) for i in self.objects[object_type]]}


class FakePipedrive(_Fake):
    """API v1: /persons, /deals, /notes, their /search, and /users/me; token in x-api-token."""

    def __init__(self, mock, token: str = PIPEDRIVE_TOKEN):
        super().__init__(mock)
        self.token = token
        self.persons: dict[int, dict] = {}
        self.deals: dict[int, dict] = {}
        self.notes: dict[int, dict] = {}
        self.organizations: dict[int, str] = {}
        base = re.escape(settings.CRM_PIPEDRIVE_API_BASE)
        for method, pattern, handler in [
            ("GET", rf"{base}/users/me$", self._me),
            ("GET", rf"{base}/persons/search(\?.*)?$", self._search_persons),
            ("GET", rf"{base}/deals/search(\?.*)?$", self._search_deals),
            ("POST", rf"{base}/persons$", lambda r: self._create(r, self.persons)),
            ("POST", rf"{base}/deals$", lambda r: self._create(r, self.deals)),
            ("POST", rf"{base}/notes$", lambda r: self._create(r, self.notes)),
            ("PUT", rf"{base}/persons/(\d+)$", lambda r: self._update(r, self.persons)),
            ("PUT", rf"{base}/deals/(\d+)$", lambda r: self._update(r, self.deals)),
        ]:
            mock.add_callback(
                method, re.compile(pattern), callback=lambda r, h=handler: self._answer(r, h)
            )

    def _authorised(self, request) -> bool:
        return request.headers.get("x-api-token") == self.token and "api_token=" not in request.url

    def _error(self, status: int):
        messages = {401: "unauthorized access", 429: "Too many requests"}
        body = {
            "success": False,
            "error": messages.get(status, "Internal error"),
            "errorCode": status,
        }
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def add_person(self, *, name: str, organization: str = "", email: str = "") -> int:
        person_id = next(self.ids)
        org_id = None
        if organization:
            org_id = next(self.ids)
            self.organizations[org_id] = organization
        self.persons[person_id] = {
            "name": name,
            "org_id": org_id,
            "email": [{"value": email, "primary": True}] if email else [],
        }
        return person_id

    def _me(self, request):
        return 200, {"success": True, "data": {"id": 1, "name": "Fake user"}}

    @staticmethod
    def _query(request) -> dict:
        return {key: values[0] for key, values in parse_qs(urlparse(request.url).query).items()}

    def _search_persons(self, request):
        query = self._query(request)
        assert query["exact_match"] == "true"
        term, field = query["term"].lower(), query["fields"]
        items = []
        for person_id, person in self.persons.items():
            values = {
                "name": [person["name"]],
                "email": [e["value"] for e in person.get("email") or []],
                "custom_fields": [v for k, v in person.items() if k.startswith("custom_")],
            }[field]
            if term in (str(v).lower() for v in values):
                org = self.organizations.get(person.get("org_id"))
                items.append(
                    {
                        "result_score": 1.0,
                        "item": {
                            "id": person_id,
                            "type": "person",
                            "name": person["name"],
                            "emails": [e["value"] for e in person.get("email") or []],
                            "organization": {"id": person["org_id"], "name": org} if org else None,
                        },
                    }
                )
        return 200, {"success": True, "data": {"items": items}, "additional_data": {}}

    def _search_deals(self, request):
        query = self._query(request)
        items = [
            {"result_score": 1.0, "item": {"id": deal_id, "type": "deal", "title": deal["title"]}}
            for deal_id, deal in self.deals.items()
            if deal["title"].lower() == query["term"].lower()
        ]
        return 200, {"success": True, "data": {"items": items}, "additional_data": {}}

    def _create(self, request, table):
        record_id = next(self.ids)
        table[record_id] = json.loads(request.body)
        return 201, {"success": True, "data": {"id": record_id, **table[record_id]}}

    def _update(self, request, table):
        record_id = int(urlparse(request.url).path.rsplit("/", 1)[1])
        if record_id not in table:
            return 404, {"success": False, "error": "not found", "errorCode": 404}
        table[record_id].update(json.loads(request.body))
        return 200, {"success": True, "data": {"id": record_id, **table[record_id]}}
