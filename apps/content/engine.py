"""The built-in template engine: posts from the library, offline, deterministic for a seed.

The public interface is `apps.content.generation`; this module holds the data types, the
library loader, the ranking seam and the renderer that the generation interface (and the LLM
backend's fallback) call.

Template text is plain text with three kinds of markup, all resolved here:

- `{slot}` is filled from the profile, the topic or the per-area vocabulary (one data file
  per area in library/vocabulary/, see `load_vocabulary`);
- `{one|other|third}` is an inline choice, one option picked per post (options may hold slots
  and further choices, except in hooks);
- a body entry holding ` || ` offers whole alternative paragraphs, one picked per post;
- a line starting with `- ` is a list item; the engine picks the marker (→, •, 1., —) per post.

Each library file also holds `depth`: paragraphs in the framework's voice (a second example, the
first step, the number to watch, a trade-off) that the engine adds to a draft that would
otherwise be shorter than the length readers finish (see DEPTH_TARGET), drawn from the area's
vocabulary values that the template itself did not use.

Randomness comes only from `random.Random` seeded by a hash of the request, so the same request
always gives the same text, in any process.
"""

import hashlib
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from apps.accounts import proof_vault
from apps.content import facts, linter

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
MAX_POST_CHARS = 3000
MAX_HOOK_CHARS = 200

FRAMEWORKS: dict[str, str] = {
    "story": "Story",
    "lesson-learned": "Lesson learned",
    "contrarian": "Contrarian take",
    "how-to-list": "How-to list",
    "case-study": "Case study with numbers",
    "myth-vs-reality": "Myth vs reality",
    "mistake": "Mistake I made",
    "architecture-decision": "Architecture decision",
    "tool-comparison": "Tool comparison",
    "leadership": "Leadership",
    "hiring": "Hiring",
    "behind-the-scenes": "Behind the scenes",
}
GOALS = ("authority", "engagement", "inquiry")
LANGUAGES = ("en", "de")
SUIT_TAGS = frozenset(
    {
        "any",
        "kubernetes",
        "cloud",
        "security",
        "data",
        "platform",
        "cicd",
        "observability",
        "databases",
        "leadership",
        "ai",
    }
)

PROFILE_SLOTS = frozenset(
    {
        "topic",
        "area",
        "area2",
        "industry",
        "offer",
        "offer_role",  # the offer when it names a role ("fractional CTO"), else "consultant"
        "years",
        "case_title",
        "case_outcome",
        "name",
    }
)
# Filled per post from the vocabulary of the post's area (see AREAS).
VARIETY_SLOTS = frozenset(
    {
        "count",  # the number of list items in the body, so "{count} checks" is always true
        "team_size",
        "timeframe",
        "tool_a",
        "tool_b",
        "metric",
        "pain",
        "mistake",
        "fix",
        "win",
        "tip1",
        "tip2",
        "tip3",
        "tip4",
        "tip5",
        "myth",
        "reality",
        "decision",
        "alternative",
        "reason",
        "role",
    }
)
KNOWN_SLOTS = PROFILE_SLOTS | VARIETY_SLOTS
# Only in `depth` paragraphs: the area's vocabulary values the template's own slots did not
# take (a second lesson, another metric, myth and decision, the tip left over), so a depth
# paragraph adds a new fact instead of repeating one.
DEPTH_SLOTS = frozenset(
    {
        "example_mistake",
        "example_fix",
        "example_win",
        "example_pain",
        "other_metric",
        "other_myth",
        "other_reality",
        "other_decision",
        "other_alternative",
        "other_reason",
        "first_step",
    }
)
CASE_SLOTS = frozenset({"case_title", "case_outcome"})

SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
CHOICE = re.compile(r"\{([^{}]*\|[^{}]*)\}")
_NESTED = re.compile(r"\{[^{}|]*\{")  # a brace opened inside a choice or slot
ALTERNATIVES = " || "


# --- Data types (re-exported by apps.content.generation) -----------------------------------


@dataclass(frozen=True)
class ProfileSnapshot:
    name: str
    headline: str
    areas: list[str]
    years_experience: int | None
    industries: list[str]
    offers: list[str]
    case_studies: list[dict]
    tone: str
    language: str
    # The consultant's imported past posts (their figures are theirs to repeat) and the style
    # learned from them (apps.content.voice.Style), which drafts follow when there is one.
    past_posts: tuple[str, ...] = ()
    style: object | None = None


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str
    framework: str
    goal: str
    suits: list[str]
    hooks: list[str]
    body: list[str]
    ctas: list[str]
    # Per language other than English: {"de": {"hooks": [...], "body": [...], "ctas": [...]}}.
    translations: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def parts(self, language: str) -> tuple[list[str], list[str], list[str]]:
        """Hooks, body and CTAs in `language`, or in English when there is no translation."""
        local = self.translations.get(language) if language != "en" else None
        if local:
            return list(local["hooks"]), list(local["body"]), list(local["ctas"])
        return list(self.hooks), list(self.body), list(self.ctas)

    def speaks(self, language: str) -> bool:
        return language == "en" or bool(self.translations.get(language))


@dataclass(frozen=True)
class GenerationRequest:
    profile: ProfileSnapshot
    topic: str | None = None
    framework: str | None = None
    seed: int = 0
    recent_template_keys: tuple[str, ...] = ()
    recent_hooks: tuple[str, ...] = ()
    similar_to: str | None = None


@dataclass(frozen=True)
class GeneratedPost:
    text: str
    hook: str
    template_key: str
    framework: str
    topic: str
    backend: str
    fallback_reason: str = ""


# --- Per-area vocabulary --------------------------------------------------------------------
# Concrete tools, metrics, pains and lessons per area of expertise, so a post about Kubernetes
# names Karpenter and node utilisation, not "tools" and "results". A lesson is a coherent
# (mistake, fix) pair; a decision is (decision, alternative, reason). No entry states a figure
# or a result: those are facts about someone's work, and only the proof vault holds them
# (tests/test_generation_truth checks every draft).


@dataclass(frozen=True)
class Lexicon:
    topics: tuple[str, ...]
    metrics: tuple[str, ...]
    pains: tuple[str, ...]
    lessons: tuple[tuple[str, str], ...]  # (mistake, fix): a result is only ever the vault's
    tips: tuple[str, ...]
    myths: tuple[tuple[str, str], ...]
    decisions: tuple[tuple[str, str, str], ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    keywords: tuple[str, ...]
    hashtags: tuple[str, ...]
    tools: tuple[tuple[str, str], ...]
    related: str  # a neighbouring area, when the profile names only one
    en: Lexicon
    de: Lexicon
    # What to call the area when the post's topic is in it but none of the profile's areas is
    # ("engineering leadership" for a topic from a fractional CTO's headline).
    label: dict[str, str] = field(default_factory=dict)


VOCABULARY_DIR = LIBRARY_DIR / "vocabulary"
# One data file per area, apps/content/library/vocabulary/<key>.json, listed in this order
# (matching an area in text follows AREA_ORDER below); general.json is the vocabulary for
# profiles whose areas match none of them.
VOCABULARY_AREAS = (
    "kubernetes",
    "cloud",
    "security",
    "data",
    "platform",
    "cicd",
    "observability",
    "databases",
    "leadership",
    "ai",
)
_LEXICON_SHAPE = {  # field → the length of each entry, or 0 for plain texts
    "topics": 0,
    "metrics": 0,
    "pains": 0,
    "lessons": 2,
    "tips": 0,
    "myths": 2,
    "decisions": 3,
    "roles": 0,
}


def _texts(value: object, where: str, size: int = 0) -> tuple:
    """A non-empty list of texts (size 0) or of lists of `size` texts, as tuples."""
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where} must be a non-empty list")
    items = []
    for item in value:
        if size:
            if not (isinstance(item, list) and len(item) == size):
                raise ValueError(f"{where} must hold lists of {size} texts")
            item = tuple(_texts(item, where))
        elif not (isinstance(item, str) and item.strip()):
            raise ValueError(f"{where} must hold texts")
        items.append(item)
    return tuple(items)


