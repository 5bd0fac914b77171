"""A lint over the whole template library, both languages: no line can state an engagement, a
client, a project or a team size that the consultant did not give.

A line may tell of the consultant's own work only through the slots the proof vault fills
({case_title}, {case_outcome}, {win}, a switch's {switch_from} and {switch_to}; in a story
framework also the story slots a case study fills or a gap replaces), and what it adds around
them states no figure and no duration. No
line names "a {industry} client" (the profile's industries say whom the consultant serves, not
that such a project happened), "my last project", "a recent engagement", "last week" or a slot
nothing fills ({team_size}). Every choice of every line is spelt out. The engine's run-time
guard (`facts.tells_story`) also leaves such sentences out; the last test checks it does.
"""

import json
import re

import pytest

from apps.content import facts
from apps.content.engine import LIBRARY_DIR, STORY_FRAMEWORKS
from apps.content.engine.library import ALTERNATIVES, CHOICE, SLOT, follows
from apps.content.engine.truth import NARRATIVE_SLOTS

# Slots only the proof vault fills: a sentence holding one tells the consultant's own case.
VAULT_SLOTS = frozenset({"case_title", "case_outcome", "win", "switch_from", "switch_to"})
# Slots nothing the consultant gives ever fills: a line needing one is dead text at best.
NEVER_GIVEN = frozenset({"team_size", "example_win"})
# What a profile states, as the engine fills it: the profile's own figures are allowed.
PROFILE_VALUES = {"years": "14", "years_in_area": "14", "years_in_areas": "14", "count": "4"}
ALLOWED_FIGURES = frozenset({"14", "4"})
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
# An engagement nobody described, as a template spells it: an industry names whom the
# consultant serves, so "a {industry} client" invents one of them; "my last project", "a recent
# engagement", "week one at", "client after client" tell of work the profile never mentions.
ENGAGEMENT = re.compile(
    r"\b(?:a|an|one|the|at|this|that)\s+(?:new\s+|recent\s+)?\{industry\}[- ](?:client|project"
    r"|company|scale-up|startup|customer|product|engagement|team)\b"
    r"|\b(?:einem|einen|ein|eine|einer)\s+(?:\w+\s+)?(?:Kunden?|Unternehmen|Projekt|Produkt|Team)"
    r"\s+(?:aus dem|im) Bereich \{industry\}"
    r"|\bmy (?:last|latest) (?:\S+ )?(?:project|client|engagement)\b"
    r"|\b(?:a|one|from a) recent (?:\S+ )?(?:project|engagement|case|client|example)\b"
    r"|\bthe same (?:\S+ )?project\b|\bweek one at\b|\b(?:client|year) after (?:client|year)\b"
    r"|\blast (?:week|month|year)\b|\bthis (?:week|year)'s\b|\bthis year (?:was|took)\b"
    r"|\bthat number was\b|\bsurprised them\b"
    r"|\b(?:aktuellen|letzten|jüngsten) (?:\S*-)?(?:Projekt|Mandat|Kunden)\b"
    r"|\bdasselbe (?:\S*-)?Projekt\b|\bauf ein Projekt\b|\bKunde um Kunde\b"
    r"|\bletzte Woche\b|\bletzten Monat\b|\bletztes Jahr\b|\bdieses Jahr(?:es)? (?:für|war)\b",
    re.IGNORECASE,
)
# What a template adds around the case's own words must not be a duration nobody gave, nor a
# story around it ("It worked better than my version would have: {win}").
AROUND_THE_CASE = re.compile(
    r"\bwould have\b|\bbetter than my\b|\bbeat mine\b|\bthrew out\b|\binstead we\b",
    re.IGNORECASE,
)
DURATION = re.compile(
    r"\b(?:in|for|within|after) (?:a|one|two|three|a single) (?:day|week|month|quarter|year)s?\b"
    r"|\b(?:in|nach|innerhalb) (?:einer|einem|zwei|drei) (?:Woche|Monat|Tag|Quartal)(?:en|e|n)?\b",
    re.IGNORECASE,
)


