"""German lists of findings are one grammatical kind: noun phrases ("Workloads, die ohne
Resource Requests ausgerollt werden"), never a noun phrase beside a bare infinitive ("Workloads
ohne Resource Requests ausrollen") under "Was ich in den ersten Tagen finde:"."""

import random
import re

import pytest

from apps.content.engine.library import SLOT, resolve
from apps.content.engine.vocabulary import AREAS, GENERAL
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

_LIST_ITEM = re.compile(r"^(?:[→•—✓\-]|\d+\.)\s+")
_PARTICIPLE = re.compile(r"ge\w+en$")  # "aufgeschrieben", "gemessen": no infinitive


def ends_in_bare_infinitive(item: str) -> bool:
    """Whether a list item is an infinitive phrase ("Workloads ohne Requests ausrollen",
    "X ignorieren, bis etwas kaputtgeht"): its main part, before any comma, ends in a lower-case
    verb form in -en, -ern or -eln that is not a past participle. A relative clause after a
    noun ("Pods, die … hängen") is left alone: its main part is the noun."""
    main = _LIST_ITEM.sub("", item).split(",")[0].strip().rstrip(".:")
    words = main.split()
    if len(words) < 2:
        return False
    last = words[-1]
    return bool(
        last.islower() and re.search(r"(?:en|ern|eln)$", last) and not _PARTICIPLE.search(last)
    )


def vocabulary_findings() -> dict[str, tuple[str, str]]:
    """Every German pain and mistake of the vocabulary by its lower-cased text (lists may
    capitalise it): where it is from, and the text."""
    found = {}
    for key, area in [*AREAS.items(), ("general", GENERAL)]:
        for pain in area.de.pains:
            found[pain.lower()] = (f"{key}: pain", pain)
        for mistake, _fix in area.de.lessons:
            found[mistake.lower()] = (f"{key}: mistake", mistake)
    return found


def test_the_heuristic_tells_an_infinitive_from_a_noun_phrase():
    assert ends_in_bare_infinitive("• Workloads ohne Resource Requests ausrollen")
    assert ends_in_bare_infinitive("- Zahl der Rollbacks ignorieren, bis etwas kaputtgeht")
    assert ends_in_bare_infinitive("zu jeder Feature-Anfrage aus dem Vertrieb Ja sagen")
    assert not ends_in_bare_infinitive("• Eine EKS-Rechnung, die sich jedes Quartal verdoppelte")
    assert not ends_in_bare_infinitive("Pods, die nach jedem Release in CrashLoopBackOff hängen")
    assert not ends_in_bare_infinitive("Workloads, die ohne Resource Requests ausgerollt werden")
    assert not ends_in_bare_infinitive("eine Architekturentscheidung aufgeschrieben")


def test_every_german_pain_and_mistake_of_the_vocabulary_is_a_noun_phrase():
    infinitives = [
        (where, text)
        for where, text in vocabulary_findings().values()
        if ends_in_bare_infinitive(text)
    ]

    assert infinitives == []


def test_the_fixed_items_of_the_german_finding_lists_are_noun_phrases_too():
    mixed = []
    for spec in load_library():
        if not spec.speaks("de"):
            continue
        for entry in spec.parts("de")[1]:
            items = [line for line in entry.split("\n") if _LIST_ITEM.match(line)]
            if not any(
                SLOT.search(i) and {"pain", "mistake"} & set(SLOT.findall(i)) for i in items
            ):
                continue  # not a list of findings
            for seed in range(6):
                for item in resolve(entry, random.Random(seed)).split("\n"):
                    if _LIST_ITEM.match(item) and ends_in_bare_infinitive(SLOT.sub("X", item)):
                        mixed.append((spec.key, item))

    assert mixed == []


def _case(problem: str, action: str, results: str) -> dict:
    return {
        "client_type": "scale-up",
        "problem": problem,
        "action": action,
        "results": results,
        "may_name": False,
        "client_name": "",
    }


# With a case study on the area the story frameworks tell their lists instead of a gap.
PROFILES = [
    ProfileSnapshot(
        name="Jonas",
        headline="Consultant",
        areas=areas,
        years_experience=11,
        industries=["logistics"],
        offers=["architecture review"],
        case_studies=[case],
        tone="direct",
        language="de",
    )
    for areas, case in (
        (
            ["Kubernetes", "AWS"],
            _case(
                "an EKS bill doubling every quarter",
                "Moved batch jobs to Karpenter-managed spot nodes on Kubernetes",
                "cut compute spend 38% in 4 months",
            ),
        ),
        (
            ["platform engineering", "CI/CD"],
            _case(
                "new services took weeks to reach production",
                "Built a golden path on the internal developer platform",
                "time to production down from 3 weeks to 2 days",
            ),
        ),
        (
            ["data engineering"],
            _case(
                "a nightly batch job failing every week",
                "Rebuilt the data pipeline as tested dbt models",
                "failed loads down from 4 a month to 0",
            ),
        ),
        (
            ["observability"],
            _case(
                "hundreds of alerts a week nobody read",
                "Moved alerting to SLOs and burn rates with runbooks",
                "pages down 70% in 2 months",
            ),
        ),
        (
            ["security audits"],
            _case(
                "failed its first ISO 27001 stage-one audit",
                "Rebuilt the access review and risk register for the security audit",
                "passed stage two 11 weeks later",
            ),
        ),
    )
]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.areas[0])
def test_no_german_finding_list_in_a_draft_mixes_infinitives_and_noun_phrases(profile):
    findings = vocabulary_findings()
    library = load_library()
    lists_seen = 0
    mixed = []
    for framework in FRAMEWORKS:
        for seed in range(4):
            text = generate_post(
                GenerationRequest(
                    profile=profile, topic=profile.areas[0], framework=framework, seed=seed
                ),
                templates=library,
                backend="template",
            ).text
            for block in text.split("\n\n"):
                items = [line for line in block.split("\n") if _LIST_ITEM.match(line)]
                bodies = [_LIST_ITEM.sub("", i).rstrip(".").lower() for i in items]
                if not any(b in findings for b in bodies):
                    continue
                lists_seen += 1
                kinds = {ends_in_bare_infinitive(i) for i in items}
                if len(kinds) > 1:
                    mixed.append(items)

    assert lists_seen > 0
    assert mixed == []