def _area_from(path: Path) -> Area:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path.name}: {error}") from error
    name = path.name
    lexicons = {}
    for language in LANGUAGES:
        words = data.get(language)
        if not isinstance(words, dict):
            raise ValueError(f"{name}: '{language}' must hold the vocabulary in that language")
        lexicons[language] = Lexicon(
            **{
                field_name: _texts(words.get(field_name), f"{name}: {language}.{field_name}", size)
                for field_name, size in _LEXICON_SHAPE.items()
            }
        )
    label = data.get("label", {})
    if not isinstance(label, dict):
        raise ValueError(f"{name}: label must map a language to a name")
    return Area(
        # general.json has no keywords: it is the vocabulary when no area matches
        keywords=_texts(data["keywords"], f"{name}: keywords") if data.get("keywords") else (),
        hashtags=_texts(data.get("hashtags"), f"{name}: hashtags"),
        tools=_texts(data.get("tools"), f"{name}: tools", 2),
        related=str(data.get("related") or ""),
        en=lexicons["en"],
        de=lexicons["de"],
        label=dict(label),
    )


def load_vocabulary(directory: Path | str | None = None) -> tuple[dict[str, Area], Area]:
    """The per-area vocabulary and the general one, from their data files; ValueError names
    the file and what is wrong."""
    directory = Path(directory or VOCABULARY_DIR)
    areas = {key: _area_from(directory / f"{key}.json") for key in VOCABULARY_AREAS}
    return areas, _area_from(directory / "general.json")


AREAS, GENERAL = load_vocabulary()
# Checked in this order, so "data platforms" is data, not platform engineering.
AREA_ORDER = (
    "ai",
    "data",
    "security",
    "kubernetes",
    "databases",
    "observability",
    "cicd",
    "cloud",
    "platform",
    "leadership",
)
# Frameworks that tell a story from the consultant's own work. Without a proof point on hand
# they leave a visible gap for the consultant to fill, never an invented client or result.
STORY_FRAMEWORKS = frozenset(
    {"story", "case-study", "lesson-learned", "mistake", "behind-the-scenes"}
)
# Slots that state a fact about one client: in a story framework they come from the proof
# vault (or become one gap); elsewhere a sentence needing one is left out.
STORY_SLOTS = frozenset({"team_size", "timeframe", "win", "case_title", "case_outcome"})
NARRATIVE_SLOTS = STORY_SLOTS | {"mistake", "fix"}
# Team sizes and durations are facts about a client that no proof point records: a sentence
# that needs one is left out (this marker in a filled sentence drops it).
UNKNOWN_FACT = "\x02"
STORY_GAPS = {
    "en": "a project of yours on {topic}: the client, the problem, what you did, the result "
    "with a number",
    "de": "ein eigenes Projekt zu {topic}: Kunde, Problem, was Sie getan haben, das Ergebnis "
    "mit einer Zahl",
}
RESULT_GAPS = {
    "en": "what changed for the client, with a number you measured",
    "de": "was sich beim Kunden verändert hat, mit einer gemessenen Zahl",
}
VAGUE_TIMEFRAMES = {"en": "a few weeks", "de": "einige Wochen"}
RESULT_LINES = {"en": "The result: {case_outcome}.", "de": "Das Ergebnis: {case_outcome}."}
TOPIC_LINES = {
    "en": ("Today: {topic}.", "A few thoughts on {topic}.", "This one is about {topic}."),
    "de": ("Heute: {topic}.", "Ein paar Gedanken zu {topic}.", "Heute geht es um {topic}."),
}
# Fillers for profile data that is missing, so no post says "None" or "in  years".
MISSING = {
    "en": {
        "area": "software delivery",
        "industry": "software",  # not "SaaS": an industry the profile never named
        "offer": "advisory",
        "offer_role": "consultant",
        "years": "many",
        "name": "me",
    },
    "de": {
        "area": "Softwareentwicklung",
        "industry": "Software",
        "offer": "Beratung",
        "offer_role": "Berater",
        "years": "vielen",
        "name": "mir",
    },
}
BRIDGES = {
    "en": {
        "bold": ("I'll say it plainly.", "Unpopular, but true.", "Here's the uncomfortable part."),
        "analytical": ("Numbers first.", "Let's be precise.", "Look at the numbers."),
        "friendly": ("Let me explain.", "Here's what I mean.", "Bear with me."),
        "direct": ("Short version:", "Here's what matters.", "No theory. Just what worked."),
    },
    "de": {
        "bold": ("Ich sage es direkt.", "Unbequem, aber wahr.", "Jetzt der unbequeme Teil."),
        "analytical": ("Erst die Zahlen.", "Genau hingeschaut:", "Die Zahlen zuerst."),
        "friendly": ("Kurz erklärt.", "Was ich damit meine:", "Ein Beispiel."),
        "direct": (
            "Kurz gesagt:",
            "Worauf es ankommt:",
            "Keine Theorie, nur was funktioniert hat.",
        ),
    },
}
LIST_MARKERS = ("→", "•", "—", "1.")
# Frameworks a tone leans towards; a small nudge in the default ranking.
TONE_FRAMEWORKS = {
    "bold": frozenset({"contrarian", "myth-vs-reality", "mistake"}),
    "analytical": frozenset({"case-study", "tool-comparison", "architecture-decision"}),
    "friendly": frozenset({"story", "behind-the-scenes", "lesson-learned"}),
    "direct": frozenset({"how-to-list", "lesson-learned", "architecture-decision"}),
}
# An all-inquiry feed reads as a sales brochure; authority posts earn the inquiries.
GOAL_WEIGHTS = {"authority": 1.0, "engagement": 0.9, "inquiry": 0.85}
# Drafts at least this similar (TF-IDF cosine) to another are written again: a margin below
# the linter's near-duplicate threshold (0.8).
NEAR_DUPLICATE = 0.7
SIMILAR_ATTEMPTS = 6
EARLIER_TEXTS = 200  # how many of the workspace's newest posts a new draft is compared with
NUMERIC_SLOTS = frozenset({"years", "case_outcome", "count"})

_AREA_PATTERNS = {
    key: re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(re.escape(k) for k in AREAS[key].keywords) + r")(?![a-z0-9])"
    )
    for key in AREA_ORDER
}
ROLE_WORDS = re.compile(
    r"\b(?:cto|cio|ciso|architect|advis[oe]r|consultant|lead|head|vp|officer|engineer|coach|"
    r"auditor|manager|mentor|berater|beraterin|leiter|leiterin|trainer|partner)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\b\w\w+\b")  # the token pattern scikit-learn uses


def area_key(text: str) -> str | None:
    """The vocabulary key for a free-text area, offer or topic ("AWS cost control" → "cloud")."""
    low = (text or "").lower()
    if low in _TOPIC_KEYS:
        return _TOPIC_KEYS[low]
    for key in AREA_ORDER:
        if _AREA_PATTERNS[key].search(low):
            return key
    return None


_TOPIC_KEYS = {
    topic.lower(): key
    for key in AREA_ORDER
    for lexicon in (AREAS[key].en, AREAS[key].de)
    for topic in lexicon.topics
}


def profile_area_keys(profile: ProfileSnapshot) -> list[str]:
    """Vocabulary keys of the profile, most important first: headline, areas, then offers."""
    keys: list[str] = []
    for text in [profile.headline, *profile.areas, *profile.offers]:
        key = area_key(text)
        if key and key not in keys:
            keys.append(key)
    return keys


def seeded_rng(*parts: object) -> random.Random:
    """A private generator seeded from the parts; stable across processes (unlike hash())."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - not for secrets


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of word counts; a cheap guard against near-duplicate drafts."""
    wa, wb = _counts(a), _counts(b)
    if not wa or not wb:
        return 0.0
    dot = sum(n * wb.get(w, 0) for w, n in wa.items())
    norm = (sum(n * n for n in wa.values()) * sum(n * n for n in wb.values())) ** 0.5
    return dot / norm


