"""Grammar the filled templates need: "an" before a vowel, capitals at sentence starts,
list markers."""

import re


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


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


def _capitalise(line: str) -> str:
    match = re.match(r"^((?:[→•—✓\-]|\d+\.)?\s*[\"“(]?)([a-zäöü])(\S*)", line)
    if not match or any(c.isupper() for c in match.group(3)):
        return line  # "iOS", "eBPF" stay as they are
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
