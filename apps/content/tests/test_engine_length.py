"""Fresh drafts pass our own linter's length check, and stay on their topic to the last line."""

import random

import pytest

from apps.content import engine
from apps.content.generation import GenerationRequest, ProfileSnapshot, load_library
from apps.content.linter import lint_post

FRACTIONAL_CTO = ProfileSnapshot(
    name="Dana Demo",
    headline="Fractional CTO for B2B SaaS scale-ups",
    areas=["Kubernetes", "platform engineering", "AWS cost control", "data platforms"],
    years_experience=17,
    industries=["fintech", "logistics", "B2B SaaS"],
    offers=["fractional CTO", "architecture review", "Kubernetes migration"],
    case_studies=[
        {
            "title": "Moved a payments platform from VMs to Kubernetes",
            "outcome": "cut cloud spend 38% in 4 months with zero downtime",
        }
    ],
    tone="direct",
    language="en",
)
SECURITY_AUDITOR = ProfileSnapshot(
    name="Sam Secure",
    headline="Security auditor, ISO 27001 and SOC 2",
    areas=["cloud security", "ISO 27001", "IAM"],
    years_experience=15,
    industries=["fintech", "insurance"],
    offers=["security audit", "SOC 2 readiness"],
    case_studies=[],
    tone="bold",
    language="en",
)
DATA_ENGINEER = ProfileSnapshot(
    name="Dee Daten",
    headline="Freiberuflicher Data Engineer",
    areas=["Kafka", "dbt", "Datenplattformen"],
    years_experience=9,
    industries=["Logistik", "Handel"],
    offers=["Review der Datenplattform"],
    case_studies=[],
    tone="friendly",
    language="de",
)
PROFILES = [
    FRACTIONAL_CTO,
    SECURITY_AUDITOR,
    DATA_ENGINEER,
    ProfileSnapshot(**{**FRACTIONAL_CTO.__dict__, "language": "de"}),
]
SEEDS = range(3)


def render(spec, profile, seed, topic=None):
    request = GenerationRequest(profile=profile, seed=seed, topic=topic)
    rng = engine.seeded_rng("length-test", seed, spec.key, profile.name, profile.language)
    return engine.render_post(spec, profile, engine.choose_topic(request, spec, rng), rng)[0]


@pytest.fixture(scope="module")
def sample():
    """Every template in every language it speaks, for each profile, a few seeds each."""
    return [
        (profile.language, spec.key, render(spec, profile, seed))
        for profile in PROFILES
        for spec in load_library()
        if spec.speaks(profile.language)
        for seed in SEEDS
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_nine_in_ten_fresh_drafts_are_in_the_linters_sweet_spot(sample, language):
    low, high = 900, 1600  # LintSettings.sweet_spot
    lengths = [len(text) for lang, _key, text in sample if lang == language]

    inside = sum(low <= length <= high for length in lengths) / len(lengths)

    assert len(lengths) >= 140
    assert inside >= 0.9, sorted(lengths)[:10]


def test_no_fresh_draft_is_near_the_3000_character_limit(sample):
    assert max(len(text) for _lang, _key, text in sample) <= 3000
    assert max(len(text) for _lang, _key, text in sample) <= 1600


def test_the_linter_rarely_calls_a_fresh_draft_too_short(sample):
    too_short = [
        key
        for _lang, key, text in sample
        if any(f.rule == "too-short" for f in lint_post(text).findings)
    ]

    assert len(too_short) <= 0.05 * len(sample), too_short


def test_depth_paragraphs_do_not_make_repeated_words_common(sample):
    repeated = [
        text
        for _lang, _key, text in sample
        if any(f.rule == "repeated-word" for f in lint_post(text).findings)
    ]

    # Before depth paragraphs about a fifth of the (shorter) drafts had one; depth must not
    # add to that.
    assert len(repeated) <= 0.3 * len(sample)


def test_depth_paragraphs_never_break_the_paragraph_length_rule_themselves():
    context_rng = random.Random(1)
    for spec in load_library():
        for profile in PROFILES:
            if not spec.speaks(profile.language):
                continue
            context = engine.build_context(profile, "Kafka in production", spec, context_rng)
            for seed in SEEDS:
                added = engine.depth_paragraphs(
                    spec.framework, context, "Short.", random.Random(seed)
                )
                assert added, spec.key
                for paragraph in added:
                    for part in paragraph.split("\n\n"):
                        assert len(part) <= 280, part
                        assert "{" not in part, part
                        assert "}" not in part, part


def test_every_framework_has_depth_in_english_and_german():
    for framework in engine.FRAMEWORKS:
        for language in engine.LANGUAGES:
            assert len(engine.framework_depth(framework, language)) >= 4, (framework, language)


def test_a_library_file_with_a_broken_depth_paragraph_is_refused(tmp_path):
    (tmp_path / "story.json").write_text(
        '{"framework": "story", "depth": {"en": ["{nonsense}", "b", "c", "d"], '
        '"de": ["a", "b", "c", "d"]}, "templates": []}',
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match=r"story\.json: depth: en: .*nonsense"):
        load_library(tmp_path)


def test_the_same_request_still_gives_the_same_longer_text():
    spec = load_library()[0]

    assert render(spec, FRACTIONAL_CTO, 7) == render(spec, FRACTIONAL_CTO, 7)


# --- The area a post names ------------------------------------------------------------------


def closing_paragraph(text):
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if all(word.startswith("#") for word in paragraphs[-1].split()):
        paragraphs.pop()
    return paragraphs[-1]


def test_a_topic_from_the_headline_is_named_by_its_own_area_not_another_profile_area():
    # The fractional CTO's areas are all technical; "the first 90 days" is leadership.
    spec = next(t for t in load_library() if t.key == "lesson-learned/years-in-one-lesson")
    for seed in range(20):
        context = engine.build_context(
            FRACTIONAL_CTO, "the first 90 days as a fractional CTO", spec, random.Random(seed)
        )
        assert context["area"] == "engineering leadership"
        assert context["offer"] in ("fractional CTO", "architecture review")


def test_a_topic_in_one_of_the_profiles_areas_is_named_by_that_area():
    spec = next(t for t in load_library() if t.key == "lesson-learned/years-in-one-lesson")
    for seed in range(20):
        context = engine.build_context(
            FRACTIONAL_CTO, "Kubernetes resource requests", spec, random.Random(seed)
        )
        assert context["area"] == "Kubernetes"


TOPICS = (
    "the first 90 days as a fractional CTO",
    "talking about tech debt with the board",
    "engineering roadmaps",
    "Kubernetes resource requests",
    "secrets in CI pipelines",
)


def test_closing_questions_never_name_another_area_than_the_posts_topic():
    named_own_area = 0
    for profile in (FRACTIONAL_CTO, SECURITY_AUDITOR):
        for spec in load_library():
            for topic in TOPICS:
                text = render(spec, profile, 1, topic=topic)
                closing = closing_paragraph(text)
                own = engine.area_key(topic)
                for name in [*profile.areas, *profile.offers]:
                    if name in closing and engine.area_key(name) not in (None, "leadership"):
                        assert engine.area_key(name) == own, (spec.key, topic, closing)
                named_own_area += "engineering leadership" in closing

    assert named_own_area > 0  # the leadership topics' closings do name their area
