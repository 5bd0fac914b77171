"""What a draft may state: the proof vault's stories and the figures a profile gave.

A sentence with a figure nobody gave, or a story the vault does not hold, is left out of a
draft (`true_sentence`); a story framework without a proof point leaves a gap instead. How a
client switched tools is a story too (`tells_a_switch`): told only from a case study that
records the switch (`switch_in`), with the tools, trigger and result the case study gives.
The consultant's own mistake is no vault field at all: a template telling one
(`tells_own_mistake`) leaves it to them as a gap, beside a case study too.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from apps.accounts import proof_vault
from apps.content import facts
from apps.content.engine.base import ProfileSnapshot, TemplateSpec
from apps.content.engine.grammar import without_inner_colon
from apps.content.engine.library import SWITCH_SLOTS, slots_in
from apps.content.engine.vocabulary import (
    AREA_ORDER,
    AREA_PATTERNS,
    area_key,
    topic_area_key,
    topic_overlap,
    topic_words,
)

# Frameworks that tell a story from the consultant's own work. Without a proof point on hand
# they leave a visible gap for the consultant to fill, never an invented client or result.
STORY_FRAMEWORKS = frozenset(
    {"story", "case-study", "lesson-learned", "mistake", "behind-the-scenes"}
)
# Slots that state a fact about one client: in a story framework they come from the proof
# vault (or become one gap); elsewhere a sentence needing one is left out.
STORY_SLOTS = frozenset({"team_size", "timeframe", "win", "case_title", "case_outcome", "case_at"})
# `own_mistake` is the consultant's own mistake ("What I did: …"): no vault field records one,
# so it is always theirs to tell: the story's gap without a case study, a gap of its own with
# one. `mistake` is the area's common mistake, told as what teams get wrong.
NARRATIVE_SLOTS = STORY_SLOTS | {"mistake", "own_mistake", "fix"}
# Team sizes and durations are facts about a client that no proof point records: a sentence
# that needs one is left out (this marker in a filled sentence drops it).
UNKNOWN_FACT = "\x02"


@dataclass(frozen=True)
class Switch:
    """A move from one tool to another that a case study records. `old` and `new` are the two
    tools as the notes name them ("Moved CI from Jenkins to GitHub Actions" → Jenkins, GitHub
    Actions); both are empty when the notes do not say which ("Moved batch jobs to spot
    nodes"), and then a draft names neither."""

    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class ProofPoint:
    """One case study of the proof vault, as the engine may state it."""

    title: str  # what was done ("Moved a payments platform to Kubernetes")
    outcome: str  # the results, in the consultant's words and numbers
    problem: str = ""
    client: str = ""  # the client's name when it may be named, else the client type
    named: bool = False  # whether `client` is the client's name
    # The notes as typed in the vault's first language, whatever language the post is in: the
    # areas a proof point is in are read from them.
    notes: str = ""
    switch: Switch | None = None  # the switch the case study records, if it records one


def proof_points(profile: ProfileSnapshot) -> list[ProofPoint]:
    """The profile's proof vault entries that have both something done and a result: the only
    stories a draft may tell."""
    points = []
    for original in proof_vault.entries(profile.case_studies):
        # A German draft tells the consultant's German wording when the vault has one.
        entry = proof_vault.in_language(original, profile.language)
        title, outcome = entry["action"].rstrip("."), entry["results"].rstrip(".")
        if title and outcome:
            problem = entry["problem"].rstrip(".")
            notes = [original[n] for n in ("action", "results", "problem")]
            points.append(
                ProofPoint(
                    title=title,
                    outcome=outcome,
                    problem=problem,
                    client=proof_vault.public_client(entry),
                    named=bool(entry["may_name"]),
                    notes=" ".join(notes),
                    switch=switch_in(title, outcome, problem, *notes),
                )
            )
    return points


# --- Switches ---------------------------------------------------------------------------------
# "Why a client switched" is the consultant's own story, like a story framework's: it is told
# only from a case study that records a switch, with that case's tools, trigger and result.

# Where a tool's name ends: a comma, a colon, a bracket, a full stop, or the words that go on
# to say when or what came of it ("… to Amazon MSK in six weeks", "… auf GitHub Actions
# umgestellt, Buildzeit …"); "and" followed by a name goes on ("Grafana and Prometheus").
_NAME_END = (
    r"(?=$|[,;:()\n]|\.(?:\s|$)|\s(?:in|within|for|so|after|over|across|with|while|by|on"
    r"|cutting|saving|reducing|which|innerhalb|für|nach|mit|bei|wodurch|sodass|um)\b"
    r"|\s(?:and|und)\b(?!\s+(?-i:[A-ZÄÖÜ])))"
)
_SPAN = r"[^,;:()\n]+?"
# The ways notes name a switch with both of its tools, the tool left first.
_SWITCH_NAMED = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "Moved CI from Jenkins to GitHub Actions", "a migration from Kafka to Kinesis"
        rf"\b(?:mov|migrat|switch|swap)\w*\b[^.;:]*?\bfrom ({_SPAN}) (?:to|onto) ({_SPAN})"
        + _NAME_END,
        # "Replaced Cluster Autoscaler with Karpenter"
        rf"\breplac\w*\s+({_SPAN}) (?:with|by) ({_SPAN}){_NAME_END}",
        # "CI von Jenkins auf GitHub Actions umgestellt"
        rf"\bvon ({_SPAN}) (?:zu|auf|nach) ({_SPAN})"
        r" (?:migriert|umgestellt|gewechselt|umgezogen)\b",
        # "Migration von Jenkins zu GitHub Actions", "migriert von Jenkins auf GitHub Actions"
        rf"\b(?:Migration|Wechsel|Umstieg|Umstellung|Umzug|migriert|umgestellt|gewechselt)"
        rf" von ({_SPAN}) (?:zu|auf|nach) ({_SPAN}){_NAME_END}",
        # "Jenkins durch GitHub Actions ersetzt", "Jenkins abgelöst durch GitHub Actions"
        rf"(?:^|[,;:]\s*)({_SPAN}) durch ({_SPAN}) (?:ersetzt|abgelöst)\b",
        rf"(?:^|[,;:]\s*)({_SPAN}) (?:ersetzt|abgelöst) durch ({_SPAN}){_NAME_END}",
        # "Migrated Jenkins to GitHub Actions": the thing moved may be the old tool itself
        rf"\b(?:mov|migrat|switch)\w*\s+({_SPAN}) (?:to|onto) ({_SPAN}){_NAME_END}",
        # "Jenkins to GitHub Actions: …", "Jenkins → GitHub Actions" as the whole of a note's start
        rf"^({_SPAN}) (?:to|→|->) ({_SPAN}){_NAME_END}",
    )
)
# Notes that tell of a switch without naming both tools ("Moved batch jobs to spot nodes").
_SWITCH_TOLD = re.compile(
    r"\b(?:mov(?:e|ed|es|ing)|migrat(?:e|ed|es|ing|ion|ions)|switch(?:ed|es|ing)?"
    r"|swap(?:ped|s|ping)?|replac(?:e|ed|es|ing))\b[^.;:]*?\b(?:to|onto|off|from|with|away)\b"
    r"|\b(?:migriert|umgestellt|gewechselt|ersetzt|abgelöst|umgezogen)\b"
    r"|\b(?:Migration|Wechsel|Umstieg|Umstellung|Umzug) (?:von|auf|zu|nach)\b",
    re.IGNORECASE,
)
_LEADING_ARTICLE = re.compile(
    r"^(?:the|a|an|our|their|den|die|das|der|dem|unseren|unsere|ihren|ihre|seinen|seine)\s+",
    re.IGNORECASE,
)
# A tool's name as a post may restate it: words with a capital or a digit ("GitHub Actions",
# "eBPF", "S3"), joined at most by "and". "batch jobs", "the old box" are not a tool's name.
_NAME_WORD = re.compile(r"^[\"'„“]?(?:[A-ZÄÖÜ0-9]|[^\s]*[A-Z])\S*$")
_NAME_JOINS = frozenset({"and", "und", "&", "+", "/"})


