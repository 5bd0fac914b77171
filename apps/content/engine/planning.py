"""Planning one post: its template and topic (`plan_post`, where both backends start), and
topic suggestions for a profile."""

import random

from apps.content.engine.base import (
    LANGUAGES,
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
    seeded_rng,
)
from apps.content.engine.grammar import ARTICLE_AN, attributive
from apps.content.engine.library import CASE_SLOTS, cached_problems, slots_in
from apps.content.engine.ranking import source_template, template_ranking
from apps.content.engine.truth import (
    STORY_FRAMEWORKS,
    case_studies,
    switch_points,
    tells_a_switch,
    tells_own_mistake,
)
from apps.content.engine.vocabulary import (
    area_key,
    fits_comparison,
    industry_name,
    lexicon_for,
    profile_area_keys,
    topic_comparison_kind,
)


def suggest_topics(profile: ProfileSnapshot, *, count: int = 8, seed: int = 0) -> list[str]:
    """Topics the profile can write about with authority, mixed across its areas."""
    language = profile.language if profile.language in LANGUAGES else "en"
    rng = seeded_rng("topics", seed, profile.name, tuple(profile.areas), language)
    keys = profile_area_keys(profile) or [None]
    columns = []
    for key in keys:
        topics = list(lexicon_for(key, language).topics)
        rng.shuffle(topics)
        columns.append(topics)
    areas = [a.strip() for a in profile.areas if a and a.strip()]
    industries = [i.strip() for i in profile.industries if i and i.strip()]
    offers = [o.strip() for o in profile.offers if o and o.strip()]
    extra = []
    for area in areas:
        if industries:
            industry = rng.choice(industries)
            extra.append(
                f"{area} in {industry}"
                if language == "en"
                else f"{area} im Bereich {industry_name(industry, language)}"
            )
    for offer in offers[:2]:
        extra.append(
            # "an architecture review", as the post itself will spell it: the stored label
            # is the text the post names
            ARTICLE_AN.sub(
                lambda m: f"{m.group(1)}n {m.group(2)}",
                f"what a {attributive(offer)} engagement really involves",
            )
            if language == "en"
            else f"{offer}: wie ich arbeite"
        )
    # What the consultant keeps writing about in their own past posts (voice.Style).
    topic_ideas = getattr(profile.style, "topic_ideas", None)
    if topic_ideas is not None:
        extra += topic_ideas(3)
    rng.shuffle(extra)
    columns.append(extra)
    result: list[str] = []
    seen = set()
    for row in range(max(len(c) for c in columns)):
        for column in columns:
            if row < len(column) and column[row].lower() not in seen:
                seen.add(column[row].lower())
                result.append(column[row])
    return result[:count]


def _needs_case_study(spec: TemplateSpec, language: str) -> bool:
    hooks, body, ctas = spec.parts(language)
    return (
        any(slots_in(line) & CASE_SLOTS for line in body)
        or all(slots_in(h) & CASE_SLOTS for h in hooks)
        or all(slots_in(c) & CASE_SLOTS for c in ctas)
    )


