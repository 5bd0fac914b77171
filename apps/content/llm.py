"""The LLM backend: the only code that talks to a writing model.

`LLMClient` speaks the OpenAI-compatible chat-completions API over `requests`, so it works
with hosted providers and with local servers such as Ollama or vLLM. `LLM_API_BASE` is the
base URL that ends right before `/chat/completions`, e.g. `http://localhost:11434/v1` for
Ollama or `https://api.openai.com/v1`; the client appends `/chat/completions`.

`generate_with_llm` writes a post from the template the engine chose, and on any failure
(timeout, connection, HTTP error, malformed or unusable answer) falls back to the template
engine with a `fallback_reason` the user can read. The API key travels only in the
Authorization header; it is never logged and never part of an error message or a repr.
"""

import logging
import re

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from apps.content import engine, facts
from apps.content.engine import (
    FRAMEWORKS,
    MAX_HOOK_CHARS,
    MAX_POST_CHARS,
    GeneratedPost,
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
)

logger = logging.getLogger(__name__)

PROMPT_MAX_CHARS = 2800
MIN_POST_CHARS = 80
TEMPERATURE = 0.7


class LLMError(Exception):
    """The model gave no usable post. `reason` is a stable code, see FALLBACK_REASONS."""

    def __init__(self, reason: str, detail: str = "", *, status: int | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status


class LLMTimeout(LLMError):
    def __init__(self, detail: str = ""):
        super().__init__("timeout", detail)


class LLMUnavailable(LLMError):
    """Not configured, or the server could not be reached."""


class LLMBadAnswer(LLMError):
    """The server answered, but not with a usable post (HTTP error, malformed, empty...)."""


def fallback_reason(error: LLMError) -> str:
    """A short sentence for the user saying why the template engine wrote this draft."""
    reasons = {
        "not_configured": _(
            "No writing model is configured, so this draft was written from the template."
        ),
        "timeout": _(
            "The writing model did not answer in time, so this draft was written from the "
            "template instead."
        ),
        "connection": _(
            "The writing model could not be reached, so this draft was written from the "
            "template instead."
        ),
        "http_status": _(
            "The writing model answered with an error (HTTP %(status)s), so this draft was "
            "written from the template instead."
        )
        % {"status": error.status or "?"},
        "malformed": _(
            "The writing model sent an answer we could not read, so this draft was written "
            "from the template instead."
        ),
        "empty": _(
            "The writing model returned an empty draft, so this draft was written from the "
            "template instead."
        ),
        "too_long": _(
            "The writing model's draft was over LinkedIn's 3,000-character limit, so this "
            "draft was written from the template instead."
        ),
        "not_a_post": _(
            "The writing model's answer did not look like a post, so this draft was written "
            "from the template instead."
        ),
        "invented_figure": _(
            "The writing model's draft stated a number you never gave us (%(detail)s), so "
            "this draft was written from the template instead."
        )
        % {"detail": error.detail},
    }
    return reasons.get(
        error.reason,
        _("The writing model failed, so this draft was written from the template instead."),
    )


class LLMClient:
    """POST {api_base}/chat/completions; returns the first choice's message content."""

    def __init__(
        self,
        *,
        api_base: str,
        api_key: str = "",
        model: str = "",
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ):
        self.api_base = (api_base or "").rstrip("/")
        self._api_key = api_key or ""
        self.model = model or ""
        self.timeout = float(timeout)
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls) -> "LLMClient":
        return cls(
            api_base=getattr(settings, "LLM_API_BASE", ""),
            api_key=getattr(settings, "LLM_API_KEY", ""),
            model=getattr(settings, "LLM_MODEL", ""),
            timeout=getattr(settings, "LLM_TIMEOUT_SECONDS", 30.0),
        )

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"LLMClient(api_base={self.api_base!r}, model={self.model!r})"

    @property
    def url(self) -> str:
        return f"{self.api_base}/chat/completions"

    def chat(self, messages: list[dict], *, seed: int = 0, temperature: float = TEMPERATURE) -> str:
        if not self.api_base:
            raise LLMUnavailable("not_configured", "LLM_API_BASE is not set")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        payload = {
            "model": self.model,
            "messages": messages,
            "temperature": temperature,
            "seed": seed,
        }
        try:
            response = self.session.post(
                self.url, json=payload, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise LLMTimeout(f"no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            # The exception text names the URL only; the key is in a header, never printed.
            raise LLMUnavailable("connection", type(exc).__name__) from exc
        if response.status_code != 200:
            raise LLMBadAnswer(
                "http_status", f"HTTP {response.status_code}", status=response.status_code
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise LLMBadAnswer("malformed", "the body is not JSON") from exc
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMBadAnswer("malformed", "no choices[0].message.content") from exc
        if content is None:
            raise LLMBadAnswer("empty", "content is null")
        if not isinstance(content, str):
            raise LLMBadAnswer("malformed", "content is not text")
        return content


# --- Prompt ---------------------------------------------------------------------------------


NOT_GIVEN = "[not given]"


def build_messages(
    request: GenerationRequest,
    spec: TemplateSpec,
    topic: str,
    context: dict[str, str],
    *,
    lint_rules: str = "",
) -> list[dict]:
    """System and user messages: the template, the profile, the topic and the linter's rules."""
    profile = request.profile
    german = profile.language == "de"
    hooks, body, ctas = spec.parts(profile.language)
    rng = engine.seeded_rng("prompt", request.seed, spec.key)

    def show(line: str) -> str:
        # A slot the consultant gave no fact for is shown as such, never as an invented value.
        line = engine.render_line(line, context, rng).replace(engine.UNKNOWN_FACT, NOT_GIVEN)
        return line.replace("\n", "\n  ")

    system = "\n".join(
        [
            "You write LinkedIn posts for an independent technical consultant, in their voice: "
            "first person, concrete, specific numbers, short punchy sentences, plenty of white "
            "space. The audience is technical leaders and engineers.",
            "Output rules:",
            "- Output only the post, as plain text, exactly as it would be published.",
            "- No preamble (no 'Here is your post'), no explanations, no quotes around it.",
            "- No markdown: no headings, no bold or italics, no code fences. Simple list "
            "markers such as '→', '•' or '1.' are fine.",
            f"- Keep the whole post under {PROMPT_MAX_CHARS} characters.",
            "- Never invent a fact. Every number, client, team size, duration or result in "
            "the post must come from the consultant's proof vault or past posts below. Name a "
            "client only where the proof vault says it may be named.",
            "- Where the post needs an example or a result you were not given, leave a visible "
            "gap for the consultant instead, written exactly like "
            + ("'[Ihr Beispiel: kurzer Hinweis]'." if german else "'[your example: short hint]'."),
            "- The post is about the topic given below: name it, and do not switch to another.",
            f"- {NOT_GIVEN} in the template marks a fact the consultant did not give: leave "
            "that part out, or leave a gap.",
            "- Write in German and address readers with 'Sie'."
            if german
            else "- Write in English.",
        ]
    )
    lines = [
        f"Template: {spec.name} ({FRAMEWORKS.get(spec.framework, spec.framework)}), "
        f"goal: {spec.goal}.",
        "Hooks to choose from or adapt (the first line must stop the scroll):",
        *(f"- {show(h)}" for h in hooks),
        "Body structure to follow (one paragraph per item):",
        *(f"- {show(b)}" for b in body),
        "Closing lines to choose from or adapt:",
        *(f"- {show(c)}" for c in ctas),
        "",
        "About the consultant:",
        *_profile_lines(profile),
        "",
        f"Topic: {topic}",
    ]
    if request.recent_hooks:
        lines += ["", "Do not reuse these recent opening lines:"]
        lines += [f"- {' '.join(h.split())}" for h in request.recent_hooks[:5]]
    if request.similar_to:
        lines += [
            "",
            "Write a sibling of this earlier post: same topic and angle, entirely new "
            "wording and a different hook. Do not copy its sentences:",
            request.similar_to.strip()[:MAX_POST_CHARS],
        ]
    if lint_rules.strip():
        lines += ["", "The post must pass these checks:", lint_rules.strip()]
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n".join(lines)},
    ]


def _profile_lines(profile: ProfileSnapshot) -> list[str]:
    lines = [f"- Name: {profile.name}"] if profile.name else []
    if profile.headline:
        lines.append(f"- Headline: {profile.headline}")
    if profile.areas:
        lines.append(f"- Areas of expertise: {', '.join(profile.areas)}")
    if profile.years_experience:
        lines.append(f"- Years of experience: {profile.years_experience}")
    if profile.industries:
        lines.append(f"- Industries served: {', '.join(profile.industries)}")
    if profile.offers:
        lines.append(f"- Offers: {', '.join(profile.offers)}")
    points = engine.proof_points(profile)
    if points:
        lines.append("- Proof vault (the only client stories and results you may use):")
    else:
        lines.append("- Proof vault: empty. Tell no client story; leave a gap where one belongs.")
    for point in points:
        parts = [f"client: {point.client or 'not named'}"]
        if point.problem:
            parts.append(f"problem: {point.problem}")
        parts += [f"what was done: {point.title}", f"results: {point.outcome}"]
        lines.append("  - " + "; ".join(parts) + ".")
    lines.append(f"- Tone: {profile.tone or 'direct'}")
    style = profile.style
    if style is not None:
        lines.append("- Their style, learned from their past posts (follow it):")
        lines += [f"  - {line}" for line in style_lines(style)]
    return lines


def style_lines(style) -> list[str]:
    """The consultant's style (apps.content.voice.Style) as instructions for the model."""
    lines = [
        f"length: about {getattr(style, 'median_length', 0)} characters",
        f"sentences of about {getattr(style, 'mean_sentence_words', 0):g} words",
        f"emoji per post: {getattr(style, 'emoji_per_post', 0):g}",
        f"hashtags per post: {getattr(style, 'hashtags_per_post', 0):g}",
    ]
    tags = getattr(style, "typical_hashtags", ()) or ()
    if tags:
        lines.append("their hashtags: " + " ".join(tags))
    openers = getattr(style, "example_openers", ()) or ()
    if openers:
        lines.append("how they open (examples): " + " | ".join(openers))
    if getattr(style, "closes_with_question", 0) >= 0.5:
        lines.append("they usually end with a question")
    words = getattr(style, "favourite_words", ()) or ()
    if words:
        lines.append("words they use: " + ", ".join(words))
    return lines


# --- Answer --------------------------------------------------------------------------------

_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(.*?)\n?```\s*$", re.DOTALL)
_PREAMBLE = re.compile(
    r"^(?:sure|certainly|of course|okay|ok|here(?:'s| is| are)|below is|gerne|klar|hier ist)"
    r"\b[^\n]{0,120}:\s*\n",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|i can(?:no|')t|as an ai|i'?m unable|es tut mir leid)",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def clean_post(text: str) -> str:
    """The post without the wrapping models like to add: fences, preambles, markdown."""
    text = (text or "").replace("\r\n", "\n").strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    text = _PREAMBLE.sub("", text, count=1).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'“":
        text = text[1:-1].strip()
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def check_post(text: str) -> str:
    """The cleaned post, or LLMBadAnswer when it cannot be used as one."""
    text = clean_post(text)
    if not text:
        raise LLMBadAnswer("empty", "no text after cleaning")
    if len(text) > MAX_POST_CHARS:
        raise LLMBadAnswer("too_long", f"{len(text)} characters")
    if (
        len(text) < MIN_POST_CHARS
        or _REFUSAL.match(text)
        or engine.SLOT.search(text)
        or sum(c.isalpha() for c in text) < len(text) * 0.5
    ):
        raise LLMBadAnswer("not_a_post", f"{len(text)} characters")
    return text


def check_facts(text: str, profile: ProfileSnapshot, topic: str) -> None:
    """The model's draft goes through the engine's rule: no figure the consultant did not give
    (in the proof vault, profile, past posts or the topic itself)."""
    invented = facts.unsupported_figures(text, engine.post_figures(profile, topic))
    if invented:
        raise LLMBadAnswer("invented_figure", ", ".join(invented[:5]))


def hook_of(text: str) -> str:
    """The opening lines a reader sees first: the first paragraph, cut to the fold."""
    first = text.strip().split("\n\n")[0].strip()
    if len(first) <= MAX_HOOK_CHARS:
        return first
    cut = first[:MAX_HOOK_CHARS]
    return cut[: cut.rfind(" ")].rstrip() if " " in cut else cut


def generate_with_llm(
    request: GenerationRequest,
    templates: list[TemplateSpec],
    *,
    lint_rules: str = "",
    performance: dict[str, float] | None = None,
    client: LLMClient | None = None,
    earlier_texts: tuple[str, ...] | list[str] = (),
) -> GeneratedPost:
    """A post from the model, or from the engine (with `fallback_reason`) when that fails."""
    spec, topic, rng = engine.plan_post(request, templates, performance=performance)
    context = engine.build_context(request.profile, topic, spec, rng)
    client = client or LLMClient.from_settings()
    try:
        messages = build_messages(request, spec, topic, context, lint_rules=lint_rules)
        text = check_post(client.chat(messages, seed=request.seed))
        check_facts(text, request.profile, topic)
    except LLMError as error:
        logger.warning(
            "LLM generation fell back to the template engine: %s (%s, model %r)",
            error.reason,
            error.detail,
            client.model,
        )
        post = engine.write_post(
            request, templates, performance=performance, earlier_texts=earlier_texts
        )
        return GeneratedPost(
            text=post.text,
            hook=post.hook,
            template_key=post.template_key,
            framework=post.framework,
            topic=post.topic,
            backend="template",
            fallback_reason=fallback_reason(error),
        )
    return GeneratedPost(
        text=text,
        hook=hook_of(text),
        template_key=spec.key,
        framework=spec.framework,
        topic=topic,
        backend="llm",
    )