def _tool_name(span: str) -> str:
    """The span as a tool's name, or "" when it does not read as one."""
    name = _LEADING_ARTICLE.sub("", span.strip())
    words = name.split()
    if not 1 <= len(words) <= 4 or words[0] in _NAME_JOINS or words[-1] in _NAME_JOINS:
        return ""
    if all(_NAME_WORD.match(w) or w in _NAME_JOINS for w in words):
        return name
    return ""


@lru_cache(maxsize=1024)  # the same notes are read for every draft of a profile, 4 times each
def switch_in(*texts: str) -> Switch | None:
    """The switch notes record, with its two tools when they name both; None without one."""
    for text in texts:
        for pattern in _SWITCH_NAMED:
            for match in pattern.finditer(text or ""):
                old, new = _tool_name(match.group(1)), _tool_name(match.group(2))
                if old and new and old.lower() != new.lower():
                    return Switch(old=old, new=new)
    if any(_SWITCH_TOLD.search(text or "") for text in texts):
        return Switch()
    return None


def switch_points(profile: ProfileSnapshot, topic: str | None) -> list[ProofPoint]:
    """The case studies recording a switch that a post on `topic` may tell (any of them for a
    post whose topic is still to be chosen)."""
    points = [point for point in proof_points(profile) if point.switch]
    if not points or not topic:
        return points
    return proof_points_for(points, topic, topic_area_key(topic, profile))


