"""One post end to end (`write_post`): planned, rendered, and written again when it is a
near-copy of the workspace's recent posts (by `apps.content.similarity`)."""

from apps.content.engine.base import GeneratedPost, GenerationRequest, TemplateSpec
from apps.content.engine.planning import plan_post
from apps.content.engine.rendering import render_post
from apps.content.similarity import NEAR_DUPLICATE, SimilarityIndex

SIMILAR_ATTEMPTS = 6
EARLIER_TEXTS = 200  # how many of the workspace's newest posts a new draft is compared with


def write_post(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    earlier_texts: tuple[str, ...] | list[str] = (),
) -> GeneratedPost:
    """The template engine's whole job: choose, fill and write one post.

    With `request.similar_to` ("generate similar") or `earlier_texts` (the workspace's recent
    posts, newest first), it writes up to a few versions and keeps the first that is not a
    near-copy of any of them, or else the least similar one.
    """
    others = [t for t in (request.similar_to, *list(earlier_texts)[:EARLIER_TEXTS]) if t]
    if not others:
        return _write_once(request, templates, performance=performance)
    index = SimilarityIndex(others)
    best = None
    for attempt in range(SIMILAR_ATTEMPTS):
        post = _write_once(request, templates, performance=performance, attempt=attempt)
        _closest, similarity = index.most_similar(post.text)
        if best is None or similarity < best[0]:
            best = (similarity, post)
        if similarity < NEAR_DUPLICATE:
            break
    return best[1]


def _write_once(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    performance: dict[str, float] | None = None,
    attempt: int = 0,
) -> GeneratedPost:
    spec, topic, rng = plan_post(request, templates, performance=performance, attempt=attempt)
    recent_hooks = request.recent_hooks
    if request.similar_to:
        recent_hooks = (request.similar_to.strip().split("\n\n")[0], *recent_hooks)
    text, hook = render_post(spec, request.profile, topic, rng, recent_hooks=recent_hooks)
    return GeneratedPost(
        text=text,
        hook=hook,
        template_key=spec.key,
        framework=spec.framework,
        topic=topic,
        backend="template",
    )
