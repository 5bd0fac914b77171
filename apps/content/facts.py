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
    "eighteen": "18",
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
