"""Hundreds of drafts across profiles, topics, frameworks and both languages: every figure is
the consultant's, the requested topic is the one written, no sentence with a figure is shared
between two workspaces, no line repeats, and a story without a proof point leaves a gap.

The suite renders 960 drafts with the template engine (no database) and checks each with the
checker, in about 15 seconds.
"""

import re
from collections import defaultdict
from functools import cache

import pytest

from apps.content import engine, facts, linter
from apps.content.engine.phrases import OWN_MISTAKE_GAPS
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)


def vault(client_type, problem, action, results, name=""):
    return {
        "client_type": client_type,
        "problem": problem,
        "action": action,
        "results": results,
        "may_name": bool(name),
        "client_name": name,
    }


PROFILES = {
    "cloud": ProfileSnapshot(
        name="Maria Cloud",
        headline="Cloud architect for fintech",
        areas=["AWS", "Kubernetes"],
        years_experience=14,
        industries=["fintech", "insurance"],
        offers=["architecture review"],
        case_studies=[
            vault(
                "payments scale-up",
                "an EKS bill doubling every quarter",
                "Moved batch jobs to Karpenter-managed spot nodes",
                "cut compute spend 38% in 4 months",
            )
        ],
        tone="direct",
        language="en",
    ),
    "data": ProfileSnapshot(
        name="Dev Data",
        headline="Data platform consultant",
        areas=["data platforms", "Kafka", "PostgreSQL"],
        years_experience=9,
        industries=["logistics"],
        offers=["data platform audit", "fractional data lead"],
        case_studies=[
            vault(
                "logistics company",
                "reports a working day late",
                "Rebuilt the reporting pipeline on Kafka",
                "reports went from 9 hours stale to under 2 minutes",
                name="Northwind Freight",
            ),
            vault(
                "retailer",
                "a warehouse nobody trusted",
                "Replaced nightly batch loads with change data capture",
                "data engineers won back 11 hours a week",
            ),
        ],
        tone="analytical",
        language="en",
    ),
    "security": ProfileSnapshot(
        name="Sam Secure",
        headline="Security consultant",
        areas=["security audits", "cloud security"],
        years_experience=None,
        industries=[],
        offers=[],
        case_studies=[],
        tone="bold",
        language="en",
    ),
    "cto": ProfileSnapshot(
        name="Chris CTO",
        headline="Fractional CTO for B2B SaaS",
        areas=["engineering leadership", "platform engineering"],
        years_experience=21,
        industries=["B2B SaaS"],
        offers=["fractional CTO"],
        case_studies=[],
        tone="friendly",
        language="en",
    ),
}
TOPICS = (
    "Karpenter vs Cluster Autoscaler on EKS",  # the library has no vocabulary for it
    "AWS cost control",
    "zero trust for small teams",
    "hiring your first platform engineer",
)
LANGUAGES = ("en", "de")
SEEDS = (0, 100)  # two drafts of every combination


def in_language(profile, language):
    return ProfileSnapshot(**{**profile.__dict__, "language": language})


@cache
def drafts():
    """(profile key, language, requested topic, framework, post) for every combination."""
    library = load_library()
    result = []
    for key, profile in PROFILES.items():
        for language in LANGUAGES:
            snapshot = in_language(profile, language)
            for topic in (*TOPICS, None):
                for index, framework in enumerate(FRAMEWORKS):
                    for seed in SEEDS:
                        request = GenerationRequest(
                            profile=snapshot, topic=topic, framework=framework, seed=index + seed
                        )
                        post = generate_post(request, templates=library, backend="template")
                        result.append((key, language, topic, framework, post))
    return result


LIST_LINE = re.compile(r"^(?:[→•—]|\d+\.)\s", re.MULTILINE)


def allowed_figures(profile, topic, text):
    # "{count} checks" says how many list items follow; that number is the post's own.
    return engine.post_figures(profile, topic) | {str(len(LIST_LINE.findall(text)))}


# The consultant's own mistake is theirs to tell, case study or not ("What I did: [your
# example: what you got wrong on …]"): not a story the vault could have told.
OWN_MISTAKE_HINTS = tuple(hint.split("{topic}")[0] for hint in OWN_MISTAKE_GAPS.values())


