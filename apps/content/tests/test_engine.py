"""The template library and the built-in template engine: valid data, varied natural drafts."""

import itertools
import json
import re

import pytest

from apps.content import engine
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
    plan_week,
    suggest_topics,
    template_ranking,
)
from apps.content.linter import LintSettings
from apps.content.similarity import max_similarity

# What the checker calls a near-duplicate, by the measure the engine and the checker share.
CHECKER_NEAR_DUPLICATE = LintSettings().near_duplicate_threshold


def similarity_to_those_before(texts: list[str]) -> list[float]:
    """For each text, how similar it is to the most similar text before it."""
    return [max_similarity(text, texts[:i]) for i, text in enumerate(texts)]


DEMO = ProfileSnapshot(
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
        },
        {
            "title": "Rebuilt a logistics data pipeline on Kafka",
            "outcome": "reports went from 9 hours stale to under 2 minutes",
        },
    ],
    tone="direct",
    language="en",
)
SPARSE = ProfileSnapshot(
    name="",
    headline="",
    areas=["security"],
    years_experience=None,
    industries=[],
    offers=[],
    case_studies=[],
    tone="friendly",
    language="en",
)
GERMAN = ProfileSnapshot(**{**DEMO.__dict__, "language": "de"})
RECENT_WINDOW = 12  # what the app passes (selectors.RECENT_FOR_ROTATION)
FILLER = re.compile(
    r"fast-paced|game[- ]?chang|\bdelv|\bunlock|leverag|synerg|revolutioni|cutting[- ]edge",
    re.IGNORECASE,
)
# An unfilled slot, a "None" mid-sentence, doubled spaces, an empty "in  years" or "()".
LEFTOVERS = re.compile(r"\{[a-z0-9_|]*\}|(?<=[a-z,:] )None\b|  |\bin \s|\( *\)| \.")


def successive_drafts(profile, count, *, first_seed=0, with_texts=False):
    """Drafts generated as the app does: each call knows the keys and hooks before it
    (and, `with_texts`, the earlier posts' text)."""
    keys: list[str] = []
    hooks: list[str] = []
    drafts = []
    for seed in range(first_seed, first_seed + count):
        post = generate_post(
            GenerationRequest(
                profile=profile,
                seed=seed,
                recent_template_keys=tuple(keys[:RECENT_WINDOW]),
                recent_hooks=tuple(hooks[:RECENT_WINDOW]),
            ),
            backend="template",
            earlier_texts=[d.text for d in reversed(drafts)] if with_texts else (),
        )
        keys.insert(0, post.template_key)
        hooks.insert(0, post.hook)
        drafts.append(post)
    return drafts


@pytest.fixture(scope="module")
def hundred_drafts():
    return successive_drafts(DEMO, 100)


# --- The library ----------------------------------------------------------------------------


def test_the_library_has_at_least_48_templates_across_12_frameworks():
    library = load_library()

    assert len(library) >= 48
    assert len(FRAMEWORKS) >= 12
    assert {t.framework for t in library} == set(FRAMEWORKS)
    for framework in FRAMEWORKS:
        assert sum(t.framework == framework for t in library) >= 4, framework


def test_every_template_has_hooks_a_body_ctas_and_only_known_slots():
    for spec in load_library():
        assert 4 <= len(spec.hooks) <= 6, spec.key
        assert 3 <= len(spec.body) <= 7, spec.key
        assert 3 <= len(spec.ctas) <= 5, spec.key
        assert spec.goal in engine.GOALS
        for language in ("en", *spec.translations):
            hooks, body, ctas = spec.parts(language)
            for line in [*hooks, *body, *ctas]:
                assert engine.slots_in(line) <= engine.KNOWN_SLOTS, (spec.key, line)
        assert engine.template_problems(spec) == [], spec.key


def test_keys_are_unique_and_every_goal_is_represented():
    library = load_library()

    assert len({t.key for t in library}) == len(library)
    assert {t.goal for t in library} == set(engine.GOALS)


