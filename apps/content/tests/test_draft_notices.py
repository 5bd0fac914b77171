"""What the engine could not write from is told on the draft: a topic without vocabulary is
still named and the consultant learns what to add; English case studies quoted in a German
draft are pointed out. The checker's invented-story rule is the engine's own test."""

import pytest

from apps.accounts.models import ExpertiseProfile
from apps.content import engine, facts
from apps.content.engine.truth import true_sentence
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)
from apps.content.linter import MAX_SCORE_WITH_READER_PROBLEM, PostFacts, lint_post
from apps.content.models import Post

CASE_STUDY = {
    "client_type": "telehealth startup",
    "problem": "failed its first ISO 27001 stage-one audit",
    "action": "rebuilt the access review and risk register in five weeks",
    "results": "passed stage two 11 weeks later",
    "may_name": False,
    "client_name": "",
}
PROFILE = ProfileSnapshot(
    name="Sofia Audit",
    headline="Security auditor for health tech",
    areas=["security audits"],
    years_experience=9,
    industries=["health tech"],
    offers=["ISO 27001 readiness audits"],
    case_studies=[],
    tone="direct",
    language="en",
)
UNKNOWN_TOPIC = "board reporting for seed-stage founders"


def with_(profile, **changes):
    return ProfileSnapshot(**{**profile.__dict__, **changes})


def test_a_topic_the_vocabulary_does_not_know_is_still_named_in_every_draft():
    assert engine.area_key(UNKNOWN_TOPIC) is None
    library = load_library()
    for language in ("en", "de"):
        for framework in FRAMEWORKS:
            post = generate_post(
                GenerationRequest(
                    profile=with_(PROFILE, language=language),
                    topic=UNKNOWN_TOPIC,
                    framework=framework,
                ),
                templates=library,
                backend="template",
            )
            assert post.topic == UNKNOWN_TOPIC
            assert UNKNOWN_TOPIC.lower() in " ".join(post.text.split()).lower()


def test_the_user_is_told_what_is_missing_for_a_topic_without_vocabulary():
    notices = engine.draft_notices(PROFILE, UNKNOWN_TOPIC, "any text")

    assert len(notices) == 1
    assert f"No vocabulary for “{UNKNOWN_TOPIC}”" in notices[0]
    assert "proof point" in notices[0]


def test_no_notice_for_a_topic_in_a_known_area_or_one_the_profile_speaks_of():
    assert engine.draft_notices(PROFILE, "zero trust for small teams", "text") == []
    named = with_(PROFILE, areas=["security audits", "board reporting"])
    assert engine.draft_notices(named, UNKNOWN_TOPIC, "text") == []
    told = with_(PROFILE, case_studies=[{**CASE_STUDY, "problem": "no board reporting at all"}])
    assert engine.draft_notices(told, UNKNOWN_TOPIC, "text") == []


def test_a_german_draft_quoting_an_english_case_study_says_so_until_it_is_reworded():
    german = with_(PROFILE, language="de", case_studies=[CASE_STUDY])
    post = generate_post(
        GenerationRequest(profile=german, topic="Zugriffsprüfungen", framework="case-study"),
        templates=load_library(),
        backend="template",
    )
    assert "„passed stage two 11 weeks later“" in post.text

    notices = engine.draft_notices(german, post.topic, post.text)

    assert any("„passed stage two 11 weeks later“" in notice for notice in notices)
    reworded = post.text.replace(
        "„passed stage two 11 weeks later“", "Stufe zwei 11 Wochen später bestanden"
    )
    assert not any("passed stage two" in n for n in engine.draft_notices(german, "", reworded))


@pytest.mark.django_db
def test_the_editor_shows_the_notice_on_a_generated_draft(alice, alice_client, alice_workspace):
    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(
        areas=["security audits"], headline="Security auditor"
    )
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text=f"{UNKNOWN_TOPIC}: where I'd start.\n\nAsk who reads the report.",
        topic=UNKNOWN_TOPIC,
        backend=Post.Backend.TEMPLATE,
    )

    page = alice_client.get(f"/w/{alice_workspace.slug}/content/{post.pk}/")

    assert 'data-testid="draft-notices"' in page.text
    assert f"No vocabulary for “{UNKNOWN_TOPIC}”" in page.text


@pytest.mark.django_db
def test_a_post_written_by_hand_gets_no_notice(alice, alice_client, alice_workspace):
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Board reporting, my way.",
        topic=UNKNOWN_TOPIC,
        backend=Post.Backend.MANUAL,
    )

    page = alice_client.get(f"/w/{alice_workspace.slug}/content/{post.pk}/")

    assert 'data-testid="draft-notices"' not in page.text


FACTS = PostFacts(
    known_figures=frozenset({"9", "11"}),
    areas=("security audits",),
    profile_texts=(
        "Security auditor for health tech",
        "telehealth startup",
        CASE_STUDY["problem"],
        CASE_STUDY["action"],
        CASE_STUDY["results"],
    ),
)
INVENTED = (
    "Access reviews are where audits are lost.\n\n"
    "A senior engineer pushed back on my plan in the first workshop. I had missed her "
    "constraint completely.\n\n"
    "Start with the accounts nobody owns.\n\n"
    "Who owns your access review?"
)


def test_the_checker_catches_a_story_no_proof_point_holds_and_caps_the_score():
    result = lint_post(INVENTED, facts=FACTS)

    assert "invented-story" in {finding.rule for finding in result.findings}
    assert result.score <= MAX_SCORE_WITH_READER_PROBLEM


def test_the_checker_lets_a_proof_point_be_told_in_the_consultants_own_words():
    own = INVENTED.replace(
        "A senior engineer pushed back on my plan in the first workshop. I had missed her "
        "constraint completely.",
        "We rebuilt the access review for a telehealth startup that had failed its stage-one "
        "audit. I had missed how few people knew the risk register existed.",
    )

    result = lint_post(own, facts=FACTS)

    assert "invented-story" not in {finding.rule for finding in result.findings}


def test_the_checker_and_the_engine_agree_on_what_tells_a_story():
    # The same sentences the engine leaves out of its drafts.
    assert facts.tells_story("A senior engineer pushed back on my plan.")
    assert not facts.tells_story("Start with the accounts nobody owns.")
    invented = "A senior engineer pushed back on my plan."
    assert not true_sentence(frozenset(), ())(invented)
    assert "invented-story" in {f.rule for f in lint_post(invented, facts=FACTS).findings}