def max_tfidf_similarity(text: str, others: list[str]) -> float:
    """The highest TF-IDF cosine similarity of `text` to any of `others`, with the IDF taken
    from these texts, as the linter's near-duplicate check does over a workspace's posts."""
    if not others:
        return 0.0
    documents = [_counts(t) for t in (text, *others)]
    n = len(documents)
    frequency: dict[str, int] = {}
    for counts in documents:
        for word in counts:
            frequency[word] = frequency.get(word, 0) + 1
    idf = {w: math.log((1 + n) / (1 + df)) + 1 for w, df in frequency.items()}

    def vector(counts: dict[str, int]) -> dict[str, float]:
        weights = {w: c * idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {w: v / norm for w, v in weights.items()}

    first = vector(documents[0])
    return max(
        sum(v * first.get(w, 0.0) for w, v in vector(counts).items()) for counts in documents[1:]
    )


def _counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in _WORD.findall(text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return counts


# --- The library ----------------------------------------------------------------------------


def slots_in(text: str) -> set[str]:
    return set(SLOT.findall(text))


def template_problems(spec: TemplateSpec) -> list[str]:
    """What is wrong with a template, in words; empty when it can be used."""
    problems = []
    if spec.framework not in FRAMEWORKS:
        problems.append(f"unknown framework {spec.framework!r}")
    if spec.goal not in GOALS:
        problems.append(f"unknown goal {spec.goal!r}")
    if not spec.suits or not set(spec.suits) <= SUIT_TAGS:
        problems.append(f"suits must be some of {sorted(SUIT_TAGS)}, not {spec.suits!r}")
    languages = {"en": {"hooks": spec.hooks, "body": spec.body, "ctas": spec.ctas}}
    for language, parts in (spec.translations or {}).items():
        if language not in LANGUAGES or language == "en":
            problems.append(f"unknown translation language {language!r}")
            continue
        if not isinstance(parts, dict) or set(parts) != {"hooks", "body", "ctas"}:
            problems.append(f"{language}: a translation needs exactly hooks, body and ctas")
            continue
        languages[language] = parts
    for language, parts in languages.items():
        for part, low, high in (("hooks", 3, 8), ("body", 3, 7), ("ctas", 3, 6)):
            lines = parts[part]
            if not isinstance(lines, list) or not low <= len(lines) <= high:
                problems.append(f"{language}: {part} needs {low} to {high} entries")
                continue
            for line in lines:
                problems.extend(f"{language}: {part}: {p}" for p in _line_problems(line))
                if part == "hooks" and isinstance(line, str) and _NESTED.search(line):
                    problems.append(f"{language}: hooks: no nested choices in {line[:60]!r}")
    return problems


# The same spec objects come back on every call (the library is cached; a request's specs are
# reused across its drafts): looking them up by identity skips serialising all 48 per draft.
_PROBLEMS_BY_ID: dict[int, tuple[TemplateSpec, tuple[str, ...]]] = {}


def _problems_cached(spec: TemplateSpec) -> tuple[str, ...]:
    known = _PROBLEMS_BY_ID.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    if len(_PROBLEMS_BY_ID) > 4096:
        _PROBLEMS_BY_ID.clear()
    problems = _problems_by_fingerprint(spec)
    _PROBLEMS_BY_ID[id(spec)] = (spec, problems)
    return problems


def _problems_by_fingerprint(spec: TemplateSpec) -> tuple[str, ...]:
    try:
        fingerprint = json.dumps(spec.__dict__, sort_keys=True)
    except TypeError:
        return tuple(template_problems(spec))
    return _problems_for(fingerprint)


@lru_cache(maxsize=4096)
def _problems_for(fingerprint: str) -> tuple[str, ...]:
    return tuple(template_problems(TemplateSpec(**json.loads(fingerprint))))


def _line_problems(line: object, known: frozenset[str] = KNOWN_SLOTS) -> list[str]:
    if not isinstance(line, str) or not line.strip():
        return ["an entry is empty or not text"]
    problems = []
    unknown = slots_in(line) - known
    if unknown:
        problems.append(f"unknown slot(s) {sorted(unknown)} in {line[:60]!r}")
    leftover = SLOT.sub("", line)
    while CHOICE.search(leftover):
        leftover = CHOICE.sub("", leftover)
    if "{" in leftover or "}" in leftover:
        problems.append(f"unbalanced braces in {line[:60]!r}")
    return problems


def depth_problems(depth: object) -> list[str]:
    """What is wrong with a library file's `depth` paragraphs, in words; empty when usable."""
    if not isinstance(depth, dict) or set(depth) != set(LANGUAGES):
        return [f"depth needs paragraphs for each of {list(LANGUAGES)}"]
    problems = []
    for language, lines in depth.items():
        if not isinstance(lines, list) or not 4 <= len(lines) <= 8:
            problems.append(f"depth: {language}: needs 4 to 8 paragraphs")
            continue
        for line in lines:
            problems.extend(
                f"depth: {language}: {p}" for p in _line_problems(line, KNOWN_SLOTS | DEPTH_SLOTS)
            )
    return problems


def _spec_from_json(data: dict, framework: str) -> TemplateSpec:
    translations = {}
    if "de" in data:
        translations["de"] = data["de"]
    return TemplateSpec(
        key=data["key"],
        name=data["name"],
        framework=data.get("framework", framework),
        goal=data["goal"],
        suits=list(data["suits"]),
        hooks=list(data["hooks"]),
        body=list(data["body"]),
        ctas=list(data["ctas"]),
        translations=translations,
    )


@lru_cache(maxsize=4)
def _library(directory: str) -> tuple[TemplateSpec, ...]:
    specs: list[TemplateSpec] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path.name}: cannot read the file: {exc}") from exc
        framework = document.get("framework") if isinstance(document, dict) else None
        if framework not in FRAMEWORKS:
            raise ValueError(f"{path.name}: unknown or missing framework {framework!r}")
        if "depth" in document and (problems := depth_problems(document["depth"])):
            raise ValueError(f"{path.name}: {'; '.join(problems)}")
        for index, data in enumerate(document.get("templates", [])):
            key = data.get("key") if isinstance(data, dict) else None
            where = f"{path.name}: {key or f'template #{index + 1}'}"
            try:
                spec = _spec_from_json(data, framework)
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{where}: missing or malformed field {exc}") from exc
            problems = template_problems(spec)
            if spec.framework != framework or not spec.key.startswith(f"{framework}/"):
                problems.append(f"key and framework must start with {framework!r}")
            if not 4 <= len(spec.hooks) <= 6 or not 3 <= len(spec.ctas) <= 5:
                problems.append("a library template has 4 to 6 hooks and 3 to 5 CTAs")
            if spec.key in seen:
                problems.append(f"duplicate key, also in {seen[spec.key]}")
            if problems:
                raise ValueError(f"{where}: {'; '.join(problems)}")
            seen[spec.key] = path.name
            specs.append(spec)
    return tuple(specs)


def load_library(directory: Path | str | None = None) -> list[TemplateSpec]:
    """Every template in apps/content/library/*.json, validated; ValueError names file and key."""
    return list(_library(str(directory or LIBRARY_DIR)))


@lru_cache(maxsize=4)
def _depth_library(directory: str) -> dict[tuple[str, str], tuple[str, ...]]:
    _library(directory)  # validates every file first
    depth = {}
    for path in sorted(Path(directory).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for language, lines in document.get("depth", {}).items():
            depth[(document["framework"], language)] = tuple(lines)
    return depth


def framework_depth(
    framework: str, language: str, directory: Path | str | None = None
) -> tuple[str, ...]:
    """The framework's depth paragraphs in `language` (empty when the library has none)."""
    return _depth_library(str(directory or LIBRARY_DIR)).get((framework, language), ())


# --- Topics and ranking ---------------------------------------------------------------------


def _lexicon(key: str | None, language: str) -> Lexicon:
    area = AREAS.get(key or "", GENERAL)
    return area.de if language == "de" else area.en


def suggest_topics(profile: ProfileSnapshot, *, count: int = 8, seed: int = 0) -> list[str]:
    """Topics the profile can write about with authority, mixed across its areas."""
    language = profile.language if profile.language in LANGUAGES else "en"
    rng = seeded_rng("topics", seed, profile.name, tuple(profile.areas), language)
    keys = profile_area_keys(profile) or [None]
    columns = []
    for key in keys:
        topics = list(_lexicon(key, language).topics)
        rng.shuffle(topics)
        columns.append(topics)
    areas = [a.strip() for a in profile.areas if a and a.strip()]
    industries = [i.strip() for i in profile.industries if i and i.strip()]
    offers = [o.strip() for o in profile.offers if o and o.strip()]
    extra = []
    for area in areas:
        if industries:
            industry = rng.choice(industries)
            extra.append(f"{area} in {industry}" if language == "en" else f"{area} für {industry}")
    for offer in offers[:2]:
        extra.append(
            # "an architecture review", as the post itself will spell it: the stored label
            # is the text the post names
            _AN.sub(
                lambda m: f"{m.group(1)}n {m.group(2)}",
                f"what a {offer} engagement really involves",
            )
            if language == "en"
            else f"{offer}: wie ich arbeite"
        )
    # What the consultant keeps writing about in their own past posts (voice.Style).
    topic_ideas = getattr(profile.style, "topic_ideas", None)
    if topic_ideas is not None:
        extra += topic_ideas(3)
    rng.shuffle(extra)
    columns.append(extra)
    result: list[str] = []
    seen = set()
    for row in range(max(len(c) for c in columns)):
        for column in columns:
            if row < len(column) and column[row].lower() not in seen:
                seen.add(column[row].lower())
                result.append(column[row])
    return result[:count]


def template_ranking(
    templates: list[TemplateSpec],
    *,
    profile: ProfileSnapshot,
    framework: str | None = None,
    performance: dict[str, float] | None = None,
) -> list[tuple[TemplateSpec, float]]:
    """Templates with a score, best first.

    The default score is how well a template suits the profile's areas (its first areas count
    most), nudged by the goal mix and the tone. `performance` (template key → multiplier) is
    the seam for analytics: what produced engagement and leads rises, what did not sinks.
    """
    keys = profile_area_keys(profile)
    performance = performance or {}
    leaning = TONE_FRAMEWORKS.get(profile.tone, frozenset())
    ranked = []
    for spec in templates:
        if framework and spec.framework != framework:
            continue
        suits = set(spec.suits)
        matched = [i for i, key in enumerate(keys) if key in suits]
        if matched:
            fit = 1.0 - 0.04 * min(matched[0], 4) + min(0.1, 0.03 * (len(matched) - 1))
        elif "any" in suits:
            fit = 0.85
        else:
            fit = 0.3
        score = 0.6 * fit + 0.3 * GOAL_WEIGHTS.get(spec.goal, 0.8)
        score += 0.1 if spec.framework in leaning else 0.0
        score *= max(0.0, float(performance.get(spec.key, 1.0)))
        ranked.append((spec, round(score, 6)))
    ranked.sort(key=lambda pair: (-pair[1], pair[0].key))
    return ranked


# --- Choosing a template, a topic and a hook ------------------------------------------------


@lru_cache(maxsize=2048)
def _hook_pattern(hook: str) -> re.Pattern:
    """A regex matching any rendering of a hook line, whatever its slots and choices became."""
    pattern = []
    position = 0
    for match in re.finditer(r"\{[^{}]*\}", hook):
        pattern.append(re.escape(hook[position : match.start()]))
        inner = match.group(0)[1:-1]
        if "|" in inner:
            pattern.append("(?:" + "|".join(re.escape(o) for o in inner.split("|")) + ")")
        else:
            pattern.append(".+?")
        position = match.end()
    pattern.append(re.escape(hook[position:]))
    return re.compile("".join(pattern), re.IGNORECASE | re.DOTALL)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _hook_used_at(hook: str, recent_hooks: tuple[str, ...]) -> int | None:
    """Index of the newest recent hook this hook line produced, or None if it never did."""
    pattern = _hook_pattern(_normalise(hook))
    for index, used in enumerate(recent_hooks):
        if pattern.fullmatch(_normalise(used)):
            return index
    return None


def source_template(text: str, templates: list[TemplateSpec]) -> TemplateSpec | None:
    """The template whose hook opened `text`, if one did (for "generate similar")."""
    first = _normalise(text.strip().split("\n\n")[0])
    for spec in templates:
        for language in ("en", *spec.translations):
            for hook in spec.parts(language)[0]:
                if _hook_pattern(_normalise(hook)).fullmatch(first):
                    return spec
    return None


def _needs_case_study(spec: TemplateSpec, language: str) -> bool:
    hooks, body, ctas = spec.parts(language)
    return (
        any(slots_in(line) & CASE_SLOTS for line in body)
        or all(slots_in(h) & CASE_SLOTS for h in hooks)
        or all(slots_in(c) & CASE_SLOTS for c in ctas)
    )


@dataclass(frozen=True)
class ProofPoint:
    """One case study of the proof vault, as the engine may state it."""

    title: str  # what was done ("Moved a payments platform to Kubernetes")
    outcome: str  # the results, in the consultant's words and numbers
    problem: str = ""
    client: str = ""  # the client's name when it may be named, else the client type


def proof_points(profile: ProfileSnapshot) -> list[ProofPoint]:
    """The profile's proof vault entries that have both something done and a result: the only
    stories a draft may tell."""
    points = []
    for entry in proof_vault.entries(profile.case_studies):
        title, outcome = entry["action"].rstrip("."), entry["results"].rstrip(".")
        if title and outcome:
            points.append(
                ProofPoint(
                    title=title,
                    outcome=outcome,
                    problem=entry["problem"].rstrip("."),
                    client=proof_vault.public_client(entry),
                )
            )
    return points


def proof_point_keys(point: ProofPoint) -> frozenset[str]:
    """The vocabulary areas a proof point is in ("Moved batch jobs to spot nodes, cut compute
    spend 38%" → Kubernetes and cloud); empty when none can be told."""
    low = " ".join((point.title, point.outcome, point.problem)).lower()
    return frozenset(key for key in AREA_ORDER if _AREA_PATTERNS[key].search(low))


def proof_point_fits(point: ProofPoint, key: str | None) -> bool:
    """Whether a proof point may be the story of a post in area `key`."""
    keys = proof_point_keys(point)
    return not key or not keys or key in keys


def _case_studies(profile: ProfileSnapshot) -> list[tuple[str, str]]:
    return [(point.title, point.outcome) for point in proof_points(profile)]


def choose_template(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    rng: random.Random,
    *,
    topic_key: str | None = None,
    performance: dict[str, float] | None = None,
    avoid_keys: frozenset[str] = frozenset(),
) -> TemplateSpec:
    """Rotation over the ranking: skip recently used templates, favour well-ranked ones."""
    profile = request.profile
    language = profile.language if profile.language in LANGUAGES else "en"
    usable = [t for t in templates if not _problems_cached(t)] or list(templates)
    if not usable:
        raise ValueError("There are no templates to write from.")
    pool = [t for t in usable if t.framework == request.framework] if request.framework else []
    pool = pool or usable
    if language != "en":
        pool = [t for t in pool if t.speaks(language)] or pool
    if not _case_studies(profile):
        pool = [t for t in pool if not _needs_case_study(t, language)] or pool
        if not request.framework:
            # Nobody asked for a story and the vault has none to tell: a draft that can be
            # approved as written beats one that waits for the consultant's example.
            pool = [t for t in pool if t.framework not in STORY_FRAMEWORKS] or pool
    pool = [t for t in pool if t.key not in avoid_keys] or pool

    by_key = {t.key: t for t in templates}
    recent = [k for k in request.recent_template_keys if k]
    recent_frameworks = [by_key[k].framework for k in recent[:3] if k in by_key]
    ranked = template_ranking(pool, profile=profile, performance=performance)
    scored = []
    for spec, score in ranked:
        if topic_key and topic_key in spec.suits:
            score *= 1.3
        if not request.framework and recent_frameworks:
            if spec.framework == recent_frameworks[0]:
                score *= 0.2
            elif spec.framework in recent_frameworks:
                score *= 0.6
        scored.append((spec, score))

    window = max(1, len(pool) // 2)
    avoid = set(recent[:window])
    fresh = [(t, s) for t, s in scored if t.key not in avoid]
    if not fresh:  # everything was used lately: take the longest unused
        last_used = {k: i for i, k in reversed(list(enumerate(recent)))}
        fresh = sorted(scored, key=lambda p: -last_used.get(p[0].key, len(recent)))[:3]
    fresh.sort(key=lambda p: (-p[1], p[0].key))
    # Wide enough that a profile sees the whole library over time, weighted by the ranking.
    top = fresh
    weights = [max(score, 0.001) ** 3 for _, score in top]
    return rng.choices([t for t, _ in top], weights=weights)[0]


def choose_topic(request: GenerationRequest, spec: TemplateSpec, rng: random.Random) -> str:
    if request.topic and request.topic.strip():
        return " ".join(request.topic.split())
    topics = suggest_topics(request.profile, count=12, seed=request.seed)
    suited = [t for t in topics if area_key(t) in spec.suits]
    return rng.choice(suited or topics)


def _pick_hook(
    hooks: list[str], recent_hooks: tuple[str, ...], rng: random.Random, tone: str
) -> str:
    fresh = [h for h in hooks if _hook_used_at(h, recent_hooks) is None]
    if not fresh:
        # Every hook of this template was used lately: take the one used longest ago.
        last = {h: _hook_used_at(h, recent_hooks) or 0 for h in hooks}
        oldest = max(last.values())
        fresh = [h for h in hooks if last[h] == oldest]
    weights = []
    for hook in fresh:
        weight = 1.0
        if tone == "analytical" and slots_in(hook) & NUMERIC_SLOTS:
            weight = 2.5
        if "topic" in slots_in(hook):
            weight *= 3.0  # the hook is where a reader learns what the post is about
        weights.append(weight)
    return rng.choices(fresh, weights=weights)[0]


# --- Rendering ------------------------------------------------------------------------------


def _states_figure(*texts: str) -> bool:
    return any(facts.figures_in(t) for t in texts)


@lru_cache(maxsize=64)
def _truthful(key: str | None, language: str) -> Lexicon:
    """The area's vocabulary without entries that state a figure: a figure is a fact about
    someone's work, and the library's own would be the same invented fact in every workspace.
    The library's own entries state none (see the vocabulary); this keeps it so for any added."""
    lexicon = _lexicon(key, language)
    general = GENERAL.de if language == "de" else GENERAL.en

    def keep(entries: tuple):
        clean = tuple(
            e for e in entries if not _states_figure(*(e if isinstance(e, tuple) else (e,)))
        )
        return clean or None

    def pick(name: str) -> tuple:
        return (
            keep(getattr(lexicon, name)) or keep(getattr(general, name)) or getattr(lexicon, name)
        )

    return Lexicon(
        topics=lexicon.topics,
        metrics=pick("metrics"),
        pains=pick("pains"),
        lessons=pick("lessons"),
        tips=pick("tips"),
        myths=pick("myths"),
        decisions=pick("decisions"),
        roles=lexicon.roles,
    )


_VERSUS = re.compile(r"\s+(?:vs\.?|versus|or|oder|statt|instead of)\s+", re.IGNORECASE)


def topic_tools(topic: str) -> tuple[str, str] | None:
    """The two things a comparison topic names ("Karpenter vs Cluster Autoscaler on EKS")."""
    parts = _VERSUS.split(topic or "", maxsplit=1)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        return None
    first, second = parts[0].strip(), parts[1].strip()
    # "… on EKS" belongs to both sides; the second tool is the name before it.
    second = re.split(r"\s+(?:on|in|for|auf|für|bei)\s+", second, maxsplit=1)[0].strip()
    return (first, second) if first and second else None


def hashtag_keys(profile: ProfileSnapshot, topic: str) -> list[str]:
    """The areas a post's hashtags may come from: the topic's and the profile's own."""
    keys = []
    topic_key = area_key(topic)
    if topic_key:
        keys.append(topic_key)
    keys += [k for k in profile_area_keys(profile) if k not in keys]
    return keys


def _hashtags(profile: ProfileSnapshot, topic: str, key: str | None) -> str:
    allowed = hashtag_keys(profile, topic)
    if key in allowed:
        return " ".join(AREAS[key].hashtags)
    if allowed:
        return " ".join(AREAS[allowed[0]].hashtags)
    return " ".join(GENERAL.hashtags)


def build_context(
    profile: ProfileSnapshot, topic: str, spec: TemplateSpec, rng: random.Random
) -> dict[str, str]:
    """Slot values for one post, all from one area's vocabulary so the details fit together.

    Facts about a client (its results, team size, how long it took) come only from the
    profile's proof vault: a story framework without a proof point gets one visible gap
    instead (see `render_post`), anything else leaves such a sentence out.
    """
    language = profile.language if profile.language in LANGUAGES else "en"
    missing = MISSING[language]
    areas = [a.strip() for a in profile.areas if a and a.strip()]
    topic_key = area_key(topic)
    on_topic = [a for a in areas if topic_key and area_key(a) == topic_key]
    suited = [a for a in areas if area_key(a) in spec.suits]
    if on_topic:
        area = rng.choice(on_topic)
    elif topic_key in AREAS:
        # The topic came from the headline or an offer ("the first 90 days as a fractional
        # CTO"): name its area, or the hook and the closing question would talk about
        # another of the profile's areas than the post does.
        area = AREAS[topic_key].label[language]
    else:
        area = rng.choice(suited or areas) if areas else missing["area"]
    keys = profile_area_keys(profile)
    key = topic_key or area_key(area)
    if not topic_key and key not in spec.suits and "any" not in spec.suits:
        # e.g. a leadership template for a profile whose leadership shows only in its offers;
        # never for a topic in a known area: its vocabulary is what the post is about
        key = next((k for k in keys if k in spec.suits), key)
    if key is None:
        # Never a template's own area the profile does not have: that is how a cloud
        # architect got security hashtags.
        key = keys[0] if keys else None
    vocabulary = AREAS.get(key or "", GENERAL)
    lexicon = _truthful(key if key in AREAS else None, language)

    others = [a for a in areas if a != area]
    industries = [i.strip() for i in profile.industries if i and i.strip()]
    offers = [o.strip() for o in profile.offers if o and o.strip()]
    # Offers, like the area, follow the topic even when the vocabulary could not.
    matching_offers = [o for o in offers if area_key(o) == (topic_key or key)]
    # An offer in another area ("AWS migration" closing a Kubernetes post) reads as a slip;
    # a general one ("fractional CTO", "architecture review") fits any topic.
    general_offers = [o for o in offers if area_key(o) in (None, "leadership")]
    roles = [o for o in offers if ROLE_WORDS.search(o)]
    # Only a proof point on the post's area is told: a Kafka rescue offered as the story of a
    # zero-trust post claims what never happened. One whose area cannot be told fits any.
    cases = proof_points(profile)
    matching_cases = [c for c in cases if proof_point_fits(c, key)]
    case = rng.choice(matching_cases) if matching_cases else None
    mistake, fix = rng.choice(lexicon.lessons)
    myth, reality = rng.choice(lexicon.myths)
    decision, alternative, reason = rng.choice(lexicon.decisions)
    tool_a, tool_b = topic_tools(topic) or rng.choice(vocabulary.tools)
    tips = list(lexicon.tips)
    rng.shuffle(tips)
    years = profile.years_experience
    story = spec.framework in STORY_FRAMEWORKS
    # Without industries in the profile, "a software client" would be an invented client.
    industry = rng.choice(industries) if industries else UNKNOWN_FACT
    context = {
        "topic": topic,
        "area": area,
        "area2": rng.choice(others) if others else vocabulary.related,
        "industry": industry,
        "offer": rng.choice(matching_offers or general_offers)
        if matching_offers or general_offers
        else missing["offer"],
        "offer_role": roles[0] if roles else missing["offer_role"],
        # "After many years in security" would claim what the profile never said
        "years": str(years) if years else UNKNOWN_FACT,
        "name": (profile.name or "").strip() or missing["name"],
        "case_title": case.title if case else UNKNOWN_FACT,
        "case_outcome": case.outcome if case else UNKNOWN_FACT,
        "team_size": UNKNOWN_FACT,
        # Outside a story a duration is advice ("if it hasn't moved after a few weeks"), so a
        # vague one reads true; inside a story it would be a claim about a client.
        "timeframe": UNKNOWN_FACT if story else VAGUE_TIMEFRAMES[language],
        "tool_a": tool_a,
        "tool_b": tool_b,
        "metric": rng.choice(lexicon.metrics),
        "pain": rng.choice(lexicon.pains),
        "mistake": mistake,
        "fix": fix,
        # Only a story tells a result, and only the consultant's own.
        "win": case.outcome if case and story else UNKNOWN_FACT,
        "myth": myth,
        "reality": reality,
        "decision": decision,
        "alternative": alternative,
        "reason": reason,
        "role": rng.choice(lexicon.roles),
        "_hashtags": _hashtags(profile, topic, key),
        "_key": key if key in AREAS else "",
        "_language": language,
        "_case_on_topic": "yes" if matching_cases else "",
        "_has_case": "yes" if case else "",
        "_industries": "\n".join(industries),
    }
    if case and story:
        # The story is the proof point's: its problem, what was done, its client.
        if case.problem:
            context["pain"] = _lower_first(case.problem)
        context["fix"] = _lower_first(case.title)
    for index, tip in enumerate(tips[:6], start=1):
        if language == "en" and len(tip) > 1 and tip[1].islower():
            tip = tip[0].lower() + tip[1:]  # lists and line starts capitalise it again
        context[f"tip{index}" if index <= 5 else "_spare_tip"] = tip
    for index in range(len(tips) + 1, 6):
        context[f"tip{index}"] = tips[(index - 1) % len(tips)] if tips else ""
    return context


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _resolve(text: str, rng: random.Random) -> str:
    """Pick one alternative paragraph and one option of every choice; slots stay."""
    if ALTERNATIVES in text:
        text = rng.choice(text.split(ALTERNATIVES))
    # Slots become placeholders, so choices holding slots resolve innermost first.
    text = SLOT.sub(lambda m: f"\x00{m.group(1)}\x01", text)
    while CHOICE.search(text):
        text = CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), text)
    return text.replace("\x00", "{").replace("\x01", "}")


def render_line(line: str, context: dict[str, str], rng: random.Random) -> str:
    """One template line (hook, body entry or CTA) as a post would say it: a choice made, slots
    filled from `context` (see `build_context`). The LLM prompt shows the model lines this way.
    """
    return _fill(_resolve(line, rng), context)


def _fill(text: str, context: dict[str, str]) -> str:
    # One pass: values are inserted, never scanned again, so a profile holding "{x}" is safe.
    return SLOT.sub(lambda m: context.get(m.group(1), ""), text)


# "a AWS project" → "an AWS project"; not before a "you" sound (a user, a unique, a one-page).
_AN = re.compile(r"\b([Aa]) ((?!u[nrst]|use|uni|one|once|eu)[aeiouAEIOU])")


def _tidy(text: str, language: str = "en") -> str:
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]{2,}", " ", line).strip()
        line = re.sub(r"\s+([.,;:!?])(?=\s|$)", r"\1", line)
        if language == "en":
            line = _AN.sub(lambda m: f"{m.group(1)}n {m.group(2)}", line)
        line = re.sub(r"(?<!\.)\.\.(?!\.)", ".", line)
        line = re.sub(r"([?!])\.", r"\1", line)
        line = _SENTENCE_START.sub(lambda m: m.group(1) + _capitalise(m.group(2)), line)
        lines.append(_capitalise(line))
    return "\n".join(lines)


