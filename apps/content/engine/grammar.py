"""Grammar the filled templates need: "an" before a vowel, capitals at sentence starts,
list markers."""

import re

_FIRST_WORD = re.compile(r"[^\s\-/.,:;]+")


def lower_first(text: str, names: frozenset[str] = frozenset()) -> str:
    """The text as it reads inside a sentence: "Rebuilt the pipeline" → "rebuilt the
    pipeline". A name keeps the consultant's own capital ("Kubernetes upgrades automated",
    "GitHub Actions adopted"): one of `names`, or a word with capitals inside it."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        first = _FIRST_WORD.match(text)
        word = first.group(0) if first else text
        if word in names or any(c.isupper() for c in word[1:]):
            return text
        return text[0].lower() + text[1:]
    return text


# Words a German sentence starts with that are written lower case inside one.
_GERMAN_LOWER_START = re.compile(
    r"^(?:der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines|kein|keine|unser|unsere|"
    r"sein|seine|ihr|ihre|mit|nach|von|für|bei|in|im|auf|aus|zu|zum|zur|über|unter|vor|seit|"
    r"statt|durch|ohne|um|alle|jede|jeden|jeder|jedes|wir|er|sie|es)\b"
)


def lower_first_in(text: str, language: str, names: frozenset[str] = frozenset()) -> str:
    """`lower_first` for a draft in `language`: German nouns keep their capital
    ("Zugriffsprüfung … neu aufgebaut"), an article or preposition starting the text loses it;
    `names` (the profile's areas, the tools) keep theirs in either language."""
    if language == "de" and reads_german(text):
        return lower_first(text) if _GERMAN_LOWER_START.match(text.lower()) else text
    return lower_first(text, names)


# "a AWS project" → "an AWS project"; not before a "you" sound (a user, a unique, a one-page).
ARTICLE_AN = re.compile(r"\b([Aa]) ((?!u[nrst]|use|uni|one|once|eu)[aeiouAEIOU])")


def tidy(text: str, language: str = "en") -> str:
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]{2,}", " ", line).strip()
        line = re.sub(r"\s+([.,;:!?])(?=\s|$)", r"\1", line)
        if language == "en":
            line = ARTICLE_AN.sub(lambda m: f"{m.group(1)}n {m.group(2)}", line)
        line = re.sub(r"(?<!\.)\.\.(?!\.)", ".", line)
        line = re.sub(r"([?!])\.", r"\1", line)
        line = _SENTENCE_START.sub(lambda m: m.group(1) + _capitalise(m.group(2)), line)
        lines.append(_capitalise(line))
    return "\n".join(lines)


# A lower-case word after a full stop, question or exclamation mark (not after "a.m.", "e.g.").
_SENTENCE_START = re.compile(r"((?<!\ba\.m)(?<!\bp\.m)(?<!\be\.g)(?<!\bi\.e)[.?!] )([a-zäöü]\S*)")


# Names written in lower case on purpose keep it at a sentence start too ("dbt tests", not
# "Dbt tests").
LOWER_CASE_NAMES = frozenset({"dbt", "pgvector", "kubectl", "k9s", "k8s"})


def _capitalise(line: str) -> str:
    match = re.match(r"^((?:[→•—✓\-]|\d+\.)?\s*[\"“(]?)([a-zäöü])(\S*)", line)
    if not match or any(c.isupper() for c in match.group(3)):
        return line  # "iOS", "eBPF" stay as they are
    if re.sub(r"\W+$", "", match.group(2) + match.group(3)) in LOWER_CASE_NAMES:
        return line
    return match.group(1) + match.group(2).upper() + line[match.end(2) :]


def mark_lists(paragraphs: list[str], marker: str) -> list[str]:
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


# --- The consultant's own words inside a sentence ---------------------------------------------
# Proof vault entries are typed as notes: "failed its first ISO 27001 stage-one audit" is a
# clause without its subject, "an EKS bill doubling every quarter" a noun phrase. Only a noun
# phrase fits where a template says "Their problem: {pain}" or "how much {pain} was slowing
# them down"; a clause needs a subject of its own (see `phrases.PROBLEM_LINES`).
_CLAUSE_START = {
    "en": re.compile(
        r"^(?:\w{2,}(?<!e)ed|had|has|have|was|were|is|are|kept|keeps|lost|loses|ran|runs|spent|"
        r"spends|took|takes|made|makes|built|rebuilt|cut|led|grew|saw|sent|paid|went|got|gets|"
        r"could|couldn't|can't|cannot|did|didn't|does|doesn't|needs|lacks|relies|struggles)\b",
        re.IGNORECASE,
    ),
    "de": re.compile(
        r"^(?:hatte|hatten|hat|haben|war|waren|ist|sind|verlor|verlieren|brauchte|konnte|"
        r"konnten|musste|mussten|fiel|bestand|lief|liefen|scheiterte)\b",
        re.IGNORECASE,
    ),
}
_GERMAN_WORDS = re.compile(
    r"[äöüß]|\b(?:der|die|das|den|dem|des|und|mit|von|für|auf|ist|sind|wir|nach|ein|eine|einen|"
    r"einem|einer|nicht|zu|bei|aus|im|vom|zum|zur|wurde|wurden|hatte|statt|pro|wochen|monaten|"
    r"jahre|kosten|weniger|mehr|unter|über|seit)\b",
    re.IGNORECASE,
)


