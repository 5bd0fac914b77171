"""Replying on LinkedIn records the intent before the call (so a second click while the
first reply is on its way posts nothing), calls with no transaction open (the root conftest
fails the test otherwise), and lets the intent go when LinkedIn refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone

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


def replies(linkedin, comment) -> list[str]:
    return [
        c["text"]
        for c in linkedin.sandbox.comments(comment.post.linkedin_urn)
        if c.get("parent_urn") == comment.urn
    ]


def test_a_second_reply_while_the_first_is_on_its_way_posts_nothing(alice, read_comment, linkedin):
    # The first click's reply is in flight: its intent is recorded, its answer not yet in.
    Comment.objects.filter(pk=read_comment.pk).update(replied_at=timezone.now(), reply_urn="")
    with pytest.raises(LeadError, match="being posted"):
        reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")
    assert replies(linkedin, read_comment) == []


def test_a_reply_is_recorded_with_its_urn_after_linkedin_took_it(alice, read_comment, linkedin):
    reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")
    read_comment.refresh_from_db()
    assert read_comment.reply_urn
    assert read_comment.replied_at is not None
    assert replies(linkedin, read_comment) == ["Glad to help."]


def test_a_refused_reply_lets_the_intent_go_so_it_can_be_tried_again(alice, read_comment, linkedin):
    linkedin.sandbox.faults.fail_next(1, status=422, path_prefix="/rest/socialActions/")
    with pytest.raises(LeadError, match="did not take the reply"):
        reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")
    read_comment.refresh_from_db()
    assert read_comment.replied_at is None
    reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")
    assert replies(linkedin, read_comment) == ["Glad to help."]


def test_an_intent_left_by_a_request_that_died_long_ago_does_not_block_a_reply(
    alice, read_comment, linkedin
):
    long_ago = timezone.now() - timedelta(minutes=10)
    Comment.objects.filter(pk=read_comment.pk).update(replied_at=long_ago, reply_urn="")
    reply_on_linkedin(comment=read_comment, actor=alice, text="Glad to help.")
    assert replies(linkedin, read_comment) == ["Glad to help."]