def test_every_framework_has_at_least_two_german_templates():
    library = load_library()

    for framework in FRAMEWORKS:
        german = [t for t in library if t.framework == framework and t.speaks("de")]
        assert len(german) >= 2, framework


def test_the_library_has_no_filler_phrases():
    for spec in load_library():
        text = json.dumps([spec.hooks, spec.body, spec.ctas, spec.translations])
        assert not FILLER.search(text), spec.key


def test_a_bad_library_file_is_refused_naming_the_file_and_the_key(tmp_path):
    template = {
        "key": "story/broken",
        "name": "Broken",
        "goal": "authority",
        "suits": ["any"],
        "hooks": ["One {nonsense} hook", "Two", "Three", "Four"],
        "body": ["A", "B", "C"],
        "ctas": ["X?", "Y?", "Z?"],
    }
    (tmp_path / "story.json").write_text(
        json.dumps({"framework": "story", "templates": [template]}), encoding="utf-8"
    )

    with pytest.raises(ValueError, match=r"story\.json: story/broken: .*nonsense"):
        load_library(tmp_path)


def test_a_library_file_that_is_not_json_is_refused_naming_the_file(tmp_path):
    (tmp_path / "mistake.json").write_text("{not json", encoding="utf-8")

    with pytest.raises(ValueError, match=r"mistake\.json"):
        load_library(tmp_path)


# --- Variety ------------------------------------------------------------------------------


def test_a_hundred_drafts_have_at_least_60_distinct_hooks(hundred_drafts):
    assert len({post.hook for post in hundred_drafts}) >= 60


def test_no_two_of_a_hundred_drafts_are_near_duplicates(hundred_drafts):
    texts = [post.text for post in hundred_drafts]

    pairs = [
        (score, hundred_drafts[i].template_key)
        for i, score in enumerate(similarity_to_those_before(texts))
        if score >= CHECKER_NEAR_DUPLICATE
    ]
    assert pairs == []


@pytest.mark.parametrize("profile", [GERMAN, SPARSE], ids=["german", "sparse"])
def test_drafts_that_see_earlier_posts_are_never_near_duplicates(profile):
    # A German or a one-area profile has fewer templates or less vocabulary to vary with;
    # given the workspace's earlier posts, the engine rewrites a draft that comes out too close.
    drafts = successive_drafts(profile, 60, with_texts=True)

    assert max(similarity_to_those_before([d.text for d in drafts])) < CHECKER_NEAR_DUPLICATE


def test_every_draft_is_within_the_limits_and_fully_filled(hundred_drafts):
    for post in hundred_drafts:
        assert len(post.text) <= 3000
        assert len(post.hook) <= 210
        assert post.text.startswith(post.hook)
        assert not LEFTOVERS.search(post.text), post.text
        assert not FILLER.search(post.text)
        assert post.backend == "template"
        assert post.fallback_reason == ""


def test_drafts_use_many_templates_and_every_framework(hundred_drafts):
    assert len({post.template_key for post in hundred_drafts}) >= 36
    assert {post.framework for post in hundred_drafts} == set(FRAMEWORKS)


def test_hashtags_are_at_most_three_on_the_last_line_and_sometimes_absent(hundred_drafts):
    with_tags = 0
    for post in hundred_drafts:
        *body, last = post.text.split("\n")
        assert "#" not in "\n".join(body)
        tags = re.findall(r"#\w+", last)
        assert len(tags) <= 3
        with_tags += bool(tags)
    assert 0 < with_tags < len(hundred_drafts)


def test_list_markers_vary_between_drafts(hundred_drafts):
    markers = set()
    for post in hundred_drafts:
        markers.update(re.findall(r"^(→|•|—|1\.) ", post.text, re.MULTILINE))
    assert markers == {"→", "•", "—", "1."}


def test_the_same_request_gives_the_same_text():
    request = GenerationRequest(
        profile=DEMO, seed=42, recent_template_keys=("story/the-boring-fix",)
    )

    assert generate_post(request, backend="template") == generate_post(request, backend="template")


