"""Lines that point back ("None of this is unusual.", "Der erste Punkt …") go with the part they
point at: a draft never keeps one after a list or story that was cut or became a gap."""

import random
import re

import pytest

from apps.content import facts
from apps.content.engine.library import FOLLOWS, follows, resolve, template_problems
from apps.content.engine.truth import STORY_FRAMEWORKS
from apps.content.generation import (
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
    generate_post,
    load_library,
)

# How the library's lines point back at the entry before them, in both languages.
BACK_REFERENCES = {
    "en": re.compile(
        r"^(?:None of this|All of this|The first one|The biggest one|Nobody reads those|"
        r"It looked reasonable|My reasoning was sound|It made sense|The arguments were good|"
        r"It feels pragmatic|It looks like speed|Candidates who have solved those|"
        r"The right people recognise their own problems|If nobody can answer the first|"
        r"An empty answer to the first|Why this one|Why not the others|It felt|Then\b|"
        r"That's|It's the best decision|I'd make the same choice|The gap is rarely|"
        r"It's rarely the new hire|The diagnosis|It wasn't a skills problem|Sounds obvious|"
        r"Everyone nods|Boring\?|Not glamorous|It caught up with us|The bill came|"
        r"It was the result of|Behind it was)"
    ),
    "de": re.compile(
        r"^(?:Nichts davon|Der erste Punkt|Der wichtigste Punkt ist der erste|Damals wirkte|"
        r"Auf dem Papier war die Begründung|Wer solche Probleme|Die Diagnose|"
        r"Klingt selbstverständlich|Alle nicken|Langweilig\?|Nicht glamourös|Die Quittung kam|"
        r"Den liest niemand)"
    ),
}
LANGUAGES = ("en", "de")

GAPPED = ProfileSnapshot(
    name="Sofia",
    headline="Security auditor for healthcare",
    areas=["security audits", "compliance"],
    years_experience=9,
    industries=["healthcare"],
    offers=["ISO 27001 readiness audits"],
    case_studies=[],
    tone="direct",
    language="en",
)


def opens_with_back_reference(text: str, language: str) -> bool:
    return bool(BACK_REFERENCES[language].match(text.lstrip("→•—✓-0123456789. ")))


def ways_to_read(entry: str) -> set[str]:
    """The entry as posts may render it (its choices made), slots left in."""
    return {resolve(entry, random.Random(seed)) for seed in range(12)}


def test_every_library_line_that_points_back_is_marked_to_follow_the_line_before():
    unmarked = []
    for spec in load_library():
        for language in LANGUAGES:
            if not spec.speaks(language):
                continue
            body = spec.parts(language)[1]
            for index, entry in enumerate(body[1:], start=1):
                marked, _text = follows(entry)
                if not marked and any(
                    opens_with_back_reference(way, language) for way in ways_to_read(entry)
                ):
                    unmarked.append((spec.key, language, index, entry[:60]))

    assert unmarked == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_line_after_a_gap_points_back_at_the_list_or_story_the_gap_replaced(language):
    profile = ProfileSnapshot(**{**GAPPED.__dict__, "language": language})
    stories = [s for s in load_library() if s.framework in STORY_FRAMEWORKS and s.speaks(language)]
    seen = 0
    after_gap = []
    for spec in stories:
        for topic in ("access reviews nobody does", "SOC 2 vs ISO 27001"):
            for seed in range(4):
                post = generate_post(
                    GenerationRequest(profile=profile, topic=topic, seed=seed),
                    templates=[spec],
                    backend="template",
                )
                paragraphs = [p.strip() for p in re.split(r"\n+", post.text) if p.strip()]
                for index, paragraph in enumerate(paragraphs[:-1]):
                    if facts.find_gaps(paragraph):
                        seen += 1
                        following = paragraphs[index + 1]
                        if opens_with_back_reference(following, language):
                            after_gap.append((spec.key, seed, following))

    assert seen >= len(stories) * 4, "every story template leaves a gap without a case study"
    assert after_gap == []


def _spec(body: list[str]) -> TemplateSpec:
    return TemplateSpec(
        key="story/follow-on",
        name="Follow-on",
        framework="story",
        goal="authority",
        suits=["any"],
        hooks=["A note on {topic}.", "{topic}, briefly.", "About {topic}."],
        body=body,
        ctas=["What do you see?", "Tell me below.", "Sound familiar?"],
    )


FINDINGS = (
    "What I tend to find at the start:\n- {pain}\n- a team {mistake}\n- nobody owning {metric}"
)
OPENING = "Access keys pile up quietly in most setups."
FOLLOW_ON = "^ None of this is unusual. Teams usually know."
CLOSING = "The order of work matters more than any tool."


def _text(spec: TemplateSpec, profile: ProfileSnapshot) -> str:
    return generate_post(
        GenerationRequest(profile=profile, topic="access reviews", seed=1),
        templates=[spec],
        backend="template",
    ).text


def test_a_marked_line_goes_with_the_list_a_gap_replaced_and_the_rest_stays():
    text = _text(_spec([OPENING, FINDINGS, FOLLOW_ON, CLOSING]), GAPPED)

    assert facts.find_gaps(text)
    assert "None of this is unusual" not in text
    assert OPENING in text
    assert CLOSING in text


def test_a_marked_line_goes_with_a_line_the_truth_check_cut():
    # No proof point gives a team size: the truth check cuts the line that needs one.
    spec = _spec([OPENING, "A team of {team_size} engineers.", FOLLOW_ON, CLOSING])
    spec = TemplateSpec(**{**spec.__dict__, "framework": "how-to-list", "key": "how-to-list/x"})

    text = _text(spec, GAPPED)

    assert "None of this is unusual" not in text
    assert OPENING in text
    assert CLOSING in text


def test_a_marked_line_stays_after_a_line_that_stays():
    spec = _spec([OPENING, "Access keys nobody rotates are common.", FOLLOW_ON, CLOSING])
    spec = TemplateSpec(**{**spec.__dict__, "framework": "how-to-list", "key": "how-to-list/x"})

    text = _text(spec, GAPPED)

    assert "None of this is unusual. Teams usually know." in text
    assert FOLLOWS not in text


def test_the_mark_only_stands_before_a_body_entry_that_has_one_before_it():
    spec = _spec([FOLLOW_ON, FINDINGS, CLOSING])
    spec = TemplateSpec(**{**spec.__dict__, "hooks": ["^ " + h for h in spec.hooks]})

    problems = template_problems(spec)

    assert any("body" in p and "follows nothing" in p for p in problems)
    assert any("hooks" in p and "follows nothing" in p for p in problems)


@pytest.mark.parametrize(
    ("entry", "told"),
    [
        (
            "A team of {team_size} engineers. It felt fast. Then the bill came. "
            "Access keys pile up quietly.",
            "Access keys pile up quietly.",
        ),
        (
            "Ein Team von {team_size} Leuten. Das fühlt sich schnell an. Dann kommt die "
            "Rechnung. Das Ergebnis zählt trotzdem.",
            "Das Ergebnis zählt trotzdem.",
        ),
    ],
)
def test_a_sentence_pointing_back_at_one_the_truth_check_cut_goes_with_it(entry, told):
    spec = _spec([OPENING, entry, CLOSING])
    spec = TemplateSpec(**{**spec.__dict__, "framework": "how-to-list", "key": "how-to-list/x"})

    text = _text(spec, GAPPED)

    assert told in text
    for gone in ("It felt fast", "Then the bill", "Das fühlt sich", "Dann kommt"):
        assert gone not in text
