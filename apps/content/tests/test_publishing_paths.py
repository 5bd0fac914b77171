"""The post page's path in a publish step's events: reversed once per URLconf, then filled
in for each post (publishing.post_path); always the path reverse() gives."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from apps.content import publishing
from apps.content.models import Post

pytestmark = pytest.mark.django_db


def reversed_path(post: Post) -> str:
    return reverse("post_edit", kwargs={"workspace_slug": post.workspace.slug, "pk": post.pk})


def test_a_posts_path_is_the_one_reverse_gives(alice, alice_workspace):
    post = Post.objects.create(workspace=alice_workspace, author=alice, text="Hello")

    assert publishing.post_path(post) == reversed_path(post) == f"/w/alice-co/content/{post.pk}/"


def test_a_posts_path_follows_the_script_prefix_it_runs_under(alice, alice_workspace):
    post = Post.objects.create(workspace=alice_workspace, author=alice, text="Hello")
    publishing.post_path(post)  # the path without a prefix, made first

    set_script_prefix("/autopilot/")
    try:
        assert publishing.post_path(post) == reversed_path(post)
        assert publishing.post_path(post).startswith("/autopilot/")
    finally:
        clear_script_prefix()


def test_a_slug_the_url_does_not_take_fails_as_reverse_does(alice, alice_workspace):
    # The stand-ins are never filled with a value reverse() would refuse or have to quote.
    alice_workspace.slug = "café-co"
    post = Post(workspace=alice_workspace, author=alice, text="Hello", pk=41)

    with pytest.raises(NoReverseMatch):
        reversed_path(post)
    with pytest.raises(NoReverseMatch):
        publishing.post_path(post)