# A lower-case word after a full stop, question or exclamation mark (not after "a.m.", "e.g.").
_SENTENCE_START = re.compile(r"((?<!\ba\.m)(?<!\bp\.m)(?<!\be\.g)(?<!\bi\.e)[.?!] )([a-zäöü]\S*)")


def _capitalise(line: str) -> str:
    match = re.match(r"^((?:[→•—✓\-]|\d+\.)?\s*[\"“(]?)([a-zäöü])(\S*)", line)
    if not match or any(c.isupper() for c in match.group(3)):
        return line  # "iOS", "eBPF" stay as they are
    return match.group(1) + match.group(2).upper() + line[match.end(2) :]


def _mark_lists(paragraphs: list[str], marker: str) -> list[str]:
    marked = []
    for paragraph in paragraphs:
        number = 0
        lines = []
        for line in paragraph.split("\n"):
            if line.startswith("- "):
                number += 1
                prefix = f"{number}." if marker == "1." else marker
                line = f"{prefix} {line[2:].strip()}"
            lines.append(line)
        marked.append("\n".join(lines))
    return marked


COUNT_MARK = "\x03"  # where the number of list items goes once the list is final
TOPIC_HOOKS = {
    "en": ("Let's talk about {topic}.", "{topic}: where I'd start."),
    "de": ("Reden wir über {topic}.", "{topic}: wo ich anfangen würde."),
}
_LIST_LINE = re.compile(r"^(?:[→•—✓\-]|\d+\.)\s")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")


