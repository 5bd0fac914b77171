"""The analytics summary and a member's own notifications through the API."""

import pytest

from apps.notifications.models import Notification
from apps.notifications.services import notify

from .conftest import make_lead

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/w/alice-co/analytics/summary/"
NOTIFICATIONS = "/api/v1/w/alice-co/notifications/"


def test_the_summary_has_the_dashboards_figures(alice_api, alice_workspace, published_post):
    lead = make_lead(alice_workspace, name="Hannah", score=91, post=published_post)
    lead.value_eur = 9000
    lead.save()

    response = alice_api.get(SUMMARY, {"days": 7})

    assert response.status_code == 200
    body = response.json()
    assert body["days"] == 7
    assert body["figures"]["published"] == 1
    assert body["figures"]["impressions"] == 1200
    assert body["figures"]["new_leads"] == 1
    assert body["figures"]["pipeline_value"] == "9000.00"
    assert body["top_posts"][0]["id"] == published_post.pk
    assert body["top_posts"][0]["impressions"] == 1200
    assert [stage["status"] for stage in body["funnel"]] == [
        "new",
        "contacted",
        "qualified",
        "converted",
    ]


def test_the_summary_period_must_be_one_offered(alice_api):
    response = alice_api.get(SUMMARY, {"days": 12})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["days"]


def test_charlie_gets_404_for_alices_summary(charlie_api):
    assert charlie_api.get(SUMMARY).status_code == 404


@pytest.fixture
def notes(alice, bob, alice_workspace):
    mine = notify(
        workspace=alice_workspace, event="post.failed", title="A post failed", users=[alice]
    )
    notify(workspace=alice_workspace, event="post.published", title="Published", users=[alice])
    bobs = notify(workspace=alice_workspace, event="post.failed", title="For Bob", users=[bob])
    return mine[0], bobs[0]


def test_alice_lists_her_notifications_only(alice_api, notes):
    titles = [n["title"] for n in alice_api.get(NOTIFICATIONS).json()["results"]]

    assert sorted(titles) == ["A post failed", "Published"]


def test_marking_one_read_and_listing_unread(alice_api, notes):
    mine, _ = notes

    response = alice_api.post(f"{NOTIFICATIONS}{mine.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    unread = alice_api.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]
    assert [n["title"] for n in unread] == ["Published"]


def test_mark_all_read_marks_only_her_own(alice_api, notes):
    _, bobs = notes

    response = alice_api.post(f"{NOTIFICATIONS}read-all/")

    assert response.json() == {"marked": 2}
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_a_viewer_token_may_mark_its_notifications_read(alice_viewer_api, notes):
    mine, _ = notes

    response = alice_viewer_api.post(f"{NOTIFICATIONS}{mine.pk}/read/")

    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_a_colleagues_notification_is_a_404(alice_api, notes):
    _, bobs = notes

    assert alice_api.get(f"{NOTIFICATIONS}{bobs.pk}/").status_code == 404
    assert alice_api.post(f"{NOTIFICATIONS}{bobs.pk}/read/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_charlie_gets_404_for_alices_notifications(charlie_api, notes):
    mine, _ = notes

    assert charlie_api.get(NOTIFICATIONS).status_code == 404
    assert (
        charlie_api.post(f"/api/v1/w/charlie-co/notifications/{mine.pk}/read/").status_code == 404
    )
    assert Notification.objects.filter(read_at__isnull=False).count() == 0
