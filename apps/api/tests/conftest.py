"""Alice owns alice-co (Bob edits there), Charlie owns charlie-co: the root conftest.py.
Here: API clients signed in with personal tokens, and a few rows to read and change."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Membership, Role
from apps.api.services import api_token_create
from apps.content.models import Post
from apps.leads.models import Comment, Commenter, Lead

POST_TEXT = (
    "We cut our AWS bill by 38% without touching a single feature.\n\n"
    "Three changes did it: rightsized node groups, spot for stateless work, and a hard look "
    "at idle environments.\n\nWhat did your last cost review find?"
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Throttles count in the default cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def token_client(user, workspace, role=None) -> tuple[APIClient, str]:
    membership = Membership.objects.get(user=user, workspace=workspace)
    new = api_token_create(membership=membership, name="script", role=role or membership.role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new.secret}")
    return client, new.secret


@pytest.fixture
def alice_api(alice, alice_workspace):
    return token_client(alice, alice_workspace)[0]


@pytest.fixture
def bob_api(bob, alice_workspace):
    return token_client(bob, alice_workspace)[0]


@pytest.fixture
def charlie_api(charlie, charlie_workspace, alice_workspace):
    return token_client(charlie, charlie_workspace)[0]


@pytest.fixture
def alice_viewer_api(alice, alice_workspace):
    """Alice's own token, limited to reading."""
    return token_client(alice, alice_workspace, role=Role.VIEWER)[0]


@pytest.fixture
def draft(alice, alice_workspace):
    from apps.content.services import post_create_manual

    return post_create_manual(workspace=alice_workspace, author=alice, text=POST_TEXT)


@pytest.fixture
def approved(draft, alice, alice_workspace):
    from apps.content.services import post_approve

    return post_approve(
        post=draft, membership=Membership.objects.get(user=alice, workspace=alice_workspace)
    )


@pytest.fixture
def charlie_post(charlie, charlie_workspace):
    from apps.content.services import post_create_manual

    return post_create_manual(workspace=charlie_workspace, author=charlie, text=POST_TEXT)


def make_lead(workspace, *, name, score, status=Lead.Status.NEW, post=None, text="Rate?"):
    commenter = Commenter.objects.create(
        workspace=workspace, actor_urn=f"urn:li:person:{name.lower()}", name=name
    )
    lead = Lead.objects.create(
        workspace=workspace,
        commenter=commenter,
        score=score,
        status=status,
        intent="pricing_question",
    )
    Comment.objects.create(
        workspace=workspace,
        post=post,
        commenter=commenter,
        lead=lead,
        urn=f"urn:li:comment:{name}",
        text=text,
        score=score,
        intent="pricing_question",
        commented_at=timezone.now(),
    )
    return lead


@pytest.fixture
def published_post(alice, alice_workspace):
    return Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text=POST_TEXT,
        hook=POST_TEXT.split("\n\n")[0],
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        impressions=1200,
        reactions=30,
        comment_count=4,
    )
