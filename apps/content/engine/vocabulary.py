"""The per-area vocabulary (library/vocabulary/*.json) and matching texts to areas.

One data file per area holds its keywords, hashtags, tools and, per language, topics,
metrics, pains, lessons, tips, myths, decisions and roles. This module reads them, finds the
area of a free text ("AWS cost control" → cloud) and ties vocabulary to a typed topic.
"""

import json
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from apps.content import facts
from apps.content.engine.base import LANGUAGES, LIBRARY_DIR, ProfileSnapshot
from apps.content.engine.grammar import LOWER_CASE_NAMES, reads_german

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
    "analytics",
    "platform",
    "cicd",
    "observability",
    "databases",
    "leadership",
    "ai",
    "mlops",
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
# Checked in this order, so "data platforms" is data, not platform engineering, and "data
# warehouse costs" or "Snowflake" is analytics engineering, not data pipelines nor cloud.
# MLOps comes first: "data drift", "model monitoring" and "model deployment" name words of
# data, observability and CI/CD, and ai is the LLM vocabulary (RAG, prompts, inference cost).
AREA_ORDER = (
    "mlops",
    "ai",
    "analytics",
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


AREA_PATTERNS = {
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
        if AREA_PATTERNS[key].search(low):
            return key
    return None


_TOPIC_KEYS = {
    topic.lower(): key
    for key in AREA_ORDER
    for lexicon in (AREAS[key].en, AREAS[key].de)
    for topic in lexicon.topics
}


def topic_area_key(topic: str, profile: ProfileSnapshot) -> str | None:
    """The area of a typed topic for this profile: of the areas the topic's words name, the
    profile's own first ("deploy pipelines" is CI/CD for a fractional CTO with CI/CD, not the
    data pipelines the word also names), else the first in AREA_ORDER."""
    first = area_key(topic)
    if first is None or (topic or "").lower() in _TOPIC_KEYS:
        return first
    low = topic.lower()
    named = [key for key in AREA_ORDER if AREA_PATTERNS[key].search(low)]
    own = profile_area_keys(profile)
    return next((key for key in named if key in own), first)


def profile_area_keys(profile: ProfileSnapshot) -> list[str]:
    """Vocabulary keys of the profile, most important first: headline, areas, then offers."""
    keys: list[str] = []
    for text in [profile.headline, *profile.areas, *profile.offers]:
        key = area_key(text)
        if key and key not in keys:
            keys.append(key)
    return keys


def lexicon_for(key: str | None, language: str) -> Lexicon:
    area = AREAS.get(key or "", GENERAL)
    return area.de if language == "de" else area.en


def _states_figure(*texts: str) -> bool:
    return any(facts.figures_in(t) for t in texts)


@lru_cache(maxsize=64)
def truthful_lexicon(key: str | None, language: str) -> Lexicon:
    """The area's vocabulary without entries that state a figure: a figure is a fact about
    someone's work, and the library's own would be the same invented fact in every workspace.
    The library's own entries state none (see the vocabulary); this keeps it so for any added."""
    lexicon = lexicon_for(key, language)
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


# Standards and frameworks a company certifies or reports against, not tools a team runs.
_STANDARDS = re.compile(
    r"\b(?:soc ?[12]|iso(?:/iec)? ?\d{4,5}|gdpr|dsgvo|hipaa|pci[ -]?dss|nis ?2|dora|bsi|c5|"
    r"tisax|fedramp|nist|cis benchmarks?|cyber essentials|sox|eu ai act)\b",
    re.IGNORECASE,
)


def comparison_kind(first: str, second: str) -> str:
    """What a comparison topic compares: "standard" (SOC 2 vs ISO 27001), "approach" (two
    ways of working, written in lower case: "monorepo vs polyrepo") or "tool"."""
    if _STANDARDS.search(first) or _STANDARDS.search(second):
        return "standard"
    if first.islower() and second.islower():
        return "approach"
    return "tool"


def topic_comparison_kind(topic: str) -> str | None:
    """What a comparison topic compares ("standard", "approach", "tool"); None for a topic
    that compares nothing."""
    tools = topic_tools(topic)
    return comparison_kind(*tools) if tools else None


# Template lines about running, switching or buying a product: true of two tools a team runs,
# not of two standards a company certifies against ("Switching tools is rarely worth it" on
# SOC 2 vs ISO 27001) nor of two ways of working.
_TOOL_ONLY_LINE = re.compile(
    r"\btools?\b|\btool-|werkzeug|switch|wechsel|moved from|migrat|replaced|ersetzt|"
    r"in production|im einsatz|using both|runs it|running it|betreibt|betreiben|moving parts|"
    r"bewegliche teile|ecosystem|ökosystem|vendor|hersteller|does your team use|nutzt ihr team",
    re.IGNORECASE,
)
_COMPARED_SLOTS = re.compile(r"\{tool_[ab]\}")
# "Von {tool_b} zu {tool_a}: …" is a migration, whatever words surround it; so is the proof
# vault's own switch ("from {switch_from} to {switch_to}").
_MIGRATION = re.compile(
    r"\b(?:from|von) \{(?:tool_b|switch_from)\} (?:to|zu) \{(?:tool_a|switch_to)\}", re.IGNORECASE
)


def fits_comparison(line: str, kind: str | None) -> bool:
    """Whether a template line may be written for a comparison of this kind: every line fits
    two tools (or a topic that compares nothing); a line about running or switching tools fits
    nothing else. The slots naming the two compared things are not the line's own words."""
    if kind in (None, "tool"):
        return True
    if _MIGRATION.search(line):
        return False
    return not _TOOL_ONLY_LINE.search(_COMPARED_SLOTS.sub("", line))


_TOPIC_STOPWORDS = frozenset(
    [
        "with",
        "from",
        "your",
        "their",
        "that",
        "this",
        "what",
        "when",
        "where",
        "which",
        "without",
        "about",
        "into",
        "over",
        "under",
        "mit",
        "für",
        "über",
        "ohne",
        "oder",
        "eine",
        "einer",
        "einem",
        "einen",
        "nicht",
    ]
)


def topic_words(topic: str) -> frozenset[str]:
    """The words of a topic that can tie vocabulary to it ("karpenter", "autoscaler", "eks")."""
    return frozenset(
        w
        for w in _WORD.findall((topic or "").lower())
        if (len(w) >= 4 or w.isupper() or w in {"eks", "gke", "aks", "k8s", "ci", "cd", "sso"})
        and w not in _TOPIC_STOPWORDS
    )


@lru_cache(maxsize=4096)
def topic_overlap(entry: object, words: frozenset[str]) -> int:
    text = " ".join(entry) if isinstance(entry, tuple) else str(entry)
    found = set(_WORD.findall(text.lower()))
    # "autoscaler" in the topic and "autoscaling" in a tip share their stem
    return sum(1 for w in words if w in found or any(f.startswith(w[:7]) for f in found))


def topical_choice(entries: tuple, words: frozenset[str], rng: random.Random):
    """An entry of the area's vocabulary, the ones sharing words with the topic most often: the
    typed topic shapes the body, not only its label line."""
    scores = [topic_overlap(e, words) for e in entries] if words else []
    best = max(scores, default=0)
    if best and rng.random() < 0.75:
        return rng.choice([e for e, score in zip(entries, scores, strict=True) if score == best])
    return rng.choice(entries)


def hashtag_keys(profile: ProfileSnapshot, topic: str) -> list[str]:
    """The areas a post's hashtags may come from: the topic's and the profile's own."""
    keys = []
    topic_key = topic_area_key(topic, profile)
    if topic_key:
        keys.append(topic_key)
    keys += [k for k in profile_area_keys(profile) if k not in keys]
    return keys


def hashtags_for(profile: ProfileSnapshot, topic: str, key: str | None) -> str:
    allowed = hashtag_keys(profile, topic)
    if key in allowed:
        return " ".join(AREAS[key].hashtags)
    if allowed:
        return " ".join(AREAS[allowed[0]].hashtags)
    return " ".join(GENERAL.hashtags)


# Industries as profiles type them (in English), and what a German draft calls them. Each name
# stands after "Bereich" ("bei einem Kunden aus dem Bereich Versicherungen"), so one form fits
# every German line; loanwords German uses as they are (Fintech, SaaS, E-Commerce) keep their
# German spelling. An industry missing here is quoted as the consultant's own word (see
# `industry_name`), never declined as if it were German.
GERMAN_INDUSTRIES = {
    "insurance": "Versicherungen",
    "insurers": "Versicherungen",
    "insurtech": "Insurtech",
    "healthcare": "Gesundheitswesen",
    "health care": "Gesundheitswesen",
    "health": "Gesundheitswesen",
    "health tech": "Healthtech",
    "healthtech": "Healthtech",
    "digital health": "Digital Health",
    "medtech": "Medizintechnik",
    "medical devices": "Medizintechnik",
    "pharma": "Pharmaindustrie",
    "pharmaceuticals": "Pharmaindustrie",
    "biotech": "Biotechnologie",
    "life sciences": "Life Sciences",
    "banking": "Bankwesen",
    "banks": "Bankwesen",
    "finance": "Finanzdienstleistungen",
    "financial services": "Finanzdienstleistungen",
    "fintech": "Fintech",
    "payments": "Zahlungsverkehr",
    "crypto": "Krypto",
    "logistics": "Logistik",
    "supply chain": "Lieferketten",
    "transport": "Verkehr",
    "transportation": "Verkehr",
    "mobility": "Mobilität",
    "travel": "Reisebranche",
    "public sector": "öffentlicher Sektor",
    "government": "öffentlicher Sektor",
    "public administration": "öffentliche Verwaltung",
    "defence": "Verteidigung",
    "defense": "Verteidigung",
    "retail": "Einzelhandel",
    "e-commerce": "E-Commerce",
    "ecommerce": "E-Commerce",
    "marketplaces": "Marktplätze",
    "manufacturing": "Fertigungsindustrie",
    "industrial": "Industrie",
    "industry": "Industrie",
    "automotive": "Automobilindustrie",
    "aerospace": "Luft- und Raumfahrt",
    "chemicals": "Chemieindustrie",
    "construction": "Bauwesen",
    "real estate": "Immobilien",
    "proptech": "Proptech",
    "energy": "Energiewirtschaft",
    "utilities": "Versorgungswirtschaft",
    "agriculture": "Landwirtschaft",
    "food": "Lebensmittelbranche",
    "telecommunications": "Telekommunikation",
    "telecom": "Telekommunikation",
    "telco": "Telekommunikation",
    "media": "Medien",
    "publishing": "Verlagswesen",
    "entertainment": "Unterhaltung",
    "gaming": "Gaming",
    "education": "Bildung",
    "edtech": "Edtech",
    "legal": "Rechtswesen",
    "legaltech": "Legaltech",
    "hr tech": "HR-Tech",
    "adtech": "Adtech",
    "martech": "Martech",
    "saas": "SaaS",
    "b2b saas": "B2B-SaaS",
    "software": "Software",
    "startups": "Start-ups",
    "consulting": "Beratung",
    "non-profit": "gemeinnütziger Sektor",
    "nonprofit": "gemeinnütziger Sektor",
    "cybersecurity": "Cybersicherheit",
    "hospitality": "Hotellerie",
}
_GERMAN_INDUSTRY_NAMES = frozenset(GERMAN_INDUSTRIES.values())


def industry_name(industry: str, language: str) -> str:
    """The profile's industry as a draft in `language` names it after "Bereich": the German
    name for a common one ("insurance" → "Versicherungen"); one the table lacks, typed in
    English, quoted as the consultant's word (aus dem Bereich „agritech“), not passed off as
    a German noun."""
    industry = industry.strip()
    if language != "de" or not industry:
        return industry
    key = re.sub(r"\s+", " ", industry.lower())
    if key in GERMAN_INDUSTRIES:
        return GERMAN_INDUSTRIES[key]
    if industry in _GERMAN_INDUSTRY_NAMES or reads_german(industry):
        return industry  # typed in German already
    return f"„{industry}“"


@lru_cache(maxsize=1)
def _tool_names() -> frozenset[str]:
    names = set()
    for area in (*AREAS.values(), GENERAL):
        for pair in area.tools:
            names.update(word for tool in pair for word in tool.split() if word[:1].isupper())
    return frozenset(names)


def proper_names(profile: ProfileSnapshot) -> frozenset[str]:
    """Words written with a capital that stay so inside a sentence: the capitalised words of
    the profile's areas and offers as the consultant typed them ("Kubernetes", "Snowflake")
    and the vocabulary's tool names ("Terraform", "Karpenter")."""
    typed = [*profile.areas, *profile.offers]
    own = {w for text in typed for w in re.split(r"[\s/,]+", text) if w[:1].isupper()}
    return frozenset(own) | _tool_names()


def speaks_of(words: frozenset[str], area: Area, lexicon: Lexicon) -> bool:
    """Whether an area's vocabulary has anything on a topic's words (no words: nothing to
    miss, as for a suggested topic or "AI")."""
    if not words:
        return True
    entries = (
        *area.tools,
        *area.keywords,
        *lexicon.topics,
        *lexicon.pains,
        *lexicon.metrics,
        *lexicon.tips,
        *lexicon.lessons,
        *lexicon.myths,
        *lexicon.decisions,
    )
    return any(topic_overlap(entry, words) for entry in entries)


_GERMAN_SMALL_WORDS = frozenset({"in", "on", "of", "and", "or", "for", "to", "with"})


def german_tool_name(name: str) -> str:
    """An English common-noun tool as a German sentence carries it: a noun with its capitals
    ("Feature Flags", "Trunk-Based Development", "Stored Procedures"), without an English
    article ("a rewrite" → "Rewrite"). Product names stay as they are spelt ("dbt", "Kyverno")."""
    if not name[:1].islower() or name in LOWER_CASE_NAMES:
        return name
    name = re.sub(r"^(?:a|an|the) ", "", name)

    def capital(word: str) -> str:
        if word in _GERMAN_SMALL_WORDS or any(c.isupper() or c.isdigit() for c in word):
            return word
        return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))

    return " ".join(capital(word) for word in name.split(" "))


def german_area_name(name: str) -> str:
    """A profile's area as a German sentence names it: a noun, so with a capital ("11 Jahre
    Observability", not "11 Jahre observability"). An English name takes the capitals of an
    English term in German ("incident response" → "Incident Response"); one typed in German
    only its first ("sicherheit in der cloud" → "Sicherheit in der cloud"). Names spelt with
    capitals of their own ("OpenTelemetry", "AWS") or in lower case on purpose ("dbt") stay."""
    if not name[:1].islower() or name.split(" ")[0] in LOWER_CASE_NAMES:
        return name
    if reads_german(name):
        return name[0].upper() + name[1:]
    return german_tool_name(name)
