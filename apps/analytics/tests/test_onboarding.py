"""The guided start a workspace opens on until its first post is published."""

import datetime

import pytest

from apps.accounts.models import ExpertiseProfile
from apps.analytics.onboarding import onboarding_for
from apps.content.models import Post, PostingSlot

pytestmark = pytest.mark.django_db


def _done(onboarding):
    return {step.key: step.done for step in onboarding.steps}


def test_a_new_workspace_opens_on_its_next_step_instead_of_zero_cards(alice_client):
    html = alice_client.get("/w/alice-co/").content.decode()
    assert "Get your first inquiry" in html
    assert 'data-step="comments"' in html
    assert "/w/alice-co/leads/forwarding/" in html
    assert 'id="dash-body"' not in html  # no page of zeros before the first post
    assert "What this page will show" in html


def test_each_step_is_done_from_what_the_workspace_holds(alice, alice_workspace):
    start = onboarding_for(workspace=alice_workspace, user=alice)
    assert start.total == 6
    # The fixture's profile has a headline, areas and offers, but no case study.
    assert _done(start) == {
        "expertise": True,
        "proof": False,
        "linkedin": False,
        "plan": False,
        "slots": False,
        "comments": False,
    }
    assert start.next_step.key == "proof"

    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(
        case_studies=[{"title": "Cut cloud bill", "outcome": "by 40%"}]
    )
    Post.objects.create(workspace=alice_workspace, text="A draft")
    PostingSlot.objects.create(
        workspace=alice_workspace, weekday=1, local_time=datetime.time(8, 30)
    )
    later = onboarding_for(workspace=alice_workspace, user=alice)
    assert [key for key, done in _done(later).items() if done] == [
        "expertise",
        "proof",
        "plan",
        "slots",
    ]
    assert later.done_count == 4
    assert later.percent == 67
    assert later.next_step.key == "linkedin"


def test_the_progress_shows_on_the_page(alice_client, alice_workspace):
    html = alice_client.get("/w/alice-co/").content.decode()
    assert 'aria-valuenow="1"' in html
    assert "1 of 6 steps done." in html
    assert 'data-next-step="proof"' in html


def test_another_workspace_member_sees_their_own_progress(bob_client, alice_workspace):
    # Bob has no profile of his own in Alice's workspace yet: his first step is open.
    html = bob_client.get("/w/alice-co/").content.decode()
    assert 'data-next-step="expertise"' in html
