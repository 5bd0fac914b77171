"""Which templates suit a profile (`template_ranking`, the seam for analytics) and hook
rotation, so a week of posts does not open the same way twice."""

import random
import re
from functools import lru_cache

from apps.content.engine.base import ProfileSnapshot, TemplateSpec
from apps.content.engine.library import slots_in
from apps.content.engine.vocabulary import profile_area_keys

# Frameworks a tone leans towards; a small nudge in the default ranking.
TONE_FRAMEWORKS = {
    "bold": frozenset({"contrarian", "myth-vs-reality", "mistake"}),
    "analytical": frozenset({"case-study", "tool-comparison", "architecture-decision"}),
    "friendly": frozenset({"story", "behind-the-scenes", "lesson-learned"}),
    "direct": frozenset({"how-to-list", "lesson-learned", "architecture-decision"}),
}
# An all-inquiry feed reads as a sales brochure; authority posts earn the inquiries.
GOAL_WEIGHTS = {"authority": 1.0, "engagement": 0.9, "inquiry": 0.85}


NUMERIC_SLOTS = frozenset({"years", "case_outcome", "count"})


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
def hook_pattern(hook: str) -> re.Pattern:
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


def normalise(text: str) -> str:
    return " ".join(text.split())


def _hook_used_at(hook: str, recent_hooks: tuple[str, ...]) -> int | None:
    """Index of the newest recent hook this hook line produced, or None if it never did."""
    pattern = hook_pattern(normalise(hook))
    for index, used in enumerate(recent_hooks):
        if pattern.fullmatch(normalise(used)):
            return index
    return None


def source_template(text: str, templates: list[TemplateSpec]) -> TemplateSpec | None:
    """The template whose hook opened `text`, if one did (for "generate similar")."""
    first = normalise(text.strip().split("\n\n")[0])
    for spec in templates:
        for language in ("en", *spec.translations):
            for hook in spec.parts(language)[0]:
                if hook_pattern(normalise(hook)).fullmatch(first):
                    return spec
    return None


def pick_hook(
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


def same_hook(a: str, b: str) -> bool:
    return normalise(a).lower() == normalise(b).lower()
