"""The engine's data types and fixed lists, shared by every part of it."""

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"
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


def seeded_rng(*parts: object) -> random.Random:
    """A private generator seeded from the parts; stable across processes (unlike hash())."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - not for secrets
