import re

import pytest
from django.core import signing

from apps.leads import digests, ingestion
from apps.leads.models import Comment, Feedback, Lead
from apps.leads.tests.conftest import comment_on

pytestmark = pytest.mark.django_db

INQUIRY = "Are you taking on new clients? We need help with our Kafka cluster, can we talk?"


@pytest.fixture
def lead(alice_workspace, published, linkedin, django_capture_on_commit_callbacks):
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    return Lead.objects.get()


def test_the_inbox_lists_leads_with_score_and_snippet(alice_client, lead):
    page = alice_client.get("/w/alice-co/leads/")
    assert "Kafka cluster" in page.text
    assert f'id="lead-{lead.pk}"' in page.text


def test_the_inbox_runs_a_fixed_number_of_queries(alice_client, lead, django_assert_num_queries):
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # leads+commenters, best comments+posts, pipeline, reading permitted, unsure comments,
    # calibration, unread notifications; savepoint and release; LinkedIn capabilities (connection,
    # facts, forwarding in use).
    with django_assert_num_queries(14):
        alice_client.get("/w/alice-co/leads/")


def test_a_status_change_in_place_returns_the_row(alice_client, lead):
    response = alice_client.post(
        f"/w/alice-co/leads/{lead.pk}/status/",
        {"status": "contacted"},
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith(f'<article class="card lead-card" id="lead-{lead.pk}"')
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED


def test_the_lead_page_shows_the_breakdown_and_a_suggested_reply(alice_client, lead):
    page = alice_client.get(f"/w/alice-co/leads/{lead.pk}/")
    assert "Why this score" in page.text
    assert "Post reply" in page.text


def test_the_conversation_tells_the_commenter_from_other_unnamed_members(
    alice_client, alice_workspace, published, linkedin, django_capture_on_commit_callbacks
):
    # LinkedIn's comments carry no names: without this both read "A LinkedIn member".
    comment_on(linkedin, published, "Great post, thanks for sharing!", actor="urn:li:person:p1")
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    lead = Lead.objects.get()

    page = alice_client.get(f"/w/alice-co/leads/{lead.pk}/")

    assert "<strong>This commenter</strong>" in page.text
    assert "<strong>Another LinkedIn member</strong>" in page.text


def test_value_and_notes_are_saved_and_a_negative_value_refused(alice_client, lead):
    bad = alice_client.post(
        f"/w/alice-co/leads/{lead.pk}/", {"status": "qualified", "value_eur": "-5"}
    )
    assert bad.status_code == 400
    assert "cannot be negative" in bad.text
    alice_client.post(
        f"/w/alice-co/leads/{lead.pk}/",
        {"status": "converted", "value_eur": "12000", "notes": "Signed"},
    )
    lead.refresh_from_db()
    assert (lead.status, int(lead.value_eur), lead.notes) == ("converted", 12000, "Signed")


def test_replying_posts_under_the_comment_on_linkedin_and_marks_contacted(
    alice_client, lead, linkedin, published
):
    comment = Comment.objects.get()
    alice_client.post(
        f"/w/alice-co/leads/comments/{comment.pk}/reply/", {"text": "Happy to talk, I'll DM you."}
    )
    threads = {
        c["text"]: c["parent_urn"] for c in linkedin.sandbox.comments(published.linkedin_urn)
    }
    # A nested comment under the inquiry, not a new top-level comment.
    assert threads["Happy to talk, I'll DM you."] == comment.urn
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED
    page = alice_client.get(f"/w/alice-co/leads/{lead.pk}/").text
    assert re.search(r"You replied (now|a second ago|\d+ seconds ago)\.", page)


def test_not_a_lead_feedback_is_stored_and_hides_the_lead(alice_client, lead):
    comment = Comment.objects.get()
    alice_client.post(f"/w/alice-co/leads/comments/{comment.pk}/feedback/", {"is_lead": "no"})
    assert Feedback.objects.get().is_lead is False
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NOT_A_LEAD
    assert f'id="lead-{lead.pk}"' not in alice_client.get("/w/alice-co/leads/").text


def test_another_workspaces_lead_is_a_404(charlie_client, charlie_workspace, lead):
    assert charlie_client.get(f"/w/alice-co/leads/{lead.pk}/").status_code == 404
    assert charlie_client.get(f"/w/charlie-co/leads/{lead.pk}/").status_code == 404
    assert (
        charlie_client.post(
            f"/w/charlie-co/leads/{lead.pk}/status/", {"status": "lost"}
        ).status_code
        == 404
    )


def test_a_signed_status_link_works_for_its_member_only(alice_client, alice, bob, lead):
    url = digests.status_link(lead=lead, user=alice, status="contacted")
    path = url.split("127.0.0.1:8000", 1)[-1]
    assert "Mark as" in alice_client.get(path).text
    alice_client.post(path)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED
    alice_client.force_login(bob)
    assert alice_client.get(path).status_code == 400
    forged = signing.dumps({"l": lead.pk, "u": bob.pk, "s": "lost"}, salt="other")
    assert alice_client.get(f"/lead-status/{forged}/").status_code == 400


def test_the_open_inbox_hears_of_new_leads_without_reshuffling_itself(
    alice_client, alice_workspace
):
    from apps.leads.models import Commenter

    inbox = alice_client.get("/w/alice-co/leads/").text
    since = re.search(r"/w/alice-co/leads/fresh/\?since=(\d+)", inbox).group(1)
    assert 'hx-trigger="every 60s"' in inbox

    quiet = alice_client.get(
        f"/w/alice-co/leads/fresh/?since={since}", headers={"HX-Request": "true"}
    )
    assert quiet.status_code == 200
    assert "new lead" not in quiet.text

    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:new")
    Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=88)
    news = alice_client.get(
        f"/w/alice-co/leads/fresh/?since={since}", headers={"HX-Request": "true"}
    )
    assert "1 new lead since you opened this page. Show it" in news.text


def test_asking_for_fresh_leads_without_a_time_is_a_400(alice_client):
    assert alice_client.get("/w/alice-co/leads/fresh/?since=yesterday").status_code == 400


def test_inbox_shows_comments_the_detector_was_unsure_about(alice_client, alice_workspace):
    from apps.leads.models import Comment, Commenter

    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:u1")
    unsure = Comment.objects.create(
        workspace=alice_workspace, commenter=commenter, urn="urn:li:comment:u1", text="Like",
        unsure="short",
    )  # fmt: skip
    Comment.objects.create(
        workspace=alice_workspace, commenter=commenter, urn="urn:li:comment:u2", text="Sure one"
    )
    response = alice_client.get("/w/alice-co/leads/")
    assert response.status_code == 200
    assert [c.pk for c in response.context["unsure"]] == [unsure.pk]
    assert "Unsure: your call" in response.content.decode()