def expansions(entry: str, limit: int = 4000) -> list[str]:
    """Every way an entry can be resolved: each alternative paragraph, each option of every
    choice (innermost first, as `resolve` picks them); slots stay."""
    texts = follows(entry)[1].split(ALTERNATIVES)
    texts = [SLOT.sub(lambda m: f"\x00{m.group(1)}\x01", t) for t in texts]
    done = []
    while texts:
        text = texts.pop()
        match = CHOICE.search(text)
        if match is None:
            done.append(text.replace("\x00", "{").replace("\x01", "}"))
            continue
        for option in match.group(1).split("|"):
            texts.append(text[: match.start()] + option + text[match.end() :])
        assert len(texts) < limit, entry
    return done


def library_lines():
    """(where, framework, part, line) for every hook, body entry, CTA and depth paragraph."""
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        framework = data["framework"]
        for language, lines in data.get("depth", {}).items():
            for line in lines:
                yield f"{path.name} depth/{language}", framework, "depth", line
        for template in data["templates"]:
            for language, parts in (("en", template), ("de", template.get("de", {}))):
                for part in ("hooks", "body", "ctas"):
                    for line in parts.get(part, []):
                        where = f"{path.name} {template['key']} {part}/{language}"
                        yield where, framework, part, line


def claims_without_source(framework: str, part: str, line: str) -> list[str]:
    """The sentences of `line` that could state a fact nobody gave, as the template has them."""
    sourced_slots = set(VAULT_SLOTS)
    if framework in STORY_FRAMEWORKS and part != "depth":
        # in a story a case study fills these, and without one they become the gap
        sourced_slots |= NARRATIVE_SLOTS - NEVER_GIVEN - {"timeframe"}
    found = []
    for text in expansions(line):
        for sentence in SENTENCE_END.split(text.replace("\n", " ")):
            slots = set(SLOT.findall(sentence))
            if slots & NEVER_GIVEN or ENGAGEMENT.search(sentence):
                found.append(sentence)
            elif slots & sourced_slots:
                # the case's own words: what the template adds around them is checked
                rest = SLOT.sub("", sentence)
                added = set(facts.figures_in(rest)) - ALLOWED_FIGURES
                if added or DURATION.search(rest) or AROUND_THE_CASE.search(rest):
                    found.append(sentence)
    return list(dict.fromkeys(found))


def runtime_drops(sentence: str) -> bool:
    """Whether the engine leaves the sentence out of a draft (no vault text in it)."""
    return facts.tells_story(
        SLOT.sub(lambda m: PROFILE_VALUES.get(m.group(1), "fintech"), sentence)
    )


def test_the_lint_catches_the_engagements_seen_in_drafts():
    for framework, line in (
        ("lesson-learned", "Hindsight on a {industry} project: what I'd do differently."),
        ("leadership", "I saw it at {a {industry} client with {team_size} engineers|one client}."),
        ("behind-the-scenes", "Week one at a new {industry} client: {first_step}."),
        ("leadership", "{At one client|Often}, that number was about a fifth of the budget."),
        ("story", "{Day one|Week one} at a new {industry} client."),
        ("leadership", "{Last week|Often}, at a {industry} client: {pain}."),
        ("mistake", "We fixed it in a week: {case_title}."),
        ("story", "{It worked better than my version would have|Their version beat mine}: {win}."),
        ("case-study", "Die Zahlen aus einem aktuellen {area}-Projekt, ungeschönt."),
        ("story", "Kontext: ein Produkt im Bereich {industry}."),
    ):
        assert claims_without_source(framework, "hooks", line), line
    # and the engine would leave each of them out of a draft even if the library held it
    for sentence in (
        "Hindsight on a {industry} project: what I'd do differently.",
        "Week one at a new {industry} client.",
        "At a {industry} client, that number was about a fifth of engineering time.",
        "Last week, at a {industry} client: {pain}.",
        "A {industry} client, a routine {offer} engagement, the usual checks.",
        "The numbers from a recent {area} project, unpolished.",
        "It felt frustrating for a month.",
        "My answer surprised them: slow down first.",
        "Halfway through, the project was failing.",
        "A CTO once told me my advice was wrong.",
        "Rückblick auf ein Projekt: Was ich heute anders machen würde.",
        "Die Zahlen aus einem aktuellen {area}-Projekt, ungeschönt.",
        "Kontext: ein Produkt im Bereich {industry}.",
    ):
        assert runtime_drops(sentence), sentence
    for framework, line in (
        ("lesson-learned", "{From my own work|My own case}: {case_title}."),
        ("how-to-list", "Where I start in a new engagement: {first_step}."),
        ("leadership", "I work mostly with {industry} teams."),
        ("contrarian", "It takes a week, not a project."),
        ("mistake", "The fix, from my own work: we {fix}."),
    ):
        assert claims_without_source(framework, "body", line) == [], line


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_library_line_states_an_engagement_a_team_or_a_number_nobody_gave(language):
    found = [
        f"{where}: {sentence}"
        for where, framework, part, line in library_lines()
        if f"/{language}" in where
        for sentence in claims_without_source(framework, part, line)
    ]
    assert found == []