def test_different_seeds_give_different_drafts():
    texts = {
        generate_post(GenerationRequest(profile=DEMO, seed=seed), backend="template").text
        for seed in range(5)
    }

    assert len(texts) == 5


def test_recently_used_templates_are_not_chosen_again():
    recent = tuple(t.key for t in load_library()[:20])

    for seed in range(10):
        post = generate_post(
            GenerationRequest(profile=DEMO, seed=seed, recent_template_keys=recent),
            backend="template",
        )
        assert post.template_key not in recent


def test_recent_hook_lines_are_not_reused():
    first = generate_post(
        GenerationRequest(profile=DEMO, seed=1, framework="contrarian"), backend="template"
    )
    library = [t for t in load_library() if t.key == first.template_key]

    for seed in range(10):
        again = generate_post(
            GenerationRequest(profile=DEMO, seed=seed, recent_hooks=(first.hook,)),
            templates=library,
            backend="template",
        )
        assert not engine.hook_pattern(first.hook).fullmatch(again.hook)


def test_a_chosen_framework_and_topic_are_used():
    post = generate_post(
        GenerationRequest(profile=DEMO, seed=7, framework="myth-vs-reality", topic="Kafka lag"),
        backend="template",
    )

    assert post.framework == "myth-vs-reality"
    assert post.template_key.startswith("myth-vs-reality/")
    assert post.topic == "Kafka lag"


def test_surprise_me_does_not_repeat_the_last_framework():
    for seed in range(10):
        post = generate_post(
            GenerationRequest(
                profile=DEMO, seed=seed, recent_template_keys=("case-study/three-decisions",)
            ),
            backend="template",
        )
        assert post.framework != "case-study"


def test_generate_similar_writes_a_sibling_in_different_words():
    original = generate_post(
        GenerationRequest(profile=DEMO, seed=5, framework="how-to-list"), backend="template"
    )

    sibling = generate_post(
        GenerationRequest(profile=DEMO, seed=6, similar_to=original.text, topic=original.topic),
        backend="template",
    )

    assert sibling.framework == "how-to-list"
    assert sibling.topic == original.topic
    assert sibling.template_key != original.template_key
    assert sibling.hook != original.hook
    assert max_similarity(sibling.text, [original.text]) < 0.8


def test_a_german_profile_gets_german_text():
    for post in successive_drafts(GERMAN, 12):
        words = re.findall(r"\b\w+\b", post.text.lower())
        german = sum(w in {"und", "die", "der", "das", "nicht", "sie", "ist", "mit"} for w in words)
        english = sum(w in {"and", "the", "is", "not", "with", "you", "your"} for w in words)
        assert german > 2 * english, post.text
        assert not LEFTOVERS.search(post.text)


def test_a_sparse_profile_still_gets_clean_text():
    for post in successive_drafts(SPARSE, 30):
        assert not LEFTOVERS.search(post.text), post.text
        assert "case_" not in post.text
        assert len(post.text) <= 3000


def test_a_profile_with_no_areas_at_all_still_gets_clean_text():
    empty = ProfileSnapshot(
        name="Sam",
        headline="",
        areas=[],
        years_experience=None,
        industries=[],
        offers=[],
        case_studies=[],
        tone="bold",
        language="en",
    )

    for post in successive_drafts(empty, 15):
        assert not LEFTOVERS.search(post.text), post.text


def test_profile_text_is_inserted_verbatim_even_with_braces():
    odd = ProfileSnapshot(**{**DEMO.__dict__, "areas": ["Rust {async}"], "industries": ["a|b"]})
    own = engine.TemplateSpec(
        key="own/odd",
        name="A workspace's own template",
        framework="story",
        goal="engagement",
        suits=["any"],
        hooks=["Working on {area} in {industry}.", "{area} for {industry}.", "About {area}."],
        body=["I know {area}.", "I know {industry}.", "I know {topic}."],
        ctas=["What about {area}?", "Any {industry}?", "And {topic}?"],
    )

    post = generate_post(
        GenerationRequest(profile=odd, seed=2, topic="{area}"), templates=[own], backend="template"
    )

    assert "I know Rust {async}." in post.text
    assert "I know a|b." in post.text
    assert "I know {area}." in post.text  # a topic is text, never a template


