"""Generation: the one interface over both backends.

Callers build a `GenerationRequest` from the member's expertise profile and get a
`GeneratedPost` back. The template engine (`apps.content.engine`) is the default and works
offline; the LLM backend (`llm.py`) is used when `LLM_API_BASE` is set, writes from the same
template the engine would have used, and falls back to the engine on any failure, saying why
in `fallback_reason`.
"""

import logging
from collections.abc import Callable, Sequence

from django.conf import settings

from apps.content import engine, llm, similarity
from apps.content.engine import (
    FRAMEWORKS,
    GeneratedPost,
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
    load_library,
    suggest_topics,
    template_problems,
    template_ranking,
)

__all__ = [
    "FRAMEWORKS",
    "GeneratedPost",
    "GenerationRequest",
    "ProfileSnapshot",
    "TemplateSpec",
    "generate_post",
    "load_library",
    "plan_week",
    "suggest_topics",
    "template_problems",
    "template_ranking",
]

logger = logging.getLogger(__name__)

BACKENDS = ("template", "llm")
ATTEMPTS = 6


def default_backend() -> str:
    return "llm" if getattr(settings, "LLM_API_BASE", "") else "template"


def generate_post(
    request: GenerationRequest,
    *,
    templates: list[TemplateSpec] | None = None,
    backend: str | None = None,
    lint_rules: str = "",
    performance: dict[str, float] | None = None,
    earlier_texts: tuple[str, ...] | list[str] = (),
) -> GeneratedPost:
    """One draft for the request. Never raises for a backend failure: the engine takes over.

    `performance` (template key → multiplier) feeds the ranking; `earlier_texts` (the
    workspace's newest posts, newest first) lets the engine avoid writing a near-copy of one.

    Raises ValueError only when there is nothing to write from (no usable templates) or the
    backend name is unknown.
    """
    templates = load_library() if templates is None else list(templates)
    backend = backend or default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"Unknown generation backend {backend!r}; use one of {BACKENDS}.")
    if backend == "llm":
        return llm.generate_with_llm(
            request,
            templates,
            lint_rules=lint_rules,
            performance=performance,
            earlier_texts=earlier_texts,
        )
    return engine.write_post(
        request, templates, performance=performance, earlier_texts=earlier_texts
    )


def plan_week(
    profile: ProfileSnapshot,
    *,
    count: int,
    seed: int,
    recent_template_keys: tuple[str, ...] = (),
    recent_hooks: tuple[str, ...] = (),
    templates: list[TemplateSpec] | None = None,
    backend: str | None = None,
    lint_rules: str = "",
    performance: dict[str, float] | None = None,
    written: Sequence[GeneratedPost] = (),
    on_draft: Callable[[int, GeneratedPost], None] | None = None,
) -> list[GeneratedPost]:
    """`count` drafts, no two alike, frameworks mixed, topics varied.

    Frameworks are planned first (as many distinct ones as `count` allows, never the same one
    twice in a row, the best-ranked for the profile first), then each draft is written with the
    keys and hooks of everything before it, and rewritten when it comes out too close to one.

    `written` are the first drafts of this week, already written by an earlier run: they are
    kept, not written again. `on_draft(index, draft)` is called as each new draft is chosen,
    so the caller can store it before the next one is asked for.
    """
    templates = load_library() if templates is None else list(templates)
    if count < 1:
        return []
    # The consultant's own mistake is theirs to tell, case study or not: a planned week is
    # drafts they can approve as written once the vault holds their stories.
    templates = [t for t in templates if not engine.tells_own_mistake(t)] or templates
    frameworks = _framework_plan(
        profile,
        templates,
        count=count,
        seed=seed,
        recent_keys=recent_template_keys,
        performance=performance,
    )
    topics = suggest_topics(profile, count=max(count, 8), seed=seed)
    points = engine.proof_points(profile)
    # The areas the proof vault can tell a story in (none to steer by when one fits any).
    areas = [engine.proof_point_keys(p) for p in points]
    story_keys = frozenset().union(*areas) if areas and all(areas) else frozenset()
    keys = list(recent_template_keys)
    hooks = list(recent_hooks)
    drafts: list[GeneratedPost] = []
    for index, framework in enumerate(frameworks):
        if index < len(written):
            drafts.append(written[index])
            continue
        best = None
        # The week's drafts so far, compared with each candidate by the one similarity measure.
        week = similarity.SimilarityIndex([d.text for d in drafts])
        for attempt in range(ATTEMPTS):
            topic = topics[(index + attempt * 3) % len(topics)] if topics else None
            used_topics = {d.topic.lower() for d in drafts}
            if topic and topic.lower() in used_topics and attempt < ATTEMPTS - 1:
                topic = next((t for t in topics if t.lower() not in used_topics), topic)
            if framework in engine.STORY_FRAMEWORKS and story_keys:
                # A story is told from a proof point, so it gets a topic one of them is on.
                told = [t for t in topics if engine.area_key(t) in story_keys]
                fresh = [t for t in told if t.lower() not in used_topics]
                topic = (fresh or told or [topic])[attempt % len(fresh or told or [topic])]
            request = GenerationRequest(
                profile=profile,
                topic=topic,
                framework=framework,
                seed=seed * 1009 + index * 31 + attempt,
                recent_template_keys=tuple(reversed([d.template_key for d in drafts]))
                + tuple(keys),
                recent_hooks=tuple(reversed([d.hook for d in drafts])) + tuple(hooks),
            )
            if attempt == 0:
                post = generate_post(
                    request,
                    templates=templates,
                    backend=backend,
                    lint_rules=lint_rules,
                    performance=performance,
                )
            else:  # a retry is a rewrite from the engine; no second trip to the model
                post = engine.write_post(request, templates, performance=performance)
            _closest, clash = week.most_similar(post.text)
            repeated = post.template_key in {d.template_key for d in drafts} or any(
                engine.same_hook(post.hook, d.hook) for d in drafts
            )
            score = clash + (1.0 if repeated else 0.0)
            if best is None or score < best[0]:
                best = (score, post)
            if score < similarity.NEAR_DUPLICATE:
                break
        drafts.append(best[1])
        if on_draft is not None:
            on_draft(index, best[1])
    return drafts


def _framework_plan(
    profile: ProfileSnapshot,
    templates: list[TemplateSpec],
    *,
    count: int,
    seed: int,
    recent_keys: tuple[str, ...],
    performance: dict[str, float] | None,
) -> list[str]:
    ranked = template_ranking(templates, profile=profile, performance=performance)
    best_by_framework: dict[str, float] = {}
    for spec, score in ranked:
        best_by_framework.setdefault(spec.framework, score)
    rng = engine.seeded_rng("week", seed, profile.name, tuple(profile.areas))
    # Best-ranked frameworks first, shuffled a little so two weeks don't open the same way.
    order = sorted(best_by_framework, key=lambda f: -(best_by_framework[f] + rng.random() * 0.1))
    by_key = {t.key: t for t in templates}
    last = next((by_key[k].framework for k in recent_keys[:1] if k in by_key), None)
    plan: list[str] = []
    while len(plan) < count and order:
        unused = [f for f in order if f not in plan and f != last]
        candidates = unused or [f for f in order if f != last] or order
        choice = candidates[0] if unused else rng.choice(candidates)
        plan.append(choice)
        last = choice
    return plan
