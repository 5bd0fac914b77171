import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.content.models import Post
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import Clock, SandboxConfig, running_sandbox


@pytest.fixture
def linkedin(settings):
    # A stopped clock: the audience stays quiet unless a test speaks for it. These tests read
    # comments through the API, so the sandbox acts as an app LinkedIn approved for that.
    clock = Clock(start=time.time(), ticking=False)
    with running_sandbox(seed=4, clock=clock, config=SandboxConfig(approved=True)) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        yield running


@pytest.fixture
def connected(alice_workspace, linkedin):
    member = linkedin.sandbox.config.member
    scopes = ["openid", "profile", "w_member_social", "r_member_social"]
    return LinkedInConnection.objects.create(
        workspace=alice_workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=scopes,
        access_token=linkedin.sandbox.issue_token(scopes),
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )


@pytest.fixture
def published(alice, alice_workspace, connected, linkedin):
    """A post published to the sandbox through the client, as publishing does."""
    from apps.linkedin.client import LinkedInClient

    text = "Most Kubernetes migrations stall on the same three things. Which one hit you?"
    urn = LinkedInClient(connected.access_token).create_post(connected.member_urn, text)
    return Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text=text,
        hook=text,
        status=Post.Status.PUBLISHED,
        linkedin_urn=urn,
        published_at=timezone.now(),
    )


_comment_numbers = iter(range(1, 10**6))


def comment_on(linkedin, post, text, actor="urn:li:person:cto42"):
    """A comment from someone in the audience, stored in the sandbox as LinkedIn would."""
    number = next(_comment_numbers)
    sandbox = linkedin.sandbox
    stored = sandbox.post(post.linkedin_urn)
    sandbox.state.insert_comment(
        urn=f"urn:li:comment:({stored['activity_urn']},{9_000_000 + number})",
        id=str(9_000_000 + number),
        post_urn=stored["urn"],
        actor=actor,
        text=text,
        created_at=sandbox.clock.now(),
    )