# Per template, the slots it names: asked of every template for every draft, and the answer
# only changes with the template (kept with the template, as library.cached_problems).
_SLOTS_BY_ID: dict[int, tuple[TemplateSpec, frozenset[str]]] = {}


def template_slots(spec: TemplateSpec) -> frozenset[str]:
    """Every slot a template names in its hooks, body and CTAs, in any language."""
    known = _SLOTS_BY_ID.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    if len(_SLOTS_BY_ID) > 4096:
        _SLOTS_BY_ID.clear()
    parts = [spec.parts("en"), *(spec.parts(language) for language in spec.translations)]
    slots = frozenset(
        slot for part in parts for lines in part for line in lines for slot in slots_in(line)
    )
    _SLOTS_BY_ID[id(spec)] = (spec, slots)
    return slots


def tells_a_switch(spec: TemplateSpec) -> bool:
    """Whether a template tells how a client switched tools: it names the two tools of the
    vault's switch (`SWITCH_SLOTS`) somewhere, in any language."""
    return bool(template_slots(spec) & SWITCH_SLOTS)


def tells_own_mistake(spec: TemplateSpec) -> bool:
    """Whether a template tells the consultant's own mistake (`{own_mistake}`): only they can
    tell it, so its draft always leaves a gap for it, case study or not."""
    return "own_mistake" in template_slots(spec)


def tells_a_story(spec: TemplateSpec) -> bool:
    """Whether a template tells the consultant's own story: a story framework, or a switch."""
    return spec.framework in STORY_FRAMEWORKS or tells_a_switch(spec)


def proof_point_keys(point: ProofPoint) -> frozenset[str]:
    """The vocabulary areas a proof point is in ("Moved batch jobs to spot nodes, cut compute
    spend 38%" → Kubernetes and cloud); empty when none can be told."""
    low = " ".join((point.title, point.outcome, point.problem, point.notes)).lower()
    return frozenset(key for key in AREA_ORDER if AREA_PATTERNS[key].search(low))


def proof_point_fits(point: ProofPoint, key: str | None) -> bool:
    """Whether a proof point may be the story of a post in area `key`."""
    keys = proof_point_keys(point)
    return not key or not keys or key in keys