def choose_template(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    rng: random.Random,
    *,
    topic_key: str | None = None,
    performance: dict[str, float] | None = None,
    avoid_keys: frozenset[str] = frozenset(),
) -> TemplateSpec:
    """Rotation over the ranking: skip recently used templates, favour well-ranked ones."""
    profile = request.profile
    language = profile.language if profile.language in LANGUAGES else "en"
    usable = [t for t in templates if not cached_problems(t)] or list(templates)
    if not usable:
        raise ValueError("There are no templates to write from.")
    if not switch_points(profile, request.topic):
        # "Why a client switched" is the consultant's own switch or nothing: without a case
        # study recording one (on the topic asked for), the framework's other templates write.
        usable = [t for t in usable if not tells_a_switch(t)] or usable
    pool = [t for t in usable if t.framework == request.framework] if request.framework else []
    pool = pool or usable
    if language != "en":
        pool = [t for t in pool if t.speaks(language)] or pool
    if not case_studies(profile):
        pool = [t for t in pool if not _needs_case_study(t, language)] or pool
        if not request.framework:
            # Nobody asked for a story and the vault has none to tell: a draft that can be
            # approved as written beats one that waits for the consultant's example.
            pool = [t for t in pool if t.framework not in STORY_FRAMEWORKS] or pool
    if not request.framework:
        # The consultant's own mistake is theirs to tell, case study or not: a post nobody
        # asked a framework for is one that can be approved as written.
        pool = [t for t in pool if not tells_own_mistake(t)] or pool
    pool = [t for t in pool if t.key not in avoid_keys] or pool
    kind = topic_comparison_kind(request.topic or "")
    if kind not in (None, "tool"):
        # "Why a client switched" has no hook that fits SOC 2 vs ISO 27001.
        pool = [
            t for t in pool if any(fits_comparison(h, kind) for h in t.parts(language)[0])
        ] or pool

    by_key = {t.key: t for t in templates}
    recent = [k for k in request.recent_template_keys if k]
    recent_frameworks = [by_key[k].framework for k in recent[:3] if k in by_key]
    ranked = template_ranking(pool, profile=profile, performance=performance)
    scored = []
    for spec, score in ranked:
        if topic_key and topic_key in spec.suits:
            score *= 1.3
        if not request.framework and recent_frameworks:
            if spec.framework == recent_frameworks[0]:
                score *= 0.2
            elif spec.framework in recent_frameworks:
                score *= 0.6
        scored.append((spec, score))

    window = max(1, len(pool) // 2)
    avoid = set(recent[:window])
    fresh = [(t, s) for t, s in scored if t.key not in avoid]
    if not fresh:  # everything was used lately: take the longest unused
        last_used = {k: i for i, k in reversed(list(enumerate(recent)))}
        fresh = sorted(scored, key=lambda p: -last_used.get(p[0].key, len(recent)))[:3]
    fresh.sort(key=lambda p: (-p[1], p[0].key))
    # Wide enough that a profile sees the whole library over time, weighted by the ranking.
    top = fresh
    weights = [max(score, 0.001) ** 3 for _, score in top]
    return rng.choices([t for t, _ in top], weights=weights)[0]


def choose_topic(request: GenerationRequest, spec: TemplateSpec, rng: random.Random) -> str:
    if request.topic and request.topic.strip():
        return " ".join(request.topic.split())
    topics = suggest_topics(request.profile, count=12, seed=request.seed)
    suited = [t for t in topics if area_key(t) in spec.suits]
    if tells_a_switch(spec):
        # A switch is told on a topic its case study is on.
        suited = [t for t in suited or topics if switch_points(request.profile, t)] or suited
    return rng.choice(suited or topics)


def plan_post(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    attempt: int = 0,
) -> tuple[TemplateSpec, str, random.Random]:
    """The template and topic for a request, and the generator to render with.

    Both backends start here, so the LLM writes from the same template the engine would use.
    For "generate similar", the template that wrote the original is skipped in favour of a
    sibling in the same framework.
    """
    profile = request.profile
    rng = seeded_rng(
        "post",
        request.seed,
        attempt,
        request.topic,
        request.framework,
        request.recent_template_keys,
        request.recent_hooks,
        request.similar_to,
        profile.name,
        tuple(profile.areas),
        profile.language,
        profile.tone,
    )
    avoid: frozenset[str] = frozenset()
    if request.similar_to:
        source = source_template(request.similar_to, templates)
        if source:
            avoid = frozenset({source.key})
            if not request.framework:
                request = GenerationRequest(**{**request.__dict__, "framework": source.framework})
    topic_key = area_key(request.topic or "")
    spec = choose_template(
        request, templates, rng, topic_key=topic_key, performance=performance, avoid_keys=avoid
    )
    topic = choose_topic(request, spec, rng)
    if tells_a_switch(spec) and not switch_points(profile, topic):
        # The topic chosen for it has no switch of theirs: another template writes on it.
        request = GenerationRequest(**{**request.__dict__, "topic": topic})
        spec = choose_template(
            request,
            templates,
            rng,
            topic_key=area_key(topic),
            performance=performance,
            avoid_keys=avoid,
        )
    return spec, topic, rng