# A decision's reason is a general argument for it ("switching vendors stays a config change"),
# never an outcome that happened ("switching vendors became a config change", "people stopped
# muting their phones"): drafts put it after "The reason:" in lines about the consultant's own
# calls, and nobody told the product what followed them.
PAST_OUTCOME = {
    "en": re.compile(
        r"\b(?:became|stopped|went (?:from|down|up)|cut|fell|dropped|halved|doubled|shrank|grew"
        r"|was|were|did(?:n't| not)?|no longer|is now|are now|turned into|ended up|since then)\b",
        re.IGNORECASE,
    ),
    # "was" is German for "what" ("das, was in Git steht"): only the English list has it
    "de": re.compile(
        r"\b(?:ist|sind) jetzt\b|\b(?:wurden?|war|waren|sank|fiel|halbierte|verdoppelte"
        r"|kosteten?)\b|\bnicht mehr\b|\bkeine?[nrms]? mehr\b|\bniemand\b[^,]*\bmehr\b"
        r"|\bseitdem\b",
        re.IGNORECASE,
    ),
}


def vocabulary_reasons():
    """(where, language, text) for every general claim of every area's vocabulary: the reason
    of each decision, the reality behind each myth and each tip."""
    for path in sorted((LIBRARY_DIR / "vocabulary").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for language in ("en", "de"):
            lexicon = data[language]
            for decision, _alternative, reason in lexicon.get("decisions", []):
                yield f"{path.name} {language} {decision}", language, reason
            for myth, reality in lexicon.get("myths", []):
                yield f"{path.name} {language} {myth}", language, reality
            for tip in lexicon.get("tips", []):
                yield f"{path.name} {language} tip", language, tip


def test_the_outcome_lint_catches_the_reasons_seen_in_drafts():
    for language, reason in (
        ("en", "switching vendors became a config change instead of a rewrite"),
        ("en", "people stopped muting their phones"),
        ("en", "the cluster is now whatever Git says it is"),
        ("en", "month-end reports no longer slow down checkout"),
        ("en", "several consumers of the same events was the tipping point"),
        ("de", "ein Anbieterwechsel ist jetzt Konfiguration statt Neubau"),
        ("de", "niemand schaltet mehr das Telefon stumm"),
        ("de", "Merge-Konflikte kosteten jeden Entwickler einen halben Tag pro Woche"),
        ("de", "die Migration wurde ein Image-Rebuild"),
    ):
        assert PAST_OUTCOME[language].search(reason), reason
    for language, reason in (
        ("en", "switching vendors stays a config change instead of a rewrite"),
        ("en", "a page that always means something is a page nobody mutes"),
        ("de", "ein Anbieterwechsel bleibt Konfiguration statt Neubau"),
        ("de", "einen Alarm, der immer etwas bedeutet, schaltet niemand stumm"),
        ("de", "der Cluster bleibt genau das, was in Git steht"),
    ):
        assert PAST_OUTCOME[language].search(reason) is None, reason


def test_no_vocabulary_reason_reality_or_tip_tells_an_outcome_that_happened():
    found = [
        f"{where}: {reason}"
        for where, language, reason in vocabulary_reasons()
        if PAST_OUTCOME[language].search(reason) or set(facts.figures_in(reason)) - ALLOWED_FIGURES
    ]
    assert found == []
