"""Leads through the API: the inbox with filters, one lead, pipeline updates (audited)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.leads.models import Lead

from .conftest import make_lead

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/w/alice-co/leads/"


@pytest.fixture
def leads(alice_workspace, published_post):
    hot = make_lead(alice_workspace, name="Hannah", score=91, post=published_post)
    warm = make_lead(alice_workspace, name="Walter", score=64, status=Lead.Status.CONTACTED)
    wrong = make_lead(alice_workspace, name="Spam", score=20, status=Lead.Status.NOT_A_LEAD)
    Lead.objects.filter(pk=warm.pk).update(created_at=timezone.now() - timedelta(days=10))
    return hot, warm, wrong


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_the_inbox_lists_leads_by_score_without_those_marked_not_a_lead(alice_api, leads):
    hot, warm, _ = leads

    response = alice_api.get(LEADS)

    assert ids(response) == [hot.pk, warm.pk]
    assert response.json()["results"][0]["name"] == "Hannah"


def test_the_inbox_filters_by_status_score_and_date(alice_api, leads):
    hot, warm, wrong = leads
    today = timezone.now().date()

    assert ids(alice_api.get(LEADS, {"status": "contacted"})) == [warm.pk]
    assert ids(alice_api.get(LEADS, {"status": "not_a_lead"})) == [wrong.pk]
    assert ids(alice_api.get(LEADS, {"min_score": 70})) == [hot.pk]
    assert ids(alice_api.get(LEADS, {"created_after": str(today - timedelta(days=2))})) == [hot.pk]
    assert ids(alice_api.get(LEADS, {"created_before": str(today - timedelta(days=2))})) == [
        warm.pk
    ]
    assert ids(alice_api.get(LEADS, {"intent": "pricing_question", "sort": "newest"})) == [
        hot.pk,
        warm.pk,
    ]


def test_bad_filters_are_a_400_naming_each(alice_api):
    response = alice_api.get(LEADS, {"min_score": "hot", "created_after": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"min_score", "created_after"}


def test_a_lead_comes_with_its_comments(alice_api, leads, published_post):
    hot = leads[0]

    row = alice_api.get(f"{LEADS}{hot.pk}/").json()

    assert row["score"] == 91
    assert [(c["text"], c["post"]) for c in row["comments"]] == [("Rate?", published_post.pk)]


def test_bob_moves_a_lead_with_value_and_notes_and_it_is_audited(bob_api, bob, leads):
    hot = leads[0]

    response = bob_api.patch(
        f"{LEADS}{hot.pk}/",
        {"status": "qualified", "value_eur": "12000.00", "notes": "Call on Monday"},
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["value_eur"]) == ("qualified", "12000.00")
    hot.refresh_from_db()
    assert (hot.status, hot.notes, hot.value_eur) == ("qualified", "Call on Monday", 12000)
    assert AuditEvent.objects.filter(action="lead.status_changed", actor=bob).exists()


def test_a_patch_changes_only_what_it_names(alice_api, leads):
    hot = leads[0]
    alice_api.patch(f"{LEADS}{hot.pk}/", {"value_eur": "500", "notes": "keep"})

    alice_api.patch(f"{LEADS}{hot.pk}/", {"follow_up_on": "2031-01-02"})

    hot.refresh_from_db()
    assert (hot.value_eur, hot.notes, str(hot.follow_up_on)) == (500, "keep", "2031-01-02")


def test_a_negative_value_and_unknown_status_are_a_400(alice_api, leads):
    hot = leads[0]

    response = alice_api.patch(f"{LEADS}{hot.pk}/", {"value_eur": "-5", "status": "won"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"value_eur", "status"}
    hot.refresh_from_db()
    assert hot.status == Lead.Status.NEW


def test_a_viewer_token_reads_leads_but_cannot_change_them(alice_viewer_api, leads):
    hot = leads[0]

    assert alice_viewer_api.get(f"{LEADS}{hot.pk}/").status_code == 200
    assert alice_viewer_api.patch(f"{LEADS}{hot.pk}/", {"status": "lost"}).status_code == 403
    hot.refresh_from_db()
    assert hot.status == Lead.Status.NEW


def test_leads_cannot_be_created_replaced_or_deleted(alice_api, leads):
    hot = leads[0]

    assert alice_api.post(LEADS, {}).status_code == 405
    assert alice_api.put(f"{LEADS}{hot.pk}/", {}).status_code == 405
    assert alice_api.delete(f"{LEADS}{hot.pk}/").status_code == 405


def test_charlie_gets_404_for_alices_leads(charlie_api, leads):
    hot = leads[0]

    assert charlie_api.get(LEADS).status_code == 404
    assert charlie_api.get(f"/api/v1/w/charlie-co/leads/{hot.pk}/").status_code == 404
    response = charlie_api.patch(f"/api/v1/w/charlie-co/leads/{hot.pk}/", {"status": "lost"})
    assert response.status_code == 404
    hot.refresh_from_db()
    assert hot.status == Lead.Status.NEW
