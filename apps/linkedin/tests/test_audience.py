"""The sandbox's audience: deterministic for a seed, accruing with (speedable) time."""

import itertools
import re

import pytest

from apps.linkedin.client import LinkedInClient
from apps.linkedin.sandbox import CAST, AudiencePlan, Clock, SandboxConfig
from apps.linkedin.sandbox.audience import INQUIRY_KINDS

from .conftest import START

ME = "urn:li:person:sbxDanaDemo1"
HOUR = 3600


def publish(start_sandbox, *, seed=7, speed=1.0, text="How we cut our cloud bill by 40%"):
    running = start_sandbox(
        seed=seed,
        config=SandboxConfig(audience_speed=speed, approved=True),  # reads comments
        clock=Clock(START, ticking=False),
    )
    client = LinkedInClient(
        running.sandbox.issue_token(["w_member_social", "r_member_social"]),
        oauth_base=running.oauth_base,
        api_base=running.api_base,
    )
    return running.sandbox, client, client.create_post(ME, text)


def comment_texts(client, urn):
    return [c["message"]["text"] for c in client.list_comments(urn, count=100)["elements"]]


def test_the_same_seed_gives_the_same_audience(start_sandbox):
    sandbox_a, client_a, urn_a = publish(start_sandbox, seed=11)
    sandbox_b, client_b, urn_b = publish(start_sandbox, seed=11)
    sandbox_a.clock.advance(days=3)
    sandbox_b.clock.advance(days=3)

    assert urn_a == urn_b
    assert client_a.list_comments(urn_a, count=100) == client_b.list_comments(urn_b, count=100)
    assert client_a.social_metadata(urn_a) == client_b.social_metadata(urn_b)


def test_another_seed_gives_another_audience(start_sandbox):
    sandbox_a, client_a, urn_a = publish(start_sandbox, seed=1)
    sandbox_b, client_b, urn_b = publish(start_sandbox, seed=2)
    sandbox_a.clock.advance(days=3)
    sandbox_b.clock.advance(days=3)

    assert comment_texts(client_a, urn_a) != comment_texts(client_b, urn_b)


def test_comments_reactions_and_impressions_accrue_with_time(start_sandbox):
    sandbox, client, urn = publish(start_sandbox)
    seen = []
    for hours in (0, 1, 4, 12, 48, 24 * 7):
        sandbox.clock.advance(hours * HOUR - (seen[-1][0] if seen else 0))
        reactions = sum(
            summary["count"]
            for summary in client.social_metadata(urn)["reactionSummaries"].values()
        )
        impressions = sandbox.metric_at(sandbox.post(urn), "IMPRESSION", sandbox.clock.now())
        seen.append((hours * HOUR, comment_texts(client, urn), reactions, impressions))

    assert seen[0][1:] == ([], 0, 0)
    for before, after in itertools.pairwise(seen):
        (_, earlier, reactions, impressions) = before
        (_, later, more_reactions, more_impressions) = after
        assert later[: len(earlier)] == earlier  # comments already seen stay, in order
        assert more_reactions >= reactions
        assert more_impressions >= impressions
    assert len(seen[-1][1]) >= 5
    assert seen[-1][3] > seen[-1][2]


def test_the_speed_factor_makes_an_hour_feel_like_sixty(start_sandbox):
    slow_sandbox, slow_client, slow_urn = publish(start_sandbox, seed=5, speed=1)
    fast_sandbox, fast_client, fast_urn = publish(start_sandbox, seed=5, speed=60)
    slow_sandbox.clock.advance(hours=60)
    fast_sandbox.clock.advance(hours=1)

    assert comment_texts(fast_client, fast_urn) == comment_texts(slow_client, slow_urn)


def test_reading_comments_advances_the_audience_and_keeps_their_kind_and_commenter(start_sandbox):
    sandbox, _client, urn = publish(start_sandbox)
    sandbox.clock.advance(days=7)

    comments = sandbox.comments(urn)

    plan = AudiencePlan.for_post(7, urn)
    assert [c["text"] for c in comments] == [c.text for c in plan.comments]
    assert [c["kind"] for c in comments] == [c.kind for c in plan.comments]
    assert all(c["name"] and c["headline"] for c in comments)


def test_a_deleted_post_gathers_no_more_comments(start_sandbox):
    sandbox, client, urn = publish(start_sandbox)
    sandbox.clock.advance(hours=2)
    before = len(sandbox.comments(urn))
    client.delete_post(urn)
    sandbox.clock.advance(days=7)

    assert len(sandbox.comments(urn)) == before


@pytest.fixture(scope="module")
def many_plans():
    return [
        AudiencePlan.for_post(42, f"urn:li:share:{7_100_000_000_000_000_000 + n}")
        for n in range(40)
    ]


def test_across_many_posts_the_audience_sends_every_kind_of_inquiry(many_plans):
    kinds = [comment.kind for plan in many_plans for comment in plan.comments]

    assert set(kinds) >= INQUIRY_KINDS
    assert set(kinds) >= {"praise", "technical", "spam"}
    everyday = sum(kind in {"praise", "technical", "spam"} for kind in kinds)
    assert everyday > len(kinds) / 2  # most comments are not inquiries


def test_the_audience_writes_mostly_english_and_some_german(many_plans):
    comments = [comment for plan in many_plans for comment in plan.comments]
    german = [c for c in comments if c.person.language == "de"]

    assert 0 < len(german) < len(comments) / 3
    assert any(re.search(r"[äöüß]|\b(wir|Sie|und)\b", c.text) for c in german)


def test_the_cast_is_about_thirty_people_with_names_headlines_and_roles():
    roles = {person.role for person in CAST}

    assert len(CAST) == 30
    assert len({person.sub for person in CAST}) == 30
    assert roles == {"cto", "vp_engineering", "recruiter", "founder", "peer", "spammer"}
    assert all(person.name and person.headline for person in CAST)
