"""The proof vault: the consultant's case studies, the only stories and results a post may
tell. Stored on `ExpertiseProfile.case_studies` as a list of entries with these keys:

- `client_type`: "Series B fintech", "a logistics scale-up";
- `problem`: what hurt before;
- `action`: what the consultant did;
- `results`: what changed, with numbers ("cut compute spend 38% in 4 months");
- `may_name`: whether the client may be named in public;
- `client_name`: the client's name (used only when `may_name`);
- `problem_de`, `action_de`, `results_de`: optional German wording of problem, action and
  results, which German drafts tell instead of quoting the English notes.

Profiles saved before the vault held `{title, outcome}` pairs; migration 0002 turned each into
an entry (title → action, outcome → results), and `entry_from` still reads both shapes.
"""

from __future__ import annotations

# The German wording of a story's parts, each beside the field it translates.
GERMAN_FIELDS = {"problem": "problem_de", "action": "action_de", "results": "results_de"}
FIELDS = (
    "client_type",
    "problem",
    "action",
    "results",
    "may_name",
    "client_name",
    *GERMAN_FIELDS.values(),
)
TEXT_FIELDS = ("client_type", "problem", "action", "results", "client_name")


def entry_from(raw: object) -> dict | None:
    """One vault entry in the current shape, or None for something that is not one."""
    if not isinstance(raw, dict):
        return None
    entry = {name: str(raw.get(name) or "").strip() for name in TEXT_FIELDS}
    entry["action"] = entry["action"] or str(raw.get("title") or "").strip()
    entry["results"] = entry["results"] or str(raw.get("outcome") or "").strip()
    entry["may_name"] = bool(raw.get("may_name")) and bool(entry["client_name"])
    if not any(entry[name] for name in TEXT_FIELDS):
        return None
    for german in GERMAN_FIELDS.values():
        # Kept only when given, so a vault without German wording stays as it was stored.
        wording = str(raw.get(german) or "").strip()
        if wording:
            entry[german] = wording
    return entry


def in_language(entry: dict, language: str) -> dict:
    """The entry as a draft in `language` tells it: a German draft takes the German wording of
    problem, action and results where the consultant gave one, the English notes elsewhere."""
    if language != "de":
        return entry
    return entry | {
        name: entry.get(german) or entry[name] for name, german in GERMAN_FIELDS.items()
    }


def entries(value: object) -> list[dict]:
    """Every entry of a stored vault, in the current shape."""
    if not isinstance(value, list):
        return []
    return [entry for entry in (entry_from(raw) for raw in value) if entry]


def public_client(entry: dict) -> str:
    """How a post may refer to the client: its name when allowed, else its type."""
    if entry.get("may_name") and entry.get("client_name"):
        return entry["client_name"]
    return entry.get("client_type", "")
