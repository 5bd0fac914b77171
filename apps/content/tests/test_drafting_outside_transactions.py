"""Drafting asks the language model with no database transaction open (the guard in the
root conftest fails any test that calls it inside one): the request is not wrapped in
ATOMIC_REQUESTS and the service stores the drafts in a transaction of its own."""

import pytest

from apps.content.models import Post
from apps.content.tests.test_llm import fake_llm  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# Alice's workspace has no proof vault: an answer stating a figure would be refused as
# invented and the template engine would write the draft instead.
NO_FIGURES = (
    "Platform teams fail when nobody owns the paved road.\n\n"
    "No new tools. A few decisions, written down, each with an owner.\n\n"
    "The first one is the hardest: stop buying capacity before measuring it.\n\n"
    "What would your first decision be?"
)


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/content/{rest}"


def test_generating_a_draft_asks_the_model_outside_a_transaction(
    alice_client,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    fake_llm.content = NO_FIGURES
    response = alice_client.post(url(alice_workspace, "generate/"), {"topic": "platform teams"})
    post = Post.objects.get()
    assert response.url == url(alice_workspace, f"{post.pk}/")
    assert post.backend == Post.Backend.LLM
    assert len(fake_llm.requests) == 1


def test_planning_a_week_asks_the_model_for_each_draft_outside_a_transaction(
    alice_client,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    fake_llm.content = NO_FIGURES
    alice_client.post(url(alice_workspace, "plan-week/"), {"count": 3})
    assert Post.objects.count() == 3
    assert len(fake_llm.requests) >= 3  # one call per draft at least, none in a transaction


def test_the_guard_fails_a_model_call_made_inside_a_transaction(
    alice,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    from django.db import transaction

    from apps.content.services import post_generate

    @transaction.atomic
    def draft_inside_a_transaction():
        post_generate(workspace=alice_workspace, author=alice, topic="platform teams")

    with pytest.raises(pytest.fail.Exception, match="inside an open database transaction"):
        draft_inside_a_transaction()
