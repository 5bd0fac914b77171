"""Plan my week asks for the profile before writing generic drafts."""

import pytest
from django.utils import translation

from apps.content.models import Post, PostVersion

pytestmark = pytest.mark.django_db


def test_planning_a_week_with_an_empty_profile_asks_for_the_profile(bob_client, alice_workspace):
    response = bob_client.post("/w/alice-co/content/plan-week/", {"count": 3}, follow=True)
    assert response.redirect_chain[-1][0] == "/w/alice-co/settings/profile/"
    assert "Describe your expertise first" in response.content.decode()
    assert not Post.objects.filter(workspace=alice_workspace).exists()


def test_planning_a_week_with_a_profile_writes_drafts(alice_client, alice_workspace):
    alice_client.post("/w/alice-co/content/plan-week/", {"count": 3})
    assert Post.objects.filter(workspace=alice_workspace).count() == 3


def test_version_notes_are_words_in_the_readers_language(alice_workspace):
    version = PostVersion(workspace=alice_workspace, note="edited")
    with translation.override("de"):
        assert version.note_label == "bearbeitet"
    assert PostVersion(workspace=alice_workspace, note="something new").note_label == (
        "something new"
    )
