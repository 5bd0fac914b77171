"""Every form of the app, driven with hostile input by Hypothesis.

The forms are not listed by hand: every URL of ours is fetched as an owner (who is staff
too) in a workspace with one of everything (tests/security_world.py), and every POST form
on those pages is collected, with its fields. A new form is fuzzed without anybody
remembering to add it. Each form then gets

- one submission with a script payload in every field, so that stored payloads exist, and
- Hypothesis examples mixing the form's own values with very long strings, control
  characters, HTML and script, SQL fragments, invalid UTF-8 (lone surrogates), numbers,
  dates and lists where one value belongs, and missing fields.

Nothing may answer 5xx (the test client raises the view's exception, so a crash fails the
test with its traceback). Afterwards every page is fetched again and no page may contain a
stored payload unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security_world import build_world, our_routes, url_for

SCRIPT = "<script>alert('xss-fuzz')</script>"
ATTRIBUTE_BREAK = "\"'><img src=x onerror=alert('xss-fuzz')>"
UNESCAPED = ("<script>alert('xss-fuzz')", "<img src=x onerror=alert('xss-fuzz')>")

HOSTILE_VALUES = [
    SCRIPT,
    ATTRIBUTE_BREAK,
    "' OR '1'='1' --",
    "'; DROP TABLE accounts_user; --",
    "1; SELECT pg_sleep(10)",
    "\x00",
    "a\x00b\x01\x08\x0b\x1b[31m\x7f",
    "\r\n\r\nSet-Cookie: x=1",
    "\ud800",  # a lone surrogate: sent as invalid UTF-8
    "ok\udfffok",
    "\u202e\u2066\ufeff\u200b",
    "🦄" * 50,
    "x" * 10_000,
    "y" * 200_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "3.5",
    "2026-02-30",
    "25:61",
    "9999-12-31T23:59",
    "../../../etc/passwd",
    "javascript:alert(1)",
    "http://",
    "http://169.254.169.254/latest/meta-data/",
    "[]",
    "{}",
    "null",
    "true",
    "",
    " ",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(alphabet=st.characters(codec=None), max_size=300),
)
# A field's value: its own, a hostile one, several values, or none at all.
field_value = st.one_of(
    hostile_text.map(lambda value: [value]),
    st.lists(hostile_text, min_size=2, max_size=3),
    st.just([]),
)


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> its own values


class FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            post = method == "post" or "hx-post" in attributes
            action = attributes.get("hx-post") or attributes.get("action") or self.page
            self.current = Form(self.page, action) if post else None
            if self.current:
                self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attributes.get("name")
        if tag in ("input", "textarea", "button") and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                self.current.fields.setdefault(name, [])
            else:
                self.current.fields.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "select" and name:
            self.select = name
            self.current.fields.setdefault(name, [])
        elif tag == "option" and self.select:
            self.current.fields[self.select].append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def is_ours(action: str) -> bool:
    path = urlsplit(action).path
    if path.startswith(("/accounts/", "/admin/", "/i18n/")):
        return False  # Django's and allauth's own (signing out would end the run)
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def pages(client, world) -> dict[str, str]:
    found = {}
    for route in our_routes():
        url = url_for(route, world)
        if url is None:
            continue
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found[url] = response.content.decode()
    return found


def discover_forms(client, world) -> list[Form]:
    forms: dict[str, Form] = {}
    for url, html in pages(client, world).items():
        parser = FormParser(url)
        parser.feed(html)
        for form in parser.forms:
            if is_ours(form.action):
                forms.setdefault(urlsplit(form.action).path, form)
    return list(forms.values())


def encode(values: dict[str, list[str]]) -> bytes:
    """A form body, byte for byte: lone surrogates become invalid UTF-8, as a broken or
    hostile client would send them."""
    pairs = []
    for name, items in values.items():
        for value in items:
            raw = value.encode("utf-8", "surrogatepass")
            pairs.append(quote_from_bytes(name.encode()) + "=" + quote_from_bytes(raw))
    return "&".join(pairs).encode("ascii")


def post(client, form: Form, values: dict[str, list[str]], *, htmx: bool = False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.generic(
        "POST",
        urlsplit(form.action).path,
        encode(values),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
    assert response.status_code < 500, (form.action, values, response.status_code)
    # Still signed in: a redirect to the sign-in page would mean nothing was really tested.
    assert "/accounts/login/" not in response.get("Location", ""), form.action
    return response


def fuzz(client, form: Form, examples: int):
    names = sorted(form.fields)
    own = st.sampled_from([form.fields])  # a form's own values, to reach deeper validation

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        choices=st.fixed_dictionaries(
            {name: st.one_of(field_value, own.map(lambda f, n=name: f[n][:1])) for name in names}
        ),
        htmx=st.booleans(),
    )
    def run(choices, htmx):
        post(client, form, choices, htmx=htmx)

    run()


# Forms that must be found: if discovery breaks, this says so instead of fuzzing nothing.
EXPECTED_ACTIONS = {
    "/app/workspaces/new/",
    "/app/preferences/",
    "/w/alice-co/settings/",
    "/w/alice-co/settings/profile/",
    "/w/alice-co/settings/members/invite/",
    "/w/alice-co/content/new/",
    "/w/alice-co/content/9001/",
    "/w/alice-co/settings/slots/",
    "/w/alice-co/leads/9001/status/",
    "/w/alice-co/leads/import/",
    "/w/alice-co/settings/leads/",
    "/w/alice-co/settings/notifications/",
    "/w/alice-co/settings/webhooks/new/",
}


@pytest.mark.django_db
def test_every_form_survives_hostile_input_and_stores_nothing_that_renders_as_markup(
    alice, alice_workspace, alice_client
):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    world = build_world(workspace=alice_workspace, owner=alice)
    forms = discover_forms(alice_client, world)
    actions = {urlsplit(form.action).path for form in forms}
    assert actions >= EXPECTED_ACTIONS, sorted(EXPECTED_ACTIONS - actions)

    # Destructive forms last, so the others still find their objects; deleting the
    # workspace or the account (data rights) at the very end.
    destructive = ("delete", "remove", "erase", "revoke", "archive")
    forms.sort(
        key=lambda form: (
            "/data/" in form.action or "/account" in form.action,
            any(word in form.action for word in destructive),
        )
    )
    for form in forms:
        names = sorted(form.fields)
        payloads = {name: [SCRIPT if i % 2 else ATTRIBUTE_BREAK] for i, name in enumerate(names)}
        post(alice_client, form, payloads)
        fuzz(alice_client, form, examples=12)

    alice_client.force_login(alice)
    rendered = pages(alice_client, world)
    for url, html in rendered.items():
        for marker in UNESCAPED:
            assert marker not in html, f"{url} renders a stored payload unescaped"
    # Payloads were stored and shown (escaped): the check above had something to find.
    shown = [url for url, html in rendered.items() if "&lt;script&gt;alert(" in html]
    assert len(shown) >= 5, shown


def test_the_form_parser_finds_fields_values_and_htmx_forms():
    parser = FormParser("/page/")
    parser.feed(
        '<form method="post" action="/a/"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="t"><input name="title" value="Hi"><textarea name="body"></textarea>'
        '<select name="role"><option value="viewer">V</option><option value="owner">O</option>'
        '</select><input type="checkbox" name="on"></form>'
        '<form hx-post="/b/"><input name="q"></form><form method="get"><input name="s"></form>'
    )
    assert [(form.action, form.fields) for form in parser.forms] == [
        (
            "/a/",
            {
                "csrfmiddlewaretoken": ["t"],
                "title": ["Hi"],
                "body": [""],
                "role": ["viewer", "owner"],
                "on": [],
            },
        ),
        ("/b/", {"q": [""]}),
    ]


def test_invalid_utf8_goes_out_as_invalid_bytes():
    assert encode({"a": ["\ud800"], "b": ["x", "y"]}) == b"a=%ED%A0%80&b=x&b=y"
