"""The template library: loading and validating library/*.json, and the template markup.

Template text is plain text with three kinds of markup, all resolved here:

- `{slot}` is filled from the profile, the topic or the per-area vocabulary (see
  `apps.content.engine.vocabulary`);
- `{one|other|third}` is an inline choice, one option picked per post (options may hold slots
  and further choices, except in hooks);
- a body entry holding ` || ` offers whole alternative paragraphs, one picked per post;
- a line starting with `- ` is a list item; the renderer picks the marker (→, •, 1., —);
- a body entry starting with `^ ` follows the entry before it ("None of this is unusual." after
  a list of findings): it goes when that entry is cut or replaced by a gap, or it would point
  back at something the post no longer says.

Each library file also holds `depth`: paragraphs in the framework's voice that
`apps.content.engine.depth` adds to a draft that would otherwise be too short.
"""

import json
import random
import re
from functools import lru_cache
from pathlib import Path

from apps.content.engine.base import FRAMEWORKS, GOALS, LANGUAGES, LIBRARY_DIR, TemplateSpec
from apps.content.engine.grammar import attributive_areas, readable_compounds
from apps.content.engine.vocabulary import VOCABULARY_AREAS

# A template suits an area with vocabulary of its own, or "any".
SUIT_TAGS = frozenset({"any", *VOCABULARY_AREAS})

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
        "case_at",  # where the case study took place (", at a logistics SaaS"), or ""
        "switch_from",  # the tool a case study's switch left ("Jenkins"), see SWITCH_SLOTS
        "switch_to",  # the tool it moved to ("GitHub Actions")
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
        "mistake",  # a mistake teams make, from the area's lessons
        "own_mistake",  # the consultant's own mistake: never the vocabulary's, see truth.py
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
# The two tools of a switch the proof vault records: a template naming them tells how a client
# switched, and is written only from such a case study (`truth.tells_a_switch`).
SWITCH_SLOTS = frozenset({"switch_from", "switch_to"})

SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
CHOICE = re.compile(r"\{([^{}]*\|[^{}]*)\}")
_NESTED = re.compile(r"\{[^{}|]*\{")  # a brace opened inside a choice or slot
ALTERNATIVES = " || "
FOLLOWS = "^ "


def follows(entry: str) -> tuple[bool, str]:
    """Whether a body entry follows the one before it, and the entry without its mark."""
    if entry.startswith(FOLLOWS):
        return True, entry[len(FOLLOWS) :]
    return False, entry


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
            for index, line in enumerate(lines):
                problems.extend(f"{language}: {part}: {p}" for p in _line_problems(line))
                if not isinstance(line, str):
                    continue
                if (part != "body" or index == 0) and line.startswith(FOLLOWS):
                    problems.append(
                        f"{language}: {part}: {line[:60]!r} follows nothing: only a body "
                        "entry after another may start with '^ '"
                    )
                if ALTERNATIVES + FOLLOWS in line:
                    problems.append(
                        f"{language}: {part}: '^ ' marks a whole entry, not one alternative "
                        f"in {line[:60]!r}"
                    )
                if part == "hooks" and isinstance(line, str) and _NESTED.search(line):
                    problems.append(f"{language}: hooks: no nested choices in {line[:60]!r}")
    return problems


# The same spec objects come back on every call (the library is cached; a request's specs are
# reused across its drafts): looking them up by identity skips serialising all 48 per draft.
_PROBLEMS_BY_ID: dict[int, tuple[TemplateSpec, tuple[str, ...]]] = {}


def cached_problems(spec: TemplateSpec) -> tuple[str, ...]:
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


def resolve(text: str, rng: random.Random) -> str:
    """Pick one alternative paragraph and one option of every choice; slots stay (and a body
    entry's `^ ` mark goes: the renderer reads it with `follows` first)."""
    text = follows(text)[1]
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
    return fill(resolve(line, rng), context)


def fill(text: str, context: dict[str, str]) -> str:
    # One pass: values are inserted, never scanned again, so a profile holding "{x}" is safe.
    if context.get("_language") == "de":
        text = readable_compounds(text, context)
    elif context.get("_language") == "en":
        text, context = attributive_areas(text, context)
    return SLOT.sub(lambda m: context.get(m.group(1), ""), text)


def forget_library() -> None:
    """Drop the parsed library, so the next load reads the files again (after an edit)."""
    _library.cache_clear()
    _depth_library.cache_clear()