# --- Topics, ranking and the week -----------------------------------------------------------


def test_suggested_topics_come_from_the_profile_and_are_deterministic():
    topics = suggest_topics(DEMO, count=8, seed=3)

    assert len(topics) == 8
    assert len({t.lower() for t in topics}) == 8
    assert topics == suggest_topics(DEMO, count=8, seed=3)
    assert {engine.area_key(t) for t in topics} >= {"kubernetes", "cloud", "data"}


def test_template_ranking_prefers_templates_that_suit_the_profile():
    security_only = ProfileSnapshot(**{**SPARSE.__dict__, "areas": ["cloud security"]})
    ranking = template_ranking(load_library(), profile=security_only)

    scores = {spec.key: score for spec, score in ranking}
    assert scores["mistake/i-almost-missed"] > scores["leadership/tech-debt-in-money"]
    assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)


def test_template_ranking_honours_performance_multipliers():
    library = load_library()
    plain = {spec.key: score for spec, score in template_ranking(library, profile=DEMO)}
    last = min(plain, key=plain.get)

    boosted = template_ranking(library, profile=DEMO, performance={last: 10.0})
    muted = template_ranking(
        library, profile=DEMO, performance={boosted[1][0].key: 0.0}, framework=None
    )

    assert boosted[0][0].key == last
    assert boosted[0][1] == pytest.approx(plain[last] * 10)
    assert {s.key: v for s, v in muted}[boosted[1][0].key] == 0


def test_template_ranking_filters_by_framework():
    ranking = template_ranking(load_library(), profile=DEMO, framework="hiring")

    assert len(ranking) >= 4
    assert {spec.framework for spec, _ in ranking} == {"hiring"}


def test_plan_week_gives_seven_different_drafts_with_mixed_frameworks():
    week = plan_week(DEMO, count=7, seed=11, backend="template")

    assert len(week) == 7
    assert len({post.template_key for post in week}) == 7
    assert len({post.hook for post in week}) == 7
    assert len({post.framework for post in week}) >= 5
    assert len({post.topic for post in week}) >= 5
    for earlier, later in itertools.pairwise(week):
        assert earlier.framework != later.framework
    texts = [post.text for post in week]
    assert max(similarity_to_those_before(texts)) < CHECKER_NEAR_DUPLICATE


def test_plan_week_avoids_the_templates_and_framework_used_just_before():
    recent = ("lesson-learned/metric-that-mattered", "mistake/the-decision-i-regret")

    week = plan_week(DEMO, count=3, seed=4, recent_template_keys=recent, backend="template")

    assert week[0].framework != "lesson-learned"
    assert not {post.template_key for post in week} & set(recent)


def test_plan_week_in_german_is_deterministic():
    first = plan_week(GERMAN, count=5, seed=2, backend="template")

    assert first == plan_week(GERMAN, count=5, seed=2, backend="template")


def test_the_vocabulary_loads_from_one_data_file_per_area():
    areas, general = engine.load_vocabulary()
    assert list(areas) == list(engine.VOCABULARY_AREAS)
    assert areas["kubernetes"].en.tips == engine.AREAS["kubernetes"].en.tips
    assert general.keywords == ()
    assert all(len(fix) == 2 for area in areas.values() for fix in area.de.lessons)


def test_a_broken_vocabulary_file_is_refused_naming_the_file_and_the_field(tmp_path):
    for path in engine.VOCABULARY_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    cloud = json.loads((tmp_path / "cloud.json").read_text(encoding="utf-8"))
    cloud["de"]["decisions"] = [["only two parts"]]
    (tmp_path / "cloud.json").write_text(json.dumps(cloud), encoding="utf-8")

    with pytest.raises(ValueError, match=r"cloud\.json: de\.decisions must hold lists of 3"):
        engine.load_vocabulary(tmp_path)
