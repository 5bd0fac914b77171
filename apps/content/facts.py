"""Which figures a draft may state, and the gaps it leaves where it has no fact to state.

A consultant signs every post, so a number in a draft must be one the consultant gave us:
in the proof vault (case studies), the rest of the expertise profile (years of experience,
headline, offers) or the past posts they imported. Everything else is invented.

Public interface (the checker and the voice module read it; keep it stable):

- `figures_in(text) -> list[str]`: the figures a text states, normalised ("38%" → "38",
  "1,200" → "1200", "three" → "3"), in order of appearance, repeats kept;
- `profile_figures(profile) -> frozenset[str]`: the figures a profile (a model instance, an
  engine `ProfileSnapshot` or a dict of the profile form's fields) supports;
- `known_figures(*, workspace, user=None) -> frozenset[str]`: the same for a workspace's
  profiles (one member's with `user`) plus their imported past posts;
- `unsupported_figures(text, known) -> list[str]`: the figures of `text` not in `known`;
- `GAP_PATTERN`, `find_gaps(text) -> list[str]`, `gap(hint, language)`: the visible gap a
  draft leaves where a story needs the consultant's own example, e.g.
  "[your example: a cost cut you led]" / "[Ihr Beispiel: …]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.utils.translation import ngettext

# "[your example: a cost cut you led]", "[Ihr Beispiel: eine Kostensenkung]". The hint never
# holds a bracket, so two gaps on one line stay two gaps.
GAP_PATTERN = re.compile(r"\[(?:your example|ihr beispiel):[^\[\]]*\]", re.IGNORECASE)
GAP_LABELS = {"en": "your example", "de": "Ihr Beispiel"}

# A number standing on its own: "42", "38%", "3.5x", "1,200", "10k". Digits glued to letters
# are names, not figures ("S3", "EC2", "p99", "k8s", "OAuth2", "GPT-4", "HTTP/2", "IPv6").
FIGURE = re.compile(
    r"(?<![\w/.,])(?<!\w-)(\d+(?:[.,]\d+)*)(?:%|x|k|ms|s|h|m)?(?![\w])(?!-\w)", re.IGNORECASE
)
# Numbers written as words state a figure just as much ("a team of twelve", "drei Wochen").
# "one"/"ein" are left out: they are articles far more often than counts.
_NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "dozen": "12",
    "twice": "2x",
    "double": "2x",
    "triple": "3x",
    "half": "50",
    "zwei": "2",
    "drei": "3",
    "vier": "4",
    "fünf": "5",
    "sechs": "6",
    "sieben": "7",
    "acht": "8",
    "neun": "9",
    "zehn": "10",
    "elf": "11",
    "zwölf": "12",
    "dreizehn": "13",
    "vierzehn": "14",
    "fünfzehn": "15",
    "sechzehn": "16",
    "siebzehn": "17",
    "achtzehn": "18",
    "neunzehn": "19",
    "zwanzig": "20",
    "dreißig": "30",
    "vierzig": "40",
    "fünfzig": "50",
    "hundert": "100",
    "tausend": "1000",
    "dutzend": "12",
    "doppelt": "2x",
    "zweimal": "2x",
    "dreimal": "3x",
    "hälfte": "50",
}
NUMBER_WORD = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
# "one"/"ein" count only beside a unit of time or work: "it took one retro", "one afternoon",
# "week one", "einen Nachmittag", "Woche eins" state a figure as much as "3 metrics" does.
_UNITS_EN = (
    r"afternoons?|mornings?|days?|weeks?|months?|quarters?|years?|retros?|retrospectives?|"
    r"sprints?|meetings?|calls?|hours?|workshops?|conversations?|engagements?|reviews?"
)
_UNITS_DE = (
    r"Nachmittag|Vormittag|Tag|Woche|Monat|Quartal|Jahr|Retro|Retrospektive|Sprint|Meeting|"
    r"Termin|Stunde|Workshop|Gespräch"
)
ONE_UNIT = re.compile(
    rf"(?<![\w-])(?:(?:one|a single) (?:{_UNITS_EN})|(?:week|month|day|sprint) one"
    rf"|(?:einen|einem|einer|eine|ein) (?:einzigen? )?(?:{_UNITS_DE})(?:e?s|en|n)?"
    rf"|(?:Woche|Monat|Tag|Sprint) eins)(?![\w-])",
    re.IGNORECASE,
)
# A number glued to a unit states a duration or a size: "a 45-minute pipeline", "a three-year
# commitment", "eine 45-Minuten-Pipeline", "eine 2-TB-Tabelle" (FIGURE leaves hyphenated names
# like "2-factor" alone).
_DASH_UNIT = (
    r"minutes?|hours?|days?|weeks?|months?|quarters?|years?|person|people|engineers?|"
    r"Minuten|Stunden|Tages?|Wochen|Monats?|Jahres|Personen|"
    # sizes and lengths: "eine 2-TB-Tabelle", "an 80-page report"
    r"[KMGTP]i?B|pages?|Seiten"
)
FIGURE_WITH_UNIT = re.compile(
    r"(?<![\w/.,-])(\d+|"
    + "|".join(w for w, v in _NUMBER_WORDS.items() if v.isdigit() and v != "50")
    + rf")-(?:{_DASH_UNIT})(?![\w])",
    re.IGNORECASE,
)
_DASH_UNIT_HINT = re.compile(rf"\w-(?:{_DASH_UNIT})(?!\w)", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"^[ \t]*\d{1,2}[.)](?=\s)", re.MULTILINE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def normalise_figure(raw: str) -> str:
    """One spelling per figure: "1,200" and "1.200" → "1200", "3,5" → "3.5", "40" → "40"."""
    raw = raw.strip()
    if _THOUSANDS.match(raw):
        return re.sub(r"[.,]", "", raw)
    value = raw.replace(",", ".")
    if "." in value:
        value = value.rstrip("0").rstrip(".") or "0"
    return value.lstrip("0") or "0"


def figures_in(text: str) -> list[str]:
    """The figures `text` states, normalised, in order of appearance."""
    if not text:
        return []
    # "1. First step" numbers a list; it states nothing (same length keeps positions).
    text = _LIST_NUMBER.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for match in FIGURE.finditer(text):
        found.append((match.start(), normalise_figure(match.group(1))))
    for match in NUMBER_WORD.finditer(text):
        found.append((match.start(), _NUMBER_WORDS[match.group(1).lower()]))
    if "-" in text and _DASH_UNIT_HINT.search(text):
        for match in FIGURE_WITH_UNIT.finditer(text):
            raw = match.group(1).lower()
            found.append((match.start(), _NUMBER_WORDS.get(raw) or normalise_figure(raw)))
    low = text.lower()
    if "one" in low or "single" in low or "ein" in low:  # the regex only when it can match
        for match in ONE_UNIT.finditer(text):
            found.append((match.start(), "1"))
    found.sort()
    return [figure for _, figure in found]


def _strings(value: object) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _field(profile: object, name: str) -> object:
    if isinstance(profile, Mapping):
        return profile.get(name)
    return getattr(profile, name, None)


PROFILE_FIELDS = ("headline", "areas", "industries", "offers", "case_studies")


def profile_texts(profile: object) -> list[str]:
    """Every text of a profile that may hold a figure the consultant gave."""
    texts: list[str] = []
    for name in PROFILE_FIELDS:
        texts.extend(_strings(_field(profile, name)))
    return texts


def profile_figures(profile: object) -> frozenset[str]:
    """Figures a profile supports: its years of experience and every figure in its texts."""
    figures: set[str] = set()
    years = _field(profile, "years_experience")
    if years:
        figures.add(normalise_figure(str(years)))
    for text in profile_texts(profile):
        figures.update(figures_in(text))
    return frozenset(figures)


def _past_post_texts(*, workspace, user=None) -> list[str]:
    """Imported past posts, once the voice module offers them; none before that."""
    try:
        from apps.content import voice
    except ImportError:
        return []
    reader = getattr(voice, "past_post_texts", None)
    if reader is None:
        return []
    return list(reader(workspace=workspace, user=user))


def known_figures(*, workspace, user=None) -> frozenset[str]:
    """Figures the workspace's own material supports (one member's with `user`)."""
    from apps.accounts.models import ExpertiseProfile
    from apps.accounts.tenancy import owned

    profiles = owned(ExpertiseProfile, workspace=workspace)
    if user is not None:
        profiles = profiles.filter(user=user)
    figures: set[str] = set()
    for profile in profiles:
        figures |= profile_figures(profile)
    for text in _past_post_texts(workspace=workspace, user=user):
        figures.update(figures_in(text))
    return frozenset(figures)


def unsupported_figures(text: str, known: Iterable[str]) -> list[str]:
    """Figures `text` states that `known` does not support, in order, without repeats."""
    known = set(known)
    result: list[str] = []
    for figure in figures_in(text):
        if figure not in known and figure not in result:
            result.append(figure)
    return result


# A sentence that tells of a past event, a client, a team or a person ("I led", "we tracked",
# "a senior engineer raised her hand", "one team I worked with", "last year") is a story. Under
# the consultant's name it must be their own: from the proof vault, or a gap for them to fill.
_IRREGULAR_PAST = (
    r"had|was|were|did|took|saw|made|led|ran|told|asked|spent|went|got|found|thought|said|"
    r"built|gave|knew|kept|left|met|paid|put|shipped|sat|wrote|chose|began|brought|caught|"
    r"felt|heard|learnt|lost|meant|quit|sent|stood|taught|understood|won|cut|broke|came|"
    r"grew|drew|fell|forgot|hired|swore"
)
_NARRATIVE_EN = (
    # "I led", "we tracked", "I almost missed", "they had": a first-person or client event
    rf"\b(?:I|we|they)(?: (?:\w+ly|almost|nearly|still|once|never|finally|just|first|then|all"
    rf"|both|only|even))? (?:\w*[^\We\s]ed|{_IRREGULAR_PAST})\b",
    r"\b(?:I|we)'ve\b|\b(?:I|we) have (?:\w+ )?(?:\w*[^\We\s]ed|seen|done|run|been|made|had)\b",
    r"\b(?:I|we) ever\b|\bI'd (?:make the same|do it again)",
    # a client, a team or a person doing something in the past
    r"\b(?:the|a|an|one|their|our|my|that|this) (?:[\w-]+ ){0,2}(?:team|client|company|"
    r"engineer|CTO|CEO|founder|call|request|manager|lead|startup|scale-up|customer|project)s? "
    rf"(?:(?:\w+ly|almost|nearly|still|finally|never|all|once) )?(?:\w*[^\We\s]ed|"
    rf"{_IRREGULAR_PAST})\b",
    r"\b(?:team|client|company|people|engineers?|teams|clients) I (?:worked with|advised|helped"
    r"|coached|joined|know)\b",
    r"\b(?:a|one) client of mine\b|\bat (?:my last|one|a recent|a [\w-]+) client\b",
    r"\braised (?:her|his|their) hands?\b|\b(?:disagreed|argued|worked) with me\b",
    r"\blast (?:year|month|week|quarter|time)\b|\bthis year\b|\byears ago\b|\bback then\b",
    r"\bat the time\b|\bbefore I arrived\b|\bwhen I arrived\b|\brecent (?:example|engagement"
    r"|review)\b|\bin one case\b|\bhad been\b|\b(?:took|takes) (?:one|a single)\b",
    r"\bsaved the project\b|\bbest call of the year\b|\bwent independent\b",
    r"\bnobody (?:had|decided|argued|said|questioned)\b|\beveryone (?:knew|had)\b",
    # how often the consultant sees something is a count nobody gave: "teams I meet",
    # "I hear it every month", "every review I do"
    r"\b(?:teams|clients|companies|systems|setups|job ads) I (?:meet|see|review|audit)\b",
    r"\bI (?:see|hear|meet) (?:it|this|them)? ?(?:in )?(?:almost )?every\b",
    r"\b(?:reviews?|audits?|engagements?|calls?) I do\b|\bI get asked\b|\bsomeone asks me\b"
    r"|\b(?:höre|sehe) ich jeden\b",
    # "My plan would have made it worse", "Their constraint: …": a client's story
    r"\bwould have\b|\btheir (?:constraint|version|request|answer|CTO)\b",
)
_NARRATIVE_DE = (
    r"\b(?:ich|wir) (?:habe|haben|hatte|hatten|war|waren)\b",
    r"\b(?:habe|haben|hatte|hatten) (?:ich|wir)\b",
    r"\bvon mir\b|\bmit (?:dem|der|denen) ich\b|\bbei (?:dessen|deren) \w+ ich\b",
    r"\b(?:letztes|dieses|voriges) Jahr\b|\b(?:letzte|diese|vorige) Woche\b"
    r"|\b(?:letzten|diesen|vorigen) Monat\b|\bvor (?:einigen |ein paar )?Jahren\b|\bdamals\b",
    r"\bbei einem (?:\w+ )?Kunden\b|\bmeinem letzten Kunden\b|\bein Kunde\b",
    r"\bdie ich (?:treffe|sehe|prüfe|höre)\b|\bin fast jede[mnr]?\b",
)
# German past forms, checked as words (one regex alternation of them cost more than the rest).
_GERMAN_PAST = frozenset(
    [
        "hatte",
        "hatten",
        "war",
        "waren",
        "wurde",
        "wurden",
        "dauerte",
        "meldete",
        "sagte",
        "fragte",
        "entschied",
        "ging",
        "fand",
        "sah",
        "kam",
        "kamen",
        "gab",
        "stellte",
        "hob",
        "wollte",
        "wollten",
        "konnte",
        "konnten",
        "musste",
        "mussten",
        "zeigte",
        "wusste",
        "wussten",
        "fehlte",
        "fehlten",
        "lief",
        "liefen",
        "brauchte",
        "brauchten",
        "half",
        "halfen",
        "machte",
        "machten",
        "dachte",
        "dachten",
        "glaubte",
        "glaubten",
        "merkte",
        "merkten",
        "lernte",
        "lernten",
        "baute",
        "bauten",
        "kostete",
        "kosteten",
        "führte",
        "führten",
        "änderte",
        "änderten",
        "sank",
        "stieg",
        "begann",
        "blieb",
        "blieben",
    ]
)
# Every pattern above needs one of these words; a sentence without any is no story, and the
# check stays cheap for the many sentences a draft is built from.
_TRIGGERS = frozenset(
    [
        "i",
        "we",
        "they",
        "i've",
        "we've",
        "i'd",
        "me",
        "mine",
        "raised",
        "last",
        "year",
        "years",
        "ago",
        "back",
        "time",
        "arrived",
        "recent",
        "case",
        "been",
        "took",
        "takes",
        "saved",
        "best",
        "independent",
        "nobody",
        "everyone",
        "would",
        "their",
        "ich",
        "wir",
        "mir",
        "habe",
        "haben",
        "hatte",
        "hatten",
        "jahr",
        "woche",
        "monat",
        "jahren",
        "damals",
        "kunden",
        "kunde",
        "fast",
        "dessen",
        "deren",
        "dem",
        "der",
        "denen",
        "team",
        "teams",
        "client",
        "clients",
        "company",
        "companies",
        "engineer",
        "engineers",
        "cto",
        "ceo",
        "founder",
        "founders",
        "call",
        "calls",
        "request",
        "requests",
        "manager",
        "managers",
        "lead",
        "leads",
        "startup",
        "startups",
        "scale-up",
        "scale-ups",
        "customer",
        "customers",
        "people",
        "systems",
        "setups",
        "ads",
        "reviews",
        "review",
        "audit",
        "audits",
        "engagement",
        "engagements",
        "someone",
        "höre",
        "sehe",
        "project",
        "projects",
    ]
)
_TOKENS = re.compile(r"[\w'-]+")
NARRATIVE = re.compile("|".join((*_NARRATIVE_EN, *_NARRATIVE_DE)), re.IGNORECASE)
# Claims of an engagement, a result or a reaction that need no first person to be a story.
# A regex of their own, run only on sentences holding one of their words: branches starting
# with "a", "at", "it" would otherwise be tried at almost every position of every sentence.
_CLAIMS = (
    # An engagement nobody described: "Hindsight on a fintech project", "at a fintech client
    # with …", "Week one at a new insurance client", "the numbers from a recent project". The
    # profile's industries say whom the consultant serves, not that such a project happened.
    r"\b(?:at|from|with|for|on|in) (?:a|an|one) (?:new |recent )?(?!(?:new|good|typical|big"
    r"|small|single|given|real|large|healthy)\b)[\w-]+ (?:client|project|company|scale-up"
    r"|startup|customer|product)\b",
    r"(?:^|[.:;] )(?:a|an|one) (?!(?:new|good|typical|single|great|difficult)\b)[\w-]+ "
    r"(?:client|customer)\b",
    r"\bmy (?:last|latest|most recent) (?:[\w-]+ ){0,2}(?:project|client|engagement)\b"
    r"|\b(?:a|one) recent (?:[\w-]+ )?(?:project|engagement|case|client)\b"
    r"|\bthe same (?:[\w-]+ )?project\b|\bweek one at\b|\b(?:client|year) after (?:client|year)\b",
    # A reaction or an outcome nobody reported: "It felt frustrating for a month", "It cost us
    # a quarter", "My answer surprised them", "that number was about a fifth".
    r"(?:^|[.:;] )(?:it|that) (?:felt|took|cost|worked|failed|went)\b"
    r"|\bsurprised (?:them|him|her)\b|\bthat (?:number|figure|win|bill|share) was\b",
    # "bei einem Kunden aus dem Bereich Versicherungen", "ein Produkt im Bereich …", "die Zahlen
    # aus einem aktuellen Kubernetes-Projekt", "Rückblick auf ein Projekt", "in einer Woche"
    r"\b(?:einem|einer|einen|ein|eine) (?:\w+ )?(?:Kunden?|Unternehmen|Projekt|Produkt|Mandat"
    r"|Team) (?:aus dem|im) Bereich\b",
    r"\b(?:aktuellen|letzten|jüngsten) (?:[\w-]*-)?(?:Projekt|Mandat|Kunden)\b"
    r"|\bdasselbe (?:[\w-]*-)?Projekt\b|\bauf ein Projekt\b|\bKunde um Kunde\b",
)
_CLAIM_TRIGGERS = frozenset(
    [
        "client",
        "clients",
        "customer",
        "project",
        "product",
        "company",
        "startup",
        "scale-up",
        "engagement",
        "recent",
        "same",
        "felt",
        "took",
        "cost",
        "worked",
        "failed",
        "went",
        "number",
        "figure",
        "win",
        "bill",
        "share",
        "surprised",
        "projekt",
        "kunde",
        "kunden",
        "unternehmen",
        "produkt",
        "mandat",
        "team",
        "aktuellen",
        "letzten",
        "jüngsten",
        "dasselbe",
        "bereich",
        "year",
    ]
)
CLAIMS = re.compile("|".join(_CLAIMS), re.IGNORECASE)


def narrative_markers(text: str) -> list[str]:
    """The phrases of `text` that tell of a past event, a client, a team or a person."""
    found = [m.group(0) for m in NARRATIVE.finditer(text or "")]
    found += [m.group(0) for m in CLAIMS.finditer(text or "")]
    return found + [w for w in _TOKENS.findall(text or "") if w.lower() in _GERMAN_PAST]


@lru_cache(maxsize=8192)
def tells_story(text: str) -> bool:
    """Whether `text` tells of a past event (see `narrative_markers`). Cached: the engine asks
    about the same template sentences again and again."""
    words = set(_TOKENS.findall((text or "").lower()))
    if words & _GERMAN_PAST:
        return True
    if words & _CLAIM_TRIGGERS and CLAIMS.search(text or ""):
        return True
    if not words & _TRIGGERS:
        return False
    return NARRATIVE.search(text or "") is not None


def gap(hint: str, language: str = "en") -> str:
    """The visible gap for a missing example: "[your example: a cost cut you led]"."""
    label = GAP_LABELS.get(language, GAP_LABELS["en"])
    hint = re.sub(r"[\[\]]", "", hint).strip()
    return f"[{label}: {hint}]"


def find_gaps(text: str) -> list[str]:
    """The gaps a text still holds, in order."""
    return GAP_PATTERN.findall(text or "")


def gap_message(gaps: list[str]) -> str:
    """What to do about the gaps a draft still holds, for every path that would publish it."""
    return ngettext(
        "Fill in or remove the gap marked %(gaps)s first: it is where your own example goes, "
        "and a post never states a fact you did not give.",
        "Fill in or remove the %(count)d gaps marked %(gaps)s first: they are where your own "
        "examples go, and a post never states a fact you did not give.",
        len(gaps),
    ) % {"count": len(gaps), "gaps": ", ".join(f"“{g}”" for g in gaps)}
