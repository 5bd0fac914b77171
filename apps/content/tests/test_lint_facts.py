"""The checker gets the workspace's facts wherever it runs: saving, generating, importing, the
live checker; and imported past posts count for the near-duplicate check."""

import pytest

from apps.accounts.models import ExpertiseProfile
from apps.content import selectors
from apps.content.linter import MAX_SCORE_WITH_READER_PROBLEM, lint_post
from apps.content.models import Post
from apps.content.services import post_create_manual, post_save
from apps.content.voice import past_posts_import

pytestmark = pytest.mark.django_db

CASE_STUDY = {
    "client_type": "payments fintech",
    "problem": "EKS bill growing every quarter",
    "what_was_done": "rightsized node groups, batch jobs on spot instances",
    "results": "bill down 38% in 6 weeks",
}
POST = """\
We cut a payments fintech's EKS bill by 38% in six weeks.

No new tool. We rightsized node groups and moved batch jobs to spot instances.

Karpenter or Cluster Autoscaler mattered less than knowing which pods could be interrupted.

What did your last EKS cost review find?"""


@pytest.fixture
def vault(alice_workspace):
    ExpertiseProfile.objects.filter(workspace=alice_workspace).update(
        areas=["AWS", "Kubernetes"], case_studies=[CASE_STUDY]
    )
    return alice_workspace


def test_lint_facts_hold_the_proof_vaults_figures_the_areas_and_the_topic(vault):
    facts = selectors.lint_facts(workspace=vault, topic="5 lessons from 40 upgrades")
    assert {"38", "6"} <= facts.known_figures
    assert {"5", "40"} <= facts.known_figures  # the user typed them
    assert facts.areas == ("AWS", "Kubernetes")
    assert any("payments fintech" in text for text in facts.profile_texts)


def test_lint_facts_are_the_workspaces_own(vault, charlie_workspace):
    facts = selectors.lint_facts(workspace=charlie_workspace)
    assert "38" not in facts.known_figures
    assert facts.areas == ()


def test_saving_a_draft_with_an_invented_figure_caps_its_score(alice, vault):
    post = post_create_manual(workspace=vault, author=alice, text=POST)
    assert post.lint_score > MAX_SCORE_WITH_READER_PROBLEM
    post_save(post=post, actor=alice, text=POST.replace("No new tool.", "Nodes fell 42 to 26."))
    post.refresh_from_db()
    assert post.lint_score <= MAX_SCORE_WITH_READER_PROBLEM


def test_the_live_checker_names_the_invented_figure(alice_client, vault):
    response = alice_client.post(
        f"/w/{vault.slug}/content/lint/",
        {"text": POST.replace("No new tool.", "The node count fell from 42 to 26.")},
    )
    assert response.status_code == 200
    assert "The figure 42" in response.text
    assert "The figure 38" not in response.text


def test_a_draft_repeating_an_imported_past_post_is_a_near_duplicate(alice, alice_client, vault):
    past_posts_import(workspace=vault, author=alice, posts=[POST], source="paste")
    response = alice_client.post(f"/w/{vault.slug}/content/lint/", {"text": POST})
    assert "similar to your imported past post #1" in response.text
    assert not Post.objects.exists()


def test_the_prepared_index_sees_a_past_post_imported_after_it_was_built(alice, vault):
    before = selectors.earlier_posts_index(workspace=vault)
    past_posts_import(workspace=vault, author=alice, posts=[POST], source="paste")
    after = selectors.earlier_posts_index(workspace=vault)
    assert len(before) == 0
    assert len(after) == 1
    assert after.most_similar(POST)[1] > 0.95


def test_the_live_checker_runs_a_fixed_number_of_queries(
    alice, alice_client, vault, django_assert_num_queries
):
    past_posts_import(
        workspace=vault,
        author=alice,
        posts=[f"Past post {n} on EKS." for n in range(20)],
        source="csv",
    )
    lint_url = f"/w/{vault.slug}/content/lint/"
    alice_client.post(lint_url, {"text": POST})  # prepares the earlier-posts index once
    # user (the session comes from the cache), memberships+workspaces; the index's fingerprint
    # (posts, past posts); the facts: profiles, then known_figures' profiles and past posts;
    # savepoint and release.
    with django_assert_num_queries(9):
        response = alice_client.post(lint_url, {"text": POST})
    assert 'id="lint-panel"' in response.text


def test_a_generated_draft_may_state_the_figures_of_the_topic_typed(alice, vault, library):
    from apps.content.services import post_generate

    post = post_generate(workspace=vault, author=alice, topic="5 lessons from 40 EKS upgrades")
    facts = selectors.lint_facts(workspace=vault).with_topic(post.topic)
    assert {"5", "40"} <= facts.known_figures
    result = lint_post(post.text, facts=facts)
    flagged = [f.message for f in result.findings if f.rule == "unsupported-figure"]
    assert not any("figure 40 " in message or "figure 5 " in message for message in flagged)