def _sentences_kept(paragraph: str, keep) -> str:
    """The paragraph without the sentences (or list lines) `keep` refuses."""
    lines = []
    for line in paragraph.split("\n"):
        if _LIST_LINE.match(line) or not line.strip():
            if keep(_LIST_LINE.sub("", line)):
                lines.append(line)
            continue
        kept = [part for part in _SENTENCE_END.split(line) if keep(part)]
        if kept:
            lines.append(" ".join(kept))
    return "\n".join(line for line in lines if line.strip())


def post_figures(profile: ProfileSnapshot, topic: str) -> frozenset[str]:
    """Figures a post for this profile and topic may state: the proof vault's, the profile's
    and those the topic itself names."""
    figures = set(facts.profile_figures(profile)) | set(facts.figures_in(topic))
    for text in profile.past_posts:
        figures.update(facts.figures_in(text))
    return frozenset(figures)


def _true_sentence(known: frozenset[str]):
    def keep(sentence: str) -> bool:
        if UNKNOWN_FACT in sentence:
            return False
        if facts.find_gaps(sentence):
            return True  # a gap's hint names the topic, never a fact
        return not facts.unsupported_figures(sentence, known)

    return keep


def _without_repeats(blocks: list[str]) -> list[str]:
    """Each sentence, line and clause once: "Short version:" twice, or a tip in the list and
    again as "If you do one thing this week: …", reads as a slip."""
    seen: set[str] = set()

    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    result = []
    for block in blocks:
        lines = []
        for line in block.split("\n"):
            parts = []
            for part in [line] if _LIST_LINE.match(line) else _SENTENCE_END.split(line):
                whole = norm(_LIST_LINE.sub("", part))
                # What follows a colon is the sentence's news ("The result: …").
                label, _colon, news = part.partition(": ")
                clause = norm(news) if news else ""
                # A label twice ("What I see: …" and "What I see: …", or "Short version:"
                # alone and then with its news) repeats as well.
                labelled = bool(news) or part.rstrip().endswith(":")
                label_text = norm(label) if labelled else ""
                keys = {
                    k
                    for k in (whole, clause, label_text)
                    if k and (k == whole or len(k.split()) >= 3)
                }
                keys |= {"label: " + label_text} if label_text else set()
                if keys & seen:
                    continue
                seen.update(keys)
                parts.append(part)
            if parts:
                lines.append(" ".join(parts))
        if any(line.strip() for line in lines):
            result.append("\n".join(lines))
    return result


