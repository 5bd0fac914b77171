"""German without gaps: the main pages of a workspace, rendered in German, contain no English
sentence. The catalogue test (test_translations.py) proves every marked string has a
translation; this one catches a string that was never marked, or was translated too early
(at import time, in English)."""

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/w/alice-co/",
    "/w/alice-co/content/",
    "/w/alice-co/calendar/",
    "/w/alice-co/leads/",
    "/w/alice-co/leads/forwarding/",
    "/w/alice-co/analytics/import/",
    "/w/alice-co/notifications/",
    "/w/alice-co/settings/profile/",
    "/w/alice-co/settings/",
    "/w/alice-co/settings/members/",
    "/w/alice-co/settings/slots/",
    "/w/alice-co/settings/linkedin/",
    "/w/alice-co/health/",
]

# Words no German sentence uses; two of them in one text node is an English sentence.
ENGLISH = re.compile(r"\b(the|your|you|and|with|this|that|from|will|are|is|of|to)\b")
# What the user typed, and names that stay English in German (product, LinkedIn scopes).
ALLOWED = ("Fractional CTO for fintech", "TechLead AutoPilot")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.skip = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "textarea"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "textarea") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.chunks.append(text)


def _english_sentences(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    found = []
    for chunk in parser.chunks:
        if any(allowed in chunk for allowed in ALLOWED):
            continue
        if len(ENGLISH.findall(chunk)) >= 2:
            found.append(chunk)
    return found


@pytest.mark.parametrize("path", PAGES)
def test_a_german_page_has_no_english_sentence(alice_client, alice_workspace, path):
    alice_client.cookies["django_language"] = "de"
    response = alice_client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert 'lang="de"' in response.text
    assert _english_sentences(response.text) == []


def test_the_dashboard_and_a_lead_with_figures_have_no_english_sentence(
    alice_client, alice_workspace
):
    from apps.analytics.tests.test_dashboard import make_lead, make_post

    post = make_post(alice_workspace, days_ago=2, impressions=1200, reactions=30, comments=4)
    lead = make_lead(alice_workspace, post, n=1, value=12000)
    alice_client.cookies["django_language"] = "de"
    for path in ("/w/alice-co/", f"/w/alice-co/leads/{lead.pk}/", "/w/alice-co/leads/"):
        html = alice_client.get(path, HTTP_ACCEPT_LANGUAGE="de").text
        assert _english_sentences(html) == [], path
    dashboard = alice_client.get("/w/alice-co/", HTTP_ACCEPT_LANGUAGE="de").text
    assert "12.000\u00a0€" in dashboard  # money as Germans write it


def test_the_check_finds_the_english_sentences_of_an_english_page(alice_client, alice_workspace):
    alice_client.cookies["django_language"] = "en"
    html = alice_client.get("/w/alice-co/", HTTP_ACCEPT_LANGUAGE="en").text
    assert len(_english_sentences(html)) >= 5


def test_the_drafting_panel_in_every_state_has_no_english_sentence(
    alice_client, alice, alice_workspace
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.content.models import DraftingJob

    long_ago = timezone.now() - timedelta(minutes=5)
    jobs = [
        DraftingJob(kind=DraftingJob.Kind.WEEK, count=3, created_at=long_ago),  # no worker
        DraftingJob(kind=DraftingJob.Kind.WEEK, count=3, state=DraftingJob.State.RUNNING),
        DraftingJob(  # its worker went quiet
            kind=DraftingJob.Kind.WEEK,
            count=3,
            state=DraftingJob.State.RUNNING,
            heartbeat_at=long_ago,
        ),
        DraftingJob(kind=DraftingJob.Kind.ONE, state=DraftingJob.State.FAILED, error="crashed"),
        DraftingJob(
            kind=DraftingJob.Kind.WEEK, count=5, state=DraftingJob.State.FAILED, error="time_limit"
        ),
        DraftingJob(kind=DraftingJob.Kind.WEEK, count=2, state=DraftingJob.State.DONE),
    ]
    alice_client.cookies["django_language"] = "de"
    for job in jobs:
        job.workspace, job.author = alice_workspace, alice
        job.save()
        html = alice_client.get(
            f"/w/alice-co/content/drafting/{job.pk}/", HTTP_ACCEPT_LANGUAGE="de"
        ).text
        assert _english_sentences(html) == [], job.state
        assert 'lang="de"' in html
