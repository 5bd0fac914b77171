"""Posts through the API follow the editor's rules: the content services do the writing."""

import pytest
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.content.models import Post, PostingSlot

from .conftest import POST_TEXT

pytestmark = pytest.mark.django_db

BASE = "/api/v1/w/alice-co/posts/"


def test_alice_lists_her_drafts_with_their_fields(alice_api, draft, charlie_post):
    response = alice_api.get(BASE)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert row["id"] == draft.pk
    assert row["status"] == "draft"
    assert row["text"] == POST_TEXT
    assert row["author"] == "Alice Archer"


def test_the_list_filters_by_status_and_archive(alice_api, draft, approved):
    other = alice_api.post(BASE, {"text": "A second draft about Kafka.\n\nWhat broke for you?"})
    alice_api.delete(f"{BASE}{other.json()['id']}/")

    assert [p["id"] for p in alice_api.get(BASE, {"status": "approved"}).json()["results"]] == [
        approved.pk
    ]
    assert alice_api.get(BASE, {"status": "draft"}).json()["count"] == 0
    archived = alice_api.get(BASE, {"archived": "true"}).json()["results"]
    assert [p["id"] for p in archived] == [other.json()["id"]]


def test_an_unknown_status_filter_is_a_400_naming_the_field(alice_api):
    response = alice_api.get(BASE, {"status": "viral"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["status"]


def test_the_list_is_paginated(alice_api, alice, alice_workspace):
    for n in range(3):
        Post.objects.create(workspace=alice_workspace, author=alice, text=f"Post {n}")

    page = alice_api.get(BASE, {"page_size": 2}).json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert "page=2" in page["next"]


def test_bob_writes_a_draft_which_is_linted_versioned_and_his(bob_api, bob):
    response = bob_api.post(BASE, {"text": POST_TEXT, "first_comment": "https://example.com"})

    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    assert post.author == bob
    assert post.status == Post.Status.DRAFT
    assert post.lint_score is not None
    assert post.first_comment == "https://example.com"
    assert post.versions.count() == 1


def test_a_draft_without_text_is_a_400_with_the_field(bob_api):
    response = bob_api.post(BASE, {"text": "   ", "first_comment": "x" * 2000})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields are not valid."
    assert set(body["fields"]) == {"text", "first_comment"}
    assert Post.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(bob_api):
    response = bob_api.post(BASE, "text=hello", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_editing_an_approved_post_sends_it_back_to_draft(alice_api, approved):
    response = alice_api.patch(f"{BASE}{approved.pk}/", {"text": POST_TEXT + " Really."})

    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["approved_by"] is None
    approved.refresh_from_db()
    assert approved.text.endswith("Really.")


def test_a_patch_of_the_first_comment_keeps_the_text(alice_api, draft):
    response = alice_api.patch(f"{BASE}{draft.pk}/", {"first_comment": "Link inside"})

    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.text, draft.first_comment) == (POST_TEXT, "Link inside")


def test_a_published_post_cannot_be_edited_409(alice_api, published_post):
    response = alice_api.put(f"{BASE}{published_post.pk}/", {"text": "Changed"})

    assert response.status_code == 409
    assert "can no longer be edited" in response.json()["detail"]


def test_delete_archives_and_the_post_stays_readable(alice_api, draft):
    assert alice_api.delete(f"{BASE}{draft.pk}/").status_code == 204

    draft.refresh_from_db()
    assert draft.archived_at is not None
    assert alice_api.get(f"{BASE}{draft.pk}/").json()["archived_at"] is not None


def test_bob_submits_for_review(bob_api, draft):
    response = bob_api.post(f"{BASE}{draft.pk}/submit/")

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"


def test_editor_cannot_approve_and_is_told_why(bob_api, draft):
    response = bob_api.post(f"{BASE}{draft.pk}/approve/")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Editors can draft and submit posts, but only owners and admins can approve them."
    )
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_alice_approves_and_it_is_audited(alice_api, draft, alice):
    response = alice_api.post(f"{BASE}{draft.pk}/approve/")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approved_by"] == "Alice Archer"
    assert AuditEvent.objects.filter(action="post.approved", actor=alice).exists()


def test_a_draft_with_a_gap_is_not_approved_and_the_answer_names_the_gap(alice_api, draft):
    gap = "[your example: a cost cut you led]"
    alice_api.patch(f"{BASE}{draft.pk}/", {"text": f"{POST_TEXT}\n\n{gap}"})

    response = alice_api.post(f"{BASE}{draft.pk}/approve/")

    assert response.status_code == 409
    assert gap in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_approving_twice_is_a_conflict(alice_api, approved):
    response = alice_api.post(f"{BASE}{approved.pk}/approve/")

    assert response.status_code == 409
    assert response.json()["detail"] == "This post is already approved."


def test_alice_schedules_an_approved_post_at_a_time(alice_api, approved):
    at = (timezone.now() + timezone.timedelta(days=2)).replace(microsecond=0)

    response = alice_api.post(f"{BASE}{approved.pk}/schedule/", {"at": at.isoformat()})

    assert response.status_code == 200
    approved.refresh_from_db()
    assert (approved.status, approved.scheduled_at) == (Post.Status.SCHEDULED, at)


def test_scheduling_without_a_time_takes_the_next_free_slot(alice_api, approved, alice_workspace):
    PostingSlot.objects.create(workspace=alice_workspace, weekday=1, local_time="08:30")

    response = alice_api.post(f"{BASE}{approved.pk}/schedule/", {})

    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.scheduled_at > timezone.now()
    local = timezone.localtime(approved.scheduled_at, timezone=alice_workspace_tz())
    assert (local.weekday(), local.hour, local.minute) == (1, 8, 30)


def alice_workspace_tz():
    import zoneinfo

    return zoneinfo.ZoneInfo("Europe/Berlin")


def test_scheduling_in_the_past_is_a_400_on_the_field(alice_api, approved):
    response = alice_api.post(f"{BASE}{approved.pk}/schedule/", {"at": "2020-01-01T08:00:00Z"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"at": ["Choose a time in the future."]}


def test_scheduling_a_draft_is_a_conflict(alice_api, draft):
    response = alice_api.post(f"{BASE}{draft.pk}/schedule/", {})

    assert response.status_code == 409
    assert response.json()["detail"] == "Only approved posts can be scheduled."


def test_editor_cannot_schedule_publish_or_unschedule(bob_api, approved):
    for action in ("schedule", "publish-now", "unschedule"):
        response = bob_api.post(f"{BASE}{approved.pk}/{action}/")
        assert response.status_code == 403, action
        assert "only owners and admins can schedule" in response.json()["detail"]
    approved.refresh_from_db()
    assert approved.status == Post.Status.APPROVED


def test_publish_now_hands_the_post_to_the_dispatcher_and_unschedule_takes_it_back(
    alice_api, approved
):
    response = alice_api.post(f"{BASE}{approved.pk}/publish-now/")

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    approved.refresh_from_db()
    assert approved.scheduled_at <= timezone.now()

    back = alice_api.post(f"{BASE}{approved.pk}/unschedule/")
    assert back.status_code == 200
    assert back.json()["status"] == "approved"


def test_viewer_token_reads_but_cannot_write(alice_viewer_api, draft):
    assert alice_viewer_api.get(f"{BASE}{draft.pk}/").status_code == 200

    response = alice_viewer_api.post(BASE, {"text": POST_TEXT})
    assert response.status_code == 403
    assert response.json()["detail"] == "This needs the Editor role or higher in this workspace."
    assert alice_viewer_api.post(f"{BASE}{draft.pk}/approve/").status_code == 403


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("put", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "submit/"),
        ("post", "approve/"),
        ("post", "schedule/"),
        ("post", "publish-now/"),
        ("post", "unschedule/"),
    ],
)
def test_charlie_gets_404_for_alices_post_on_any_url(
    charlie_api, charlie_post, draft, method, suffix
):
    # Through his own workspace's URL: the row is not there.
    response = getattr(charlie_api, method)(f"/api/v1/w/charlie-co/posts/{draft.pk}/{suffix}")
    assert response.status_code == 404
    # Through Alice's workspace's URL: the workspace is not there for him.
    response = getattr(charlie_api, method)(f"{BASE}{draft.pk}/{suffix}")
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT
    assert draft.archived_at is None


def test_charlie_cannot_list_or_create_in_alices_workspace(charlie_api, draft):
    assert charlie_api.get(BASE).status_code == 404
    assert charlie_api.post(BASE, {"text": POST_TEXT}).status_code == 404
    assert Post.objects.count() == 1


def test_an_unknown_path_in_a_workspace_is_a_json_404(alice_api):
    response = alice_api.get(f"{BASE}not-a-number/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_the_workspace_api_root_is_a_json_404(alice_api):
    response = alice_api.get("/api/v1/w/alice-co/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