def names_topic(text: str, topic: str) -> bool:
    return _normalise(topic).lower() in _normalise(text).lower()


def render_post(
    spec: TemplateSpec,
    profile: ProfileSnapshot,
    topic: str,
    rng: random.Random,
    *,
    recent_hooks: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The text of a post and its hook, from one template.

    Every figure in it is one the profile or the topic gave; a story framework without a
    proof point leaves one visible gap ("[your example: …]") where its story goes; the topic
    is named; no sentence appears twice.
    """
    language = profile.language if profile.language in LANGUAGES else "en"
    hooks, body, ctas = spec.parts(language)
    context = build_context(profile, topic, spec, rng)
    unknown = {name for name, value in context.items() if value == UNKNOWN_FACT}
    story_gap = spec.framework in STORY_FRAMEWORKS and not context["_has_case"]
    known = post_figures(profile, topic)
    keep = _true_sentence(known)

    usable_hooks = [h for h in hooks if not slots_in(h) & unknown]
    usable_ctas = [c for c in ctas if not slots_in(c) & unknown] or ctas
    style = profile.style
    usable_hooks = _in_their_style_hooks(usable_hooks, style)
    usable_ctas = _in_their_style_ctas(usable_ctas, style)
    if style is not None:
        context["_usual_length"] = str(getattr(style, "median_length", 0) or 0)
    paragraphs = []
    gap_left = False
    for entry in body:
        paragraph = _resolve(entry, rng)
        if story_gap and slots_in(paragraph) & NARRATIVE_SLOTS:
            if not gap_left:
                paragraphs.append(facts.gap(STORY_GAPS[language].format(topic=topic), language))
                gap_left = True
            continue  # the rest of the story is the consultant's to tell
        paragraphs.append(paragraph)
    if story_gap and not gap_left:
        # A story told without any of the story slots ("advice I gave that turned out
        # wrong") still needs the consultant's own: the gap follows its opening paragraph.
        gap = facts.gap(STORY_GAPS[language].format(topic=topic), language)
        paragraphs.insert(min(1, len(paragraphs)), gap)
    # The number of list items goes in once the list is final; until then a mark stands in,
    # so no other sentence may borrow that number.
    context["count"] = COUNT_MARK
    paragraphs = [_fill(p, context) for p in paragraphs]
    paragraphs = [_sentences_kept(p, keep) for p in paragraphs]
    paragraphs = [p for p in paragraphs if p.strip()]
    count = str(sum(line.startswith("- ") for p in paragraphs for line in p.split("\n")))
    context["_known"] = " ".join(sorted(known))
    if spec.framework in STORY_FRAMEWORKS and context["_has_case"]:
        told = "\n".join(paragraphs).lower()
        if context["case_outcome"].lower() not in told:
            # A story's sentence with its result may have needed a duration no proof point
            # gives; the result itself is the consultant's, so it is told plainly.
            paragraphs.append(_fill(RESULT_LINES[language], context))

    hook = _choose_hook(usable_hooks, recent_hooks, rng, profile.tone, context, keep, language)
    hook = hook.replace(COUNT_MARK, count)
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-ZÄÖÜ0-9])", hook)
    if len(sentences) == 2 and rng.random() < 0.35:
        hook = "\n".join(sentences)  # a line break in the hook, now and then
    hook = _tidy(hook, language)
    if not names_topic(hook + "\n" + "\n".join(paragraphs), topic):
        # The topic asked for is the topic written: say it up front when the template did not.
        paragraphs.insert(0, _fill(rng.choice(TOPIC_LINES[language]), context))

    paragraphs = _mark_lists(paragraphs, rng.choice(LIST_MARKERS))
    paragraphs = _vary_breaks(paragraphs, rng)

    bridge = ""
    if rng.random() < 0.25:
        bridge = rng.choice(BRIDGES[language].get(profile.tone, BRIDGES[language]["direct"]))
    cta = _sentences_kept(_fill(_resolve(rng.choice(usable_ctas), rng), context), keep)
    hashtags = _hashtag_line(context, style, rng)

    extras = [
        _sentences_kept(e, keep) for e in _extras(profile, context, paragraphs, rng, language)
    ]
    draft = "\n\n".join(b for b in [hook, bridge, *paragraphs, *extras, cta, hashtags] if b.strip())
    depth = [_sentences_kept(p, keep) for p in _depth(spec.framework, context, draft, rng)]
    paragraphs += depth
    paragraphs += extras
    body_text = _normalise("\n".join([hook, *paragraphs, cta])).lower()
    if bridge and _normalise(bridge).lower().rstrip(".:") in body_text:
        bridge = ""  # "Short version:" as a bridge and again in the body read as a slip
    blocks = _without_repeats([hook, bridge, *paragraphs, cta])
    blocks = [b.replace(COUNT_MARK, count) for b in blocks]
    text = _tidy("\n\n".join(b for b in [*blocks, hashtags] if b.strip()), language)
    while len(text) > MAX_POST_CHARS - 100 and len(paragraphs) > 1:
        paragraphs.pop(len(paragraphs) // 2)  # never happens with the library; a guard
        text = _tidy("\n\n".join(b for b in [hook, *paragraphs, cta] if b.strip()), language)
        text = text.replace(COUNT_MARK, count)
    return text, hook


def _in_their_style_hooks(hooks: list[str], style) -> list[str]:
    """The hooks that open the way the consultant usually opens, when some do."""
    patterns = tuple(getattr(style, "opening_patterns", ()) or ())
    if not patterns or not hooks:
        return hooks
    kind = patterns[0]
    if kind == "question":
        fitting = [h for h in hooks if h.rstrip().endswith("?")]
    elif kind == "short-line":
        fitting = [h for h in hooks if len(_SLOT_FREE.sub("xxxxxxxx", h)) < 60]
    elif kind == "statement":
        fitting = [h for h in hooks if not h.rstrip().endswith("?")]
    else:
        fitting = []
    return fitting or hooks


_SLOT_FREE = re.compile(r"\{[^{}]*\}")


def _in_their_style_ctas(ctas: list[str], style) -> list[str]:
    """Closing lines that end the way the consultant's posts end: a question or not."""
    share = getattr(style, "closes_with_question", None)
    if share is None:
        return ctas
    if share >= 0.7:
        fitting = [c for c in ctas if c.rstrip().endswith("?")]
    elif share <= 0.3:
        fitting = [c for c in ctas if not c.rstrip().endswith("?")]
    else:
        fitting = []
    return fitting or ctas


def _hashtag_line(context: dict[str, str], style, rng: random.Random) -> str:
    """Hashtags as the consultant uses them: their count and their own tags first (only those
    in the post's areas or their own); without a style, two or three from the area, usually."""
    tags = context["_hashtags"].split()
    if style is None:
        if rng.random() >= 0.75:
            return ""
        return " ".join(f"#{t}" for t in rng.sample(tags, k=min(len(tags), rng.choice((2, 3)))))
    count = round(getattr(style, "hashtags_per_post", 0) or 0)
    if count <= 0:
        return ""
    own = [t.lstrip("#") for t in getattr(style, "typical_hashtags", ()) or ()]
    chosen: list[str] = []
    for tag in [*own, *tags]:
        if tag and tag.lower() not in {c.lower() for c in chosen}:
            chosen.append(tag)
    return " ".join(f"#{t}" for t in chosen[: min(count, 5)])


def _choose_hook(
    hooks: list[str],
    recent_hooks: tuple[str, ...],
    rng: random.Random,
    tone: str,
    context: dict[str, str],
    keep,
    language: str,
) -> str:
    """A hook whose every fact is true, naming the topic when one can; else a plain one."""
    candidates = list(hooks)
    while candidates:
        template = _pick_hook(candidates, recent_hooks, rng, tone)
        hook = _fill(_resolve(template, rng), context)
        if all(keep(part) for part in _SENTENCE_END.split(hook)):
            return hook
        candidates.remove(template)
    return _fill(rng.choice(TOPIC_HOOKS[language]), context)


CONTEXT_LINES = {
    "en": (
        "For context: {years} years in {area} and {area2}, mostly with {industry} teams.",
        "This comes from {years} years of {area} work, a lot of it in {industry}.",
        "Some background: I do {offer} work with {industry} teams.",
        "I've seen this pattern at {industry} companies more often than I can count.",
    ),
    "de": (
        "Zum Hintergrund: {years} Jahre {area} und {area2}, vor allem mit Teams aus {industry}.",
        "Das stammt aus {years} Jahren Arbeit mit {area}, oft im Bereich {industry}.",
        # "als {offer}" read "als security audit"; the role fits the sentence.
        "Zum Hintergrund: Ich arbeite als {offer_role} mit Teams aus dem Bereich {industry}.",
        "Dieses Muster habe ich in Unternehmen aus dem Bereich {industry} oft gesehen.",
    ),
}
TAKEAWAY_LINES = {
    "en": (
        "If you do one thing this week: {tip}.",
        "The cheapest first step: {tip}.",
        "My advice if you start tomorrow: {tip}.",
        "One habit worth stealing: {tip}.",
    ),
    "de": (
        "Wenn Sie diese Woche nur eins tun: {tip}.",
        "Der günstigste erste Schritt: {tip}.",
        "Mein Rat, wenn Sie morgen anfangen: {tip}.",
    ),
}


def _extras(
    profile: ProfileSnapshot,
    context: dict[str, str],
    paragraphs: list[str],
    rng: random.Random,
    language: str,
) -> list[str]:
    """Now and then a line of background and a takeaway, so posts don't all end the same way."""
    extras = []
    body = " ".join(paragraphs).lower()
    if rng.random() < 0.6:
        lines: tuple[str, ...] = CONTEXT_LINES[language]
        if not profile.years_experience:
            lines = tuple(line for line in lines if "{years}" not in line)
        if not profile.offers or context["offer"] == MISSING[language]["offer"]:
            # no offer, or none that fits the topic: "I do advisory work" says nothing
            lines = tuple(line for line in lines if "{offer" not in line)
        if not any(i.strip() for i in profile.industries):
            # "mostly with SaaS teams" would be a claim the profile never made
            lines = tuple(line for line in lines if "{industry}" not in line)
        if lines:
            extras.append(_fill(rng.choice(lines), context))
    unused = [context[f"tip{i}"] for i in range(1, 6) if context[f"tip{i}"].lower() not in body]
    if unused and rng.random() < 0.7:
        tip = unused[-1]
        extras.append(_fill(rng.choice(TAKEAWAY_LINES[language]), {**context, "tip": tip}))
    rng.shuffle(extras)
    return extras


# The linter's sweet spot is 900 to 1,600 characters. A draft shorter than its target (drawn
# per post from this range, so lengths vary) gets depth paragraphs until it reaches it, never
# past the ceiling; the spread of the base drafts and of a paragraph keeps the result inside.
DEPTH_TARGET = (1000, 1150)
DEPTH_CEILING = 1500
DEPTH_MAX_PARAGRAPH = 270  # under the linter's 280 for one paragraph


# Depth for any framework: questions and advice, so a draft that lost an invented story still
# reaches the length readers finish without stating anything the consultant did not give.
GENERIC_DEPTH = {
    "en": [
        "A question worth asking your team about {topic}: if {metric} were the only number "
        "that counted, what would you stop doing tomorrow?",
        "What I'd write down before changing anything: what {pain} costs you today, in hours "
        "and in trust. {Without that, every fix looks good.|That is the baseline every fix is "
        "judged against.}",
    ],
    "de": [
        "Eine Frage, die ich jedem Team zu {topic} stelle: Wenn nur {metric} zählen würde, "
        "womit würden Sie morgen aufhören?",
        "Was ich aufschreiben würde, bevor sich etwas ändert: was {pain} heute kostet, an "
        "Stunden und an Vertrauen. {Ohne das sieht jede Lösung gut aus.|Daran muss sich jede "
        "Lösung messen lassen.}",
    ],
}


def _depth_context(context: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The vocabulary values the template's own slots did not take, for depth paragraphs."""
    language = context["_language"]
    lexicon = _truthful(context["_key"] or None, language)

    def other(options: tuple, taken: str, part: int = 0) -> tuple:
        rest = [o for o in options if (o[part] if isinstance(o, tuple) else o) != taken]
        return rng.choice(rest or list(options))

    mistake, fix = other(lexicon.lessons, context["mistake"])
    myth, reality = other(lexicon.myths, context["myth"])
    decision, alternative, reason = other(lexicon.decisions, context["decision"])
    industries = context["_industries"].split("\n") if context["_industries"] else []
    return {
        **context,
        "industry": other(tuple(industries), context["industry"])
        if industries
        else context["industry"],
        "example_mistake": mistake,
        "example_fix": fix,
        "example_win": UNKNOWN_FACT,  # a second client story would be an invented one
        "example_pain": other(lexicon.pains, context["pain"]),
        "other_metric": other(lexicon.metrics, context["metric"]),
        "other_myth": myth,
        "other_reality": reality,
        "other_decision": decision,
        "other_alternative": alternative,
        "other_reason": reason,
        "first_step": context.get("_spare_tip") or context["tip1"],
    }


def context_target(context: dict[str, str]) -> tuple[int, int]:
    """The length to aim for: the consultant's usual one when known, inside the range readers
    finish; the library's default otherwise."""
    usual = int(context.get("_usual_length") or 0)
    if not usual:
        return DEPTH_TARGET
    centre = min(max(usual, 700), DEPTH_CEILING - 100)
    return (centre - 75, centre + 75)


def _depth(framework: str, context: dict[str, str], draft: str, rng: random.Random) -> list[str]:
    """Depth paragraphs in the framework's voice until the draft reaches its target length."""
    length = len(draft)
    target = rng.randint(*context_target(context))
    lines = list(framework_depth(framework, context["_language"]))
    if length >= target or not lines:
        return []
    values = _depth_context(context, rng)
    # One general paragraph at most among the framework's own, or every post of a week would
    # carry the same question.
    lines.append(rng.choice(GENERIC_DEPTH[context["_language"]]))
    rng.shuffle(lines)
    added = []
    words = _content_words(draft)
    for line in lines:
        if length >= target:
            break
        if slots_in(line) & CASE_SLOTS and (
            not context["_case_on_topic"] or context["case_title"].lower() in draft.lower()
        ):
            continue  # the profile's case only when it is on topic and not told already
        paragraph = _fill(_resolve(line, rng), values)
        if UNKNOWN_FACT in paragraph or facts.unsupported_figures(
            paragraph, context.get("_known", "").split()
        ):
            continue  # a depth paragraph adds advice, never a fact nobody gave us
        too_long = any(len(part) > DEPTH_MAX_PARAGRAPH for part in paragraph.split("\n\n"))
        if too_long or length + len(paragraph) + 2 > DEPTH_CEILING:
            continue
        new_words = _content_words(paragraph)
        if _repeats(words, new_words):
            continue  # it would make a word stand out as repeated
        added.append(paragraph)
        words.update(new_words)
        length += len(paragraph) + 2
    return added


def _content_words(text: str) -> Counter:
    """Words counted the way the linter's repeated-word rule counts them (plus the total)."""
    words = linter.WORD.findall(text.lower())
    counts = Counter(
        w for w in words if len(w) >= linter.MIN_REPEATED_WORD_LENGTH and w not in linter.STOPWORDS
    )
    counts[""] = len(words)  # the total, which sets how many uses are allowed
    return counts


def _repeats(words: Counter, new_words: Counter) -> bool:
    """Whether adding `new_words` makes a word more frequent than the linter allows. More text
    allows more uses, so only the words being added can cross the line."""
    allowed_before = max(3, words[""] // linter.REPEAT_WORDS_PER_ALLOWED_USE)
    allowed = max(3, (words[""] + new_words[""]) // linter.REPEAT_WORDS_PER_ALLOWED_USE)
    return any(
        words[w] + n > allowed and words[w] <= allowed_before for w, n in new_words.items() if w
    )


def _vary_breaks(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Sometimes join two short prose paragraphs with a single line break."""
    result: list[str] = []
    for paragraph in paragraphs:
        previous = result[-1] if result else ""
        prose = not re.match(r"^(?:[→•—]|\d+\.)\s", paragraph) and "\n" not in paragraph
        if (
            previous
            and prose
            and "\n" not in previous
            and len(previous) + len(paragraph) < 200
            and rng.random() < 0.3
        ):
            result[-1] = f"{previous}\n{paragraph}"
        else:
            result.append(paragraph)
    return result


def write_post(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    earlier_texts: tuple[str, ...] | list[str] = (),
) -> GeneratedPost:
    """The template engine's whole job: choose, fill and write one post.

    With `request.similar_to` ("generate similar") or `earlier_texts` (the workspace's recent
    posts, newest first), it writes up to a few versions and keeps the first that is not a
    near-copy of any of them, or else the least similar one.
    """
    others = [t for t in (request.similar_to, *list(earlier_texts)[:EARLIER_TEXTS]) if t]
    if not others:
        return _write_once(request, templates, performance=performance)
    best = None
    for attempt in range(SIMILAR_ATTEMPTS):
        post = _write_once(request, templates, performance=performance, attempt=attempt)
        similarity = max_tfidf_similarity(post.text, others)
        if best is None or similarity < best[0]:
            best = (similarity, post)
        if similarity < NEAR_DUPLICATE:
            break
    return best[1]


def _write_once(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    attempt: int = 0,
) -> GeneratedPost:
    spec, topic, rng = plan_post(request, templates, performance=performance, attempt=attempt)
    recent_hooks = request.recent_hooks
    if request.similar_to:
        recent_hooks = (request.similar_to.strip().split("\n\n")[0], *recent_hooks)
    text, hook = render_post(spec, request.profile, topic, rng, recent_hooks=recent_hooks)
    return GeneratedPost(
        text=text,
        hook=hook,
        template_key=spec.key,
        framework=spec.framework,
        topic=topic,
        backend="template",
    )


def plan_post(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    attempt: int = 0,
) -> tuple[TemplateSpec, str, random.Random]:
    """The template and topic for a request, and the generator to render with.

    Both backends start here, so the LLM writes from the same template the engine would use.
    For "generate similar", the template that wrote the original is skipped in favour of a
    sibling in the same framework.
    """
    profile = request.profile
    rng = seeded_rng(
        "post",
        request.seed,
        attempt,
        request.topic,
        request.framework,
        request.recent_template_keys,
        request.recent_hooks,
        request.similar_to,
        profile.name,
        tuple(profile.areas),
        profile.language,
        profile.tone,
    )
    avoid: frozenset[str] = frozenset()
    if request.similar_to:
        source = source_template(request.similar_to, templates)
        if source:
            avoid = frozenset({source.key})
            if not request.framework:
                request = GenerationRequest(**{**request.__dict__, "framework": source.framework})
    topic_key = area_key(request.topic or "")
    spec = choose_template(
        request, templates, rng, topic_key=topic_key, performance=performance, avoid_keys=avoid
    )
    topic = choose_topic(request, spec, rng)
    return spec, topic, rng


def same_hook(a: str, b: str) -> bool:
    return _normalise(a).lower() == _normalise(b).lower()
