"""Replying from the app: a nested comment under the inquiry's top-level comment, and only
where LinkedIn gave us that comment's ID (linkedin-api.md, December 2026 review)."""

import pytest

from apps.leads import ingestion
from apps.leads.models import Comment
from apps.leads.services import LeadError, reply_on_linkedin

from .conftest import comment_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_comment(alice_workspace, published, linkedin, django_capture_on_commit_callbacks):
    comment_on(linkedin, published, "Could you help us move to Kubernetes? What would it cost?")
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    return Comment.objects.get()


def test_a_reply_to_a_reply_goes_under_the_top_level_comment(alice, read_comment, linkedin):
    Comment.objects.filter(pk=read_comment.pk).update(parent_urn=read_comment.urn)
    read_comment.refresh_from_db()
    top = read_comment.urn
    # Pretend the stored comment is itself a reply under `top`: threads are two levels deep.
    read_comment.urn = f"{top[:-1]}9)"

    reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")

    stored = {
        c["text"]: c["parent_urn"]
        for c in linkedin.sandbox.comments(read_comment.post.linkedin_urn)
    }
    assert stored["Glad to help."] == top


def test_an_emailed_comment_cannot_be_answered_from_here_and_nothing_is_sent(
    alice, read_comment, linkedin
):
    Comment.objects.filter(pk=read_comment.pk).update(
        urn="email:<abc@linkedin.com>", source=Comment.Source.EMAIL
    )
    read_comment.refresh_from_db()

    with pytest.raises(LeadError, match="answer on LinkedIn directly"):
        reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")

    texts = [c["text"] for c in linkedin.sandbox.comments(read_comment.post.linkedin_urn)]
    assert "Glad to help." not in texts
    read_comment.refresh_from_db()
    assert read_comment.replied_at is None


def test_the_members_own_reply_is_kept_and_shown_on_the_lead_page(
    alice, alice_client, alice_workspace, read_comment, linkedin
):
    reply_on_linkedin(comment=read_comment, actor=alice, text="Happy to talk: Tuesday at ten?")

    read_comment.refresh_from_db()
    assert read_comment.reply_text == "Happy to talk: Tuesday at ten?"
    page = alice_client.get(f"/w/{alice_workspace.slug}/leads/{read_comment.lead_id}/")
    assert page.status_code == 200
    assert "Happy to talk: Tuesday at ten?" in page.content.decode()