def is_clause(text: str) -> bool:
    """Whether vault text starts with its verb ("failed its first audit"): a clause that
    needs a subject, not a noun phrase a template can drop into a sentence."""
    text = text.strip()
    return any(pattern.match(text) for pattern in _CLAUSE_START.values())


def without_inner_colon(text: str) -> str:
    """Vault text with a colon of its own ("alert fatigue: 300 pages a week, most of them
    noise") as it reads after a template's colon or inside a sentence: what follows its colon
    in brackets ("alert fatigue (300 pages a week, most of them noise)"). A template's "The
    starting point: alert fatigue: 300 pages …" reads as two labels in a row."""
    head, colon, rest = text.partition(": ")
    if not colon or not head.strip() or not rest.strip():
        return text
    rest = rest.replace(": ", ", ")
    if "(" in rest or ")" in rest:
        return f"{head}, {rest}"  # brackets inside brackets read worse than a comma
    return f"{head} ({rest})"


def reads_german(text: str) -> bool:
    return bool(_GERMAN_WORDS.search(text))


def in_draft_language(text: str, language: str) -> str:
    """Vault text as a draft in `language` may carry it: in a German draft, English words are
    quoted as the consultant's own („moved batch jobs to spot nodes“), so a reader sees a
    quotation, not a sentence that switches language halfway."""
    if language == "de" and text and not reads_german(text):
        return f"„{text}“"
    return text


def with_article(client: str) -> str:
    """'telehealth startup' → 'a telehealth startup'; a name or an article stays as it is."""
    if not client or re.match(r"(?i)^(?:a|an|the|one|our|my)\b", client):
        return client
    article = "an" if re.match(r"(?i)[aeio]", client) else "a"
    return f"{article} {client}"


_PLURAL = re.compile(r"(?<![su])(?<!ic)(?<!ss)s$")


def attributive(offer: str) -> str:
    """An offer as it reads before "engagement" or "work": "ISO 27001 readiness audits" →
    "ISO 27001 readiness audit" ("an audits engagement" reads as a slip)."""
    head, _, last = offer.rpartition(" ")
    if not last.islower() or len(last) < 4:
        return offer  # "AWS", "DevOps", "Kubernetes" are names, not plurals
    if re.search(r"(?:ss|sh|ch|x)es$", last):
        singular = last[:-2]
    elif last.endswith("ies"):
        singular = last[:-3] + "y"
    else:
        singular = _PLURAL.sub("", last)
    return f"{head} {singular}".strip()


# "{area}-Setup" in a German line: a compound with the area's or offer's name in front.
_COMPOUND_SLOT = re.compile(r"\{(area2?|offer)\}-([A-ZÄÖÜ][\wäöüß]*)")


def _joins_a_compound(name: str) -> bool:
    """Whether a German compound may start with this name: "Kubernetes-Setup", "Cloud-Setup";
    not English words in lower case or several of them ("security audits-Setup")."""
    name = name.strip()
    if not name or reads_german(name):
        return True
    return " " not in name and not name[:1].islower()


def readable_compounds(text: str, context: dict[str, str]) -> str:
    """A German template line whose compounds read with the profile's own English words: a
    compound the name cannot start becomes the noun with the name after it ("Ihr
    security audits-Setup" → "Ihr Setup rund um security audits"). The article stays right, as
    it belongs to the noun."""

    def rewrite(match: re.Match) -> str:
        slot, noun = match.group(1), match.group(2)
        if _joins_a_compound(context.get(slot, "")):
            return match.group(0)
        return f"{noun} rund um {{{slot}}}"

    return _COMPOUND_SLOT.sub(rewrite, text)


# "{area} setups" in an English line: the area names what the noun is for.
_ENGLISH_HEAD_NOUN = re.compile(
    r"\{(area2?)\}(?= (?:setups?|projects?|decisions?|tools?|toolkit|reviews?|problems?|"
    r"teams?|myths?|mistakes?|checklist|advice|stack|rework|playbook|migration|metric|"
    r"improvements|consultant)\b)"
)


def attributive_areas(text: str, context: dict[str, str]) -> tuple[str, dict[str, str]]:
    """An English line whose area stands before a noun, with the area as a modifier: "in most
    security audit setups", not "security audits setups". The slot is renamed, not filled, so
    the values are still inserted in one pass."""
    if not _ENGLISH_HEAD_NOUN.search(text):
        return text, context
    modifiers = {
        f"{slot}_modifier": attributive(context.get(slot, "")) for slot in ("area", "area2")
    }
    return _ENGLISH_HEAD_NOUN.sub(lambda m: f"{{{m.group(1)}_modifier}}", text), {
        **context,
        **modifiers,
    }