def story_gaps(text):
    """The gaps a draft leaves where its story needs a proof point the vault does not have."""
    return [g for g in facts.find_gaps(text) if not any(h in g for h in OWN_MISTAKE_HINTS)]


def sentences(text):
    for line in text.split("\n"):
        line = LIST_LINE.sub("", line).strip()
        yield from (s.strip() for s in re.split(r"(?<=[.?!])\s+", line) if s.strip())


def test_the_engines_vocabulary_states_no_figure_and_no_result():
    for key, area in [*engine.AREAS.items(), ("general", engine.GENERAL)]:
        for lexicon in (area.en, area.de):
            for name in ("metrics", "pains", "lessons", "tips", "myths", "decisions"):
                for entry in getattr(lexicon, name):
                    texts = entry if isinstance(entry, tuple) else (entry,)
                    assert not any(facts.figures_in(t) for t in texts), (key, name, entry)
            assert all(len(lesson) == 2 for lesson in lexicon.lessons), key  # no "win" left


def test_the_suite_covers_hundreds_of_drafts_in_every_combination():
    combos = {(k, lang, t, f) for k, lang, t, f, _ in drafts()}
    assert len(combos) == len(PROFILES) * len(LANGUAGES) * (len(TOPICS) + 1) * len(FRAMEWORKS)
    assert len(drafts()) == len(combos) * len(SEEDS) == 960


def test_no_draft_states_a_figure_outside_the_profile_its_vault_or_the_topic():
    invented = []
    for key, language, _topic, _framework, post in drafts():
        profile = in_language(PROFILES[key], language)
        extra = facts.unsupported_figures(
            post.text, allowed_figures(profile, post.topic, post.text)
        )
        if extra:
            invented.append((key, post.template_key, extra))
    assert invented == []


def test_the_requested_topic_is_named_and_is_the_label_stored():
    for _key, _language, topic, _framework, post in drafts():
        if topic is None:
            assert engine.names_topic(post.text, post.topic), post.text
            continue
        assert post.topic == topic
        assert topic.lower() in " ".join(post.text.split()).lower(), post.text


def test_a_comparison_topic_compares_its_own_two_tools_not_the_librarys():
    for key, _language, topic, framework, post in drafts():
        if framework == "tool-comparison" and topic and topic.startswith("Karpenter"):
            assert "Argo CD" not in post.text, key
            assert "Flux" not in post.text, key
            assert "Cluster Autoscaler" in post.text


def test_no_sentence_with_a_figure_is_shared_between_two_profiles():
    owners = defaultdict(set)
    for key, language, _topic, _framework, post in drafts():
        # "These 5 checks" counts the list below it: true by construction, not a claim.
        count = str(len(LIST_LINE.findall(post.text)))
        for sentence in sentences(post.text):
            if set(facts.figures_in(sentence)) - {count}:
                owners[(language, sentence.lower())].add(key)
    shared = {sentence: keys for sentence, keys in owners.items() if len(keys) > 1}
    assert shared == {}


def test_no_draft_repeats_a_line_or_a_sentence():
    for key, _language, _topic, _framework, post in drafts():
        seen = [s.lower().rstrip(".:!?") for s in sentences(post.text)]
        repeated = {s for s in seen if seen.count(s) > 1}
        assert repeated == set(), (key, post.template_key, repeated)


def test_a_story_tells_a_fitting_proof_point_or_leaves_one_gap_and_nothing_else_has_one():
    for key, language, _topic, framework, post in drafts():
        gaps = facts.find_gaps(post.text)
        if framework not in engine.STORY_FRAMEWORKS:
            assert gaps == [], (key, post.template_key)
            continue
        assert len(gaps) <= 1, (key, post.template_key)
        if gaps:
            assert gaps[0].startswith("[Ihr Beispiel:" if language == "de" else "[your example:")
        points = engine.proof_points(PROFILES[key])
        topic_key = engine.area_key(post.topic)
        fitting = [p for p in points if engine.proof_point_fits(p, topic_key)]
        if topic_key and fitting:
            assert story_gaps(post.text) == [], (key, post.topic, post.template_key)
            assert any(p.outcome.lower() in post.text.lower() for p in fitting), post.text
        elif topic_key or not points:
            # no proof point in this area (a Kafka rescue is no zero-trust story): a gap
            assert len(gaps) == 1, (key, post.topic, post.template_key)


