"""What a draft may state: the proof vault's stories and the figures a profile gave.

A sentence with a figure nobody gave, or a story the vault does not hold, is left out of a
draft (`true_sentence`); a story framework without a proof point leaves a gap instead.
"""

from dataclasses import dataclass

from apps.accounts import proof_vault
from apps.content import facts
from apps.content.engine.base import ProfileSnapshot
from apps.content.engine.grammar import without_inner_colon
from apps.content.engine.vocabulary import (
    AREA_ORDER,
    AREA_PATTERNS,
    area_key,
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
NARRATIVE_SLOTS = STORY_SLOTS | {"mistake", "fix"}
# Team sizes and durations are facts about a client that no proof point records: a sentence
# that needs one is left out (this marker in a filled sentence drops it).
UNKNOWN_FACT = "\x02"


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


def proof_points(profile: ProfileSnapshot) -> list[ProofPoint]:
    """The profile's proof vault entries that have both something done and a result: the only
    stories a draft may tell."""
    points = []
    for original in proof_vault.entries(profile.case_studies):
        # A German draft tells the consultant's German wording when the vault has one.
        entry = proof_vault.in_language(original, profile.language)
        title, outcome = entry["action"].rstrip("."), entry["results"].rstrip(".")
        if title and outcome:
            points.append(
                ProofPoint(
                    title=title,
                    outcome=outcome,
                    problem=entry["problem"].rstrip("."),
                    client=proof_vault.public_client(entry),
                    named=bool(entry["may_name"]),
                    notes=" ".join(original[n] for n in ("action", "results", "problem")),
                )
            )
    return points


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
