"""Saying who a commenter is: LinkedIn's comments API names nobody, the consultant can."""

import pytest
from django.test import Client

from apps.accounts.models import AuditEvent
from apps.leads.models import Comment, Lead

pytestmark = pytest.mark.django_db

INQUIRY = "We need help with our Kafka cluster. What is your day rate? Can we talk this week?"


@pytest.fixture
def stored_lead(alice_workspace):
    from datetime import timedelta

    from django.utils import timezone

    from apps.content.models import Post
    from apps.leads import services

    post = Post.objects.create(
        workspace=alice_workspace,
        text="Kafka post",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        linkedin_url="https://www.linkedin.com/feed/update/urn:li:share:7000/",
    )
    services.store_comments(
        workspace=alice_workspace,
        post=post,
        incoming=[
            services.IncomingComment(
                urn="urn:li:comment:(urn:li:activity:7000,42)",
                actor_urn="urn:li:person:cto",
                text=INQUIRY,
                commented_at=timezone.now() - timedelta(hours=3),
            )
        ],
    )
    return Lead.objects.get(workspace=alice_workspace)


def test_the_lead_page_links_to_the_comment_on_linkedin_and_asks_who_it_is(
    alice_client, stored_lead
):
    page = alice_client.get(f"/w/alice-co/leads/{stored_lead.pk}/").text
    assert "Who is it?" in page
    assert (
        "https://www.linkedin.com/feed/update/urn:li:share:7000/"
        "?commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7000%2C42%29"
    ) in page


def test_naming_a_cto_saves_them_and_raises_the_score_with_their_title(
    alice_client, alice, stored_lead
):
    before = stored_lead.score
    response = alice_client.post(
        f"/w/alice-co/leads/{stored_lead.pk}/identify/",
        {"name": "Dana Okafor", "headline": "CTO at Acme Logistics"},
    )
    assert response.status_code == 302

    stored_lead.refresh_from_db()
    assert stored_lead.commenter.name == "Dana Okafor"
    assert stored_lead.score > before
    comment = Comment.objects.get(lead=stored_lead)
    assert comment.score == stored_lead.score
    assert any("CTO" in label for label, _points in comment.score_parts)
    assert AuditEvent.objects.filter(action="lead.identified", actor=alice).exists()
    assert "Dana Okafor" in alice_client.get("/w/alice-co/leads/").text


def test_a_name_is_needed_and_a_too_long_headline_is_refused_with_field_errors(
    alice_client, stored_lead
):
    response = alice_client.post(
        f"/w/alice-co/leads/{stored_lead.pk}/identify/", {"name": "", "headline": "x" * 301}
    )
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert "at most 300 characters" in response.text
    stored_lead.refresh_from_db()
    assert stored_lead.commenter.name == ""


def test_a_viewer_cannot_say_who_it_is_and_an_outsider_gets_404(
    alice_workspace, charlie, stored_lead
):
    from apps.accounts.models import Membership, Role
    from apps.accounts.tests.factories import UserFactory

    viewer = UserFactory(email="viewer@example.com")
    Membership.objects.create(workspace=alice_workspace, user=viewer, role=Role.VIEWER)
    as_viewer, as_charlie = Client(), Client()
    as_viewer.force_login(viewer)
    as_charlie.force_login(charlie)
    url = f"/w/alice-co/leads/{stored_lead.pk}/identify/"

    assert as_viewer.post(url, {"name": "Someone"}).status_code == 403
    assert as_charlie.post(url, {"name": "Someone"}).status_code == 404
    stored_lead.refresh_from_db()
    assert stored_lead.commenter.name == ""