def test_a_proof_point_is_never_told_as_the_story_of_another_area():
    for key, _language, _topic, framework, post in drafts():
        topic_key = engine.area_key(post.topic)
        for point in engine.proof_points(PROFILES[key]):
            fits = engine.proof_point_fits(point, topic_key)
            if framework in engine.STORY_FRAMEWORKS and not fits:
                assert point.outcome.lower() not in post.text.lower(), (key, post.topic)


def test_a_client_is_named_only_where_the_vault_allows_it():
    for key, _language, _topic, _framework, post in drafts():
        if key != "data":
            assert "Northwind" not in post.text


def test_hashtags_come_only_from_the_topics_or_the_profiles_areas():
    for key, _language, topic, _framework, post in drafts():
        profile = PROFILES[key]
        allowed = {
            tag.lower()
            for area in engine.hashtag_keys(profile, post.topic)
            for tag in engine.AREAS[area].hashtags
        } | {tag.lower() for tag in engine.GENERAL.hashtags}
        used = {tag.lower() for tag in re.findall(r"#(\w+)", post.text)}
        assert used <= allowed, (key, topic, used - allowed)


def test_a_security_consultant_writing_on_cloud_costs_gets_no_data_or_ai_hashtags():
    for key, _language, topic, _framework, post in drafts():
        if key == "security" and topic == "AWS cost control":
            assert not re.search(r"#(DataEngineering|MLOps|AI)\b", post.text), post.text


def post_facts(profile, topic):
    return linter.PostFacts(
        known_figures=engine.post_figures(profile, topic),
        areas=tuple(profile.areas),
        profile_texts=tuple(facts.profile_texts(profile)),
        topic=topic,
    )


# The slips the issue quotes, each in a post that is otherwise fine.
BAD = {
    "invented figures": "The result: the node count fell from 42 to 26.\n\n"
    "The last upgrade took 40 minutes instead of three weeks.\n\nWhat would you measure?",
    "a repeated line": "Short version:\n\nKarpenter scales faster.\n\nShort version:\n\n"
    "Pick the one your team knows. What would you pick?",
    "broken grammar": "Most clusters are oversized.\n\nThe cost is real is nodes idling at 20% "
    "CPU.\n\nWhat does your cluster idle at?",
    "self-contradiction": "A team of 40 asked me about Karpenter.\n\nA fintech company with "
    "12 engineers, all of them busy.\n\nWhat would you do?",
    "hashtags outside the profile": "Karpenter or Cluster Autoscaler? Pick what your team "
    "knows.\n\nWhat would you pick?\n\n#CyberSecurity #Pentesting #ZeroTrust",
    "a gap left open": "Costs first.\n\n[your example: a cost cut you led]\n\nWhat did you cut?",
    "an invented story": "Karpenter or Cluster Autoscaler?\n\nA senior engineer pushed back on "
    "my plan in the first workshop. I had missed her constraint completely.\n\nWhat would you "
    "pick?",
}


@pytest.mark.parametrize("pattern", list(BAD))
def test_the_checker_caps_each_known_bad_pattern_at_70_or_less(pattern):
    # Issue 16 says both "cannot score above 70" and "below 70"; the checker caps at 70.
    profile = PROFILES["cloud"]
    result = linter.lint_post(
        BAD[pattern], facts=post_facts(profile, "Karpenter vs Cluster Autoscaler on EKS")
    )
    reader_problems = {f.rule for f in result.findings} & linter.READER_RULES
    assert reader_problems, pattern
    assert result.score <= linter.MAX_SCORE_WITH_READER_PROBLEM == 70, (pattern, result.score)


READER_SLIPS = {
    "unsupported-figure",
    "repeated-line",
    "contradiction",
    "broken-grammar",
    "generic-post",
    "invented-story",
}
FIGURE_IN_FINDING = re.compile(r"The figure (\S+)")


