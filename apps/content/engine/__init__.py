"""The built-in template engine: posts from the library, offline, deterministic for a seed.

The public interface for the app is `apps.content.generation`; this package holds what it
(and the LLM backend, `apps.content.llm`) call, split by concern:

- `base`: the data types (profile, template, request, post) and the fixed lists;
- `library`: loading and validating the template library (library/*.json) and the template
  markup: `{slot}`, `{one|other}` choices, ` || ` alternative paragraphs, `- ` list items;
- `vocabulary`: the per-area data files (library/vocabulary/*.json) and matching a text to
  an area, a topic to its words and tools;
- `truth`: the proof vault as the engine may tell it and what a sentence may state;
- `ranking`: which templates suit a profile, and hook rotation;
- `planning`: choosing the template and topic of one post (plan-my-week's drafts and the
  LLM's prompt both start here), and topic suggestions;
- `phrases`: the engine's own lines (topic lines, bridges, gaps, background and takeaway);
- `grammar`: articles, capitals, list markers;
- `rendering`: filling a template into a post that states only true facts;
- `depth`: paragraphs that bring a short draft to the length readers finish;
- `notices`: what a draft could not be written from, told on the draft;
- `writing`: one post end to end, rewritten when it is a near-copy of a recent post
  (the similarity measure is `apps.content.similarity`, shared with plan-my-week and the
  checker).

Randomness comes only from `random.Random` seeded by a hash of the request, so the same request
always gives the same text, in any process.
"""

from apps.content.engine.base import (
    FRAMEWORKS,
    GOALS,
    LANGUAGES,
    LIBRARY_DIR,
    MAX_HOOK_CHARS,
    MAX_POST_CHARS,
    GeneratedPost,
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
    seeded_rng,
)
from apps.content.engine.depth import depth_paragraphs
from apps.content.engine.library import (
    KNOWN_SLOTS,
    SLOT,
    forget_library,
    framework_depth,
    load_library,
    render_line,
    slots_in,
    template_problems,
)
from apps.content.engine.notices import draft_notices, topic_is_known
from apps.content.engine.planning import choose_topic, plan_post, suggest_topics
from apps.content.engine.ranking import hook_pattern, same_hook, template_ranking
from apps.content.engine.rendering import build_context, names_topic, render_post
from apps.content.engine.truth import (
    STORY_FRAMEWORKS,
    UNKNOWN_FACT,
    ProofPoint,
    from_vault,
    post_figures,
    proof_point_fits,
    proof_point_keys,
    proof_points,
    tells_own_mistake,
    vault_texts,
)
from apps.content.engine.vocabulary import (
    AREAS,
    GENERAL,
    VOCABULARY_AREAS,
    VOCABULARY_DIR,
    area_key,
    hashtag_keys,
    load_vocabulary,
    topic_tools,
)
from apps.content.engine.writing import write_post

__all__ = [
    "AREAS",
    "FRAMEWORKS",
    "GENERAL",
    "GOALS",
    "KNOWN_SLOTS",
    "LANGUAGES",
    "LIBRARY_DIR",
    "MAX_HOOK_CHARS",
    "MAX_POST_CHARS",
    "SLOT",
    "STORY_FRAMEWORKS",
    "UNKNOWN_FACT",
    "VOCABULARY_AREAS",
    "VOCABULARY_DIR",
    "GeneratedPost",
    "GenerationRequest",
    "ProfileSnapshot",
    "ProofPoint",
    "TemplateSpec",
    "area_key",
    "build_context",
    "choose_topic",
    "depth_paragraphs",
    "draft_notices",
    "forget_library",
    "framework_depth",
    "from_vault",
    "hashtag_keys",
    "hook_pattern",
    "load_library",
    "load_vocabulary",
    "names_topic",
    "plan_post",
    "post_figures",
    "proof_point_fits",
    "proof_point_keys",
    "proof_points",
    "render_line",
    "render_post",
    "same_hook",
    "seeded_rng",
    "slots_in",
    "suggest_topics",
    "tells_own_mistake",
    "template_problems",
    "template_ranking",
    "topic_is_known",
    "topic_tools",
    "vault_texts",
    "write_post",
]
