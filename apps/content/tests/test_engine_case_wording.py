"""How a case study's own words read in a draft: its problem, client and action each once and
where they fit, a problem with a colon of its own that still reads as a sentence, and the
profile's areas written as German nouns in a German draft."""

import re

from apps.content.engine import STORY_FRAMEWORKS
from apps.content.engine.grammar import without_inner_colon
from apps.content.engine.vocabulary import german_area_name
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

# The case study of the drafts the issue quotes: its problem holds a colon of its own.
ALERTING = {
    "client_type": "logistics SaaS with 40 engineers",
    "problem": "alert fatigue: 300 pages a week, most of them noise",
    "action": "rebuilt alerting on SLOs with OpenTelemetry traces",
    "results": "pages fell from 300 to 25 a week",
    "may_name": False,
    "client_name": "",
}
AUDIT = {  # a problem typed as a clause, told in a sentence of its own with its client
    "client_type": "telehealth startup",
    "problem": "failed its first ISO 27001 audit: 14 findings",
    "action": "rebuilt alerting on SLOs with OpenTelemetry traces",
    "results": "pages fell from 300 to 25 a week",
    "may_name": False,
    "client_name": "",
}


def profile(language="en", case=ALERTING):
    return ProfileSnapshot(
        name="Jonas",
        headline="Observability and SRE consultant for SaaS teams",
        areas=["observability", "incident response", "OpenTelemetry"],
        years_experience=11,
        industries=["logistics", "SaaS"],
        offers=["observability audit", "on-call setup"],
        case_studies=[case],
        tone="direct",
        language=language,
    )


def turning_point(snapshot, seed):
    spec = next(t for t in load_library() if t.key == "case-study/the-turning-point")
    request = GenerationRequest(profile=snapshot, topic="alert fatigue", seed=seed)
    return generate_post(request, templates=[spec], backend="template").text


def test_the_turning_point_tells_problem_client_and_action_once_each():
    for seed in range(6):
        text = turning_point(profile(), seed)
        assert text.count("rebuilt alerting on SLOs") == 1, text
        assert text.count("logistics SaaS with 40 engineers") == 1, text
        assert text.count("300 pages a week, most of them noise") == 1, text
        assert "we rebuilt alerting on SLOs" in text  # the action as what was done
        assert "from rebuilt" not in text
        assert "Context: rebuilt" not in text
        assert "Understandable." not in text, text


def test_the_turning_point_tells_a_clause_problem_with_its_client_once():
    for seed in range(6):
        text = turning_point(profile(case=AUDIT), seed)
        assert "Where it started: the client, a telehealth startup, failed" in text, text
        assert text.count("telehealth startup") == 1, text


def test_a_problem_with_its_own_colon_reads_after_a_label_and_in_a_sentence():
    assert (
        without_inner_colon(ALERTING["problem"])
        == "alert fatigue (300 pages a week, most of them noise)"
    )
    assert without_inner_colon("slow reporting queries") == "slow reporting queries"
    library = load_library()
    told = 0
    for framework in FRAMEWORKS:
        for seed in range(3):
            request = GenerationRequest(
                profile=profile(), topic="alert fatigue", framework=framework, seed=seed
            )
            text = generate_post(request, templates=library, backend="template").text
            # never two labels in a row ("The starting point: alert fatigue: 300 pages")
            assert "alert fatigue: 300" not in text, (framework, text)
            for sentence in re.split(r"(?<=[.?!])\s+|\n", text):
                if "300 pages a week, most of them noise" in sentence:
                    # told last in its sentence, never in its middle ("what … costs you today")
                    assert sentence.rstrip(".").endswith("most of them noise)"), sentence
            if framework in STORY_FRAMEWORKS:
                told += "alert fatigue (300 pages a week, most of them noise)" in text
    assert told  # the stories that tell the problem tell it in brackets


def test_a_german_draft_writes_the_profiles_areas_as_nouns():
    assert german_area_name("observability") == "Observability"
    assert german_area_name("incident response") == "Incident Response"
    assert german_area_name("sicherheit in der cloud") == "Sicherheit in der cloud"
    for kept in ("OpenTelemetry", "AWS", "dbt", "dbt models", "Kubernetes"):
        assert german_area_name(kept) == kept
    library = load_library()
    seen = 0
    for framework in FRAMEWORKS:
        for seed in range(3):
            request = GenerationRequest(
                profile=profile("de"), topic="Alarmmüdigkeit", framework=framework, seed=seed
            )
            text = generate_post(request, templates=library, backend="template").text
            assert not re.search(r"\b(?:observability|incident response)\b", text), text
            seen += "Observability" in text
    assert seen  # the area is named somewhere, with its capital