def test_the_checker_finds_no_invented_figure_repeat_slip_or_contradiction_in_the_drafts():
    flagged = []
    for key, language, _topic, _framework, post in drafts():
        profile = in_language(PROFILES[key], language)
        result = linter.lint_post(post.text, facts=post_facts(profile, post.topic))
        count = str(len(LIST_LINE.findall(post.text)))
        for finding in result.findings:
            if finding.rule not in READER_SLIPS:
                continue
            figure = FIGURE_IN_FINDING.search(finding.message)
            if figure and figure.group(1) == count:
                continue  # "3 fixes" counts the list that follows: the checker cannot know
            flagged.append((key, language, post.template_key, finding.message[:80]))
    assert flagged == []


def test_a_draft_nobody_chose_a_framework_for_needs_no_gap_when_the_vault_is_empty():
    library = load_library()
    for seed in range(40):
        post = generate_post(
            GenerationRequest(profile=PROFILES["security"], topic="zero trust", seed=seed),
            templates=library,
            backend="template",
        )
        assert post.framework not in engine.STORY_FRAMEWORKS
        assert facts.find_gaps(post.text) == []


# Phrases that tell of a past event, a client, a team or a person. Under the consultant's name
# such a sentence must be their own: its words come from the proof vault.
NARRATIVE_PHRASES = (
    "I led",
    "I had",
    "raised her hand",
    "we tracked",
    "one team I worked with",
    "a client of mine",
    "last year",
    "took one",
    "ich habe",
    "wir haben",
    "letztes Jahr",
    "ein Kunde von mir",
)
SMALL_NUMBER = re.compile(
    r"(?<![\w/.,-])(?:[1-9]|1\d|20)(?![\w%.,]\d?)|\b(?:two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    r"eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|dreizehn|vierzehn|"
    r"fünfzehn|sechzehn|siebzehn|achtzehn|neunzehn|zwanzig)\b",
    re.IGNORECASE,
)


def test_the_narrative_markers_catch_the_invented_stories_seen_in_drafts():
    for sentence in (
        "The engineer who disagreed with me saved the project.",
        "A senior engineer raised her hand.",
        "I had missed it completely.",
        "We tracked 3 metrics.",
        "It took one retro to agree on it.",
        "One team I worked with set requests from real usage.",
        "The fastest cloud security migration I led was the slowest.",
        "Ich habe oft gesehen, wie es läuft.",
    ):
        assert facts.tells_story(sentence), sentence
    for advice in ("Ask your team what it measures.", "Set requests from real usage."):
        assert not facts.tells_story(advice), advice


def test_no_draft_tells_a_story_the_proof_vault_did_not_give():
    invented = []
    for key, language, _topic, _framework, post in drafts():
        vault = engine.vault_texts(in_language(PROFILES[key], language))
        for sentence in sentences(post.text):
            low = sentence.lower()
            if engine.from_vault(sentence, vault) or facts.find_gaps(sentence):
                continue
            phrases = [p for p in NARRATIVE_PHRASES if re.search(rf"\b{p.lower()}\b", low)]
            if phrases or facts.tells_story(sentence):
                invented.append((key, post.template_key, sentence))
    assert invented == []


def test_no_small_number_appears_outside_the_vault_the_profile_the_topic_or_a_list_count():
    invented = []
    for key, language, _topic, _framework, post in drafts():
        profile = in_language(PROFILES[key], language)
        allowed = allowed_figures(profile, post.topic, post.text)
        vault = engine.vault_texts(profile)
        for sentence in sentences(post.text):
            if engine.from_vault(sentence, vault) or facts.find_gaps(sentence):
                continue
            # "step one" points at the list above it, not at a fact
            sentence = re.sub(r"\b(?:Schritt|step) (?:eins|one)\b", "", sentence, flags=re.I)
            for match in SMALL_NUMBER.finditer(sentence):
                figures = facts.figures_in(match.group(0)) or [match.group(0)]
                if not set(figures) & allowed:
                    invented.append((key, post.template_key, sentence))
    assert invented == []


def test_a_comparison_topic_leads_the_hook_and_its_tools_appear_in_the_body():
    for key, _language, topic, _framework, post in drafts():
        if topic != TOPICS[0]:
            continue
        hook, _, body = post.text.partition("\n\n")
        assert "Karpenter" in hook or topic in hook, (key, post.template_key, hook)
        assert "Karpenter" in body, (key, post.template_key)
        assert "Cluster Autoscaler" in body, (key, post.template_key)