# Words a topic shares with almost any case study ("small teams", "a first migration"): they
# tell nothing about which story it is.
_GENERAL_TOPIC_WORDS = frozenset(
    [
        "team",
        "teams",
        "small",
        "first",
        "best",
        "lessons",
        "lesson",
        "strategy",
        "guide",
        "practice",
        "practices",
        "tips",
        "mistakes",
        "mistake",
        "common",
        "good",
        "better",
        "without",
        "really",
        "between",
        "kleine",
        "kleinen",
        "ersten",
        "erste",
        "beste",
        "besten",
        "lektionen",
        "strategie",
        "tipps",
        "fehler",
        "teams",
    ]
)


def proof_point_topic_score(point: ProofPoint, topic: str) -> int:
    """How many of the typed topic's own words the proof point shares ("slow reporting
    queries" and "Added partial indexes … reporting to a read replica" share "reporting")."""
    words = topic_words(topic) - _GENERAL_TOPIC_WORDS
    if not words:
        return 0
    text = (point.title, point.outcome, point.problem, point.client, point.notes)
    return topic_overlap(tuple(t for t in text if t), words)


def proof_points_for(points: list[ProofPoint], topic: str, key: str | None) -> list[ProofPoint]:
    """The proof points a post on `topic` (in area `key`) may tell, the best fitting only.

    One that shares the topic's own words is the story of that topic, whatever area its notes
    are in; among several, those sharing most. Without one, those in the post's area (or
    whose area cannot be told) fit."""
    fitting = [p for p in points if proof_point_fits(p, key)]
    # A topic in a known area keeps to its area's stories: "zero trust" shares a word stem with
    # "a warehouse nobody trusted", not a story.
    candidates = fitting if area_key(topic) else points
    scores = [proof_point_topic_score(point, topic) for point in candidates]
    best = max(scores, default=0)
    if best:
        return [p for p, score in zip(candidates, scores, strict=True) if score == best]
    return fitting


def case_studies(profile: ProfileSnapshot) -> list[tuple[str, str]]:
    return [(point.title, point.outcome) for point in proof_points(profile)]


def post_figures(profile: ProfileSnapshot, topic: str) -> frozenset[str]:
    """Figures a post for this profile and topic may state: the proof vault's, the profile's
    and those the topic itself names."""
    figures = set(facts.profile_figures(profile)) | set(facts.figures_in(topic))
    for text in profile.past_posts:
        figures.update(facts.figures_in(text))
    return frozenset(figures)


def vault_texts(profile: ProfileSnapshot) -> tuple[str, ...]:
    """The proof vault's own words (what was done, results, problem), lower-case: a sentence
    holding one of them tells the consultant's own story."""
    texts = []
    for point in proof_points(profile):
        told = (point.title, point.outcome, point.problem, without_inner_colon(point.problem))
        if point.switch and point.switch.old:
            # The vault's switch as a hook restates it: "moved from Jenkins to GitHub Actions",
            # "replaced Jenkins with GitHub Actions", "von Jenkins zu GitHub Actions gewechselt".
            old, new = point.switch.old, point.switch.new
            told += tuple(f"{old} {word} {new}" for word in ("to", "with", "zu", "durch"))
        texts += [t.lower() for t in dict.fromkeys(told) if len(t) > 8]
    return tuple(texts)


def from_vault(sentence: str, vault: tuple[str, ...]) -> bool:
    low = sentence.lower()
    return any(text in low for text in vault)


def true_sentence(known: frozenset[str], vault: tuple[str, ...] = ()):
    def keep(sentence: str) -> bool:
        if UNKNOWN_FACT in sentence:
            return False
        if facts.find_gaps(sentence):
            return True  # a gap's hint names the topic, never a fact
        if facts.tells_story(sentence) and not from_vault(sentence, vault):
            # "A senior engineer raised her hand", "we tracked", "one team I worked with":
            # a story nobody gave us would be invented under the consultant's name.
            return False
        return not facts.unsupported_figures(sentence, known)

    return keep
