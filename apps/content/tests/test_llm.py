"""The LLM backend against a local fake server: a good answer is used, any failure falls back."""

import logging

import pytest

from apps.content import llm
from apps.content.generation import (
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)
from apps.content.tests.fake_llm import FakeLLM

PROFILE = ProfileSnapshot(
    name="Dana Demo",
    headline="Fractional CTO for B2B SaaS scale-ups",
    areas=["Kubernetes", "AWS cost control"],
    years_experience=17,
    industries=["fintech"],
    offers=["fractional CTO"],
    case_studies=[
        {
            "title": "Moved a payments platform from VMs to Kubernetes",
            "outcome": "cut cloud spend 38% in 4 months with zero downtime",
        }
    ],
    tone="direct",
    language="en",
)
GOOD_POST = (
    "We cut a client's cloud bill by 38% in four months.\n\n"
    # Every figure is the proof vault's: an answer inventing one is not used (see below).
    "No new tools. A few decisions, written down, each with an owner.\n\n"
    "The first one was the hardest: stop buying capacity before measuring it.\n\n"
    "What would your first decision be?"
)
LINT_RULES = "- Keep the hook under 210 characters.\n- At most 3 hashtags, on the last line."


@pytest.fixture
def fake_llm(settings):
    fake = FakeLLM().start()
    settings.LLM_API_BASE = fake.base_url
    settings.LLM_API_KEY = ""
    settings.LLM_MODEL = "test-model"
    settings.LLM_TIMEOUT_SECONDS = 5
    fake.content = GOOD_POST
    yield fake
    fake.stop()


def generate(**request):
    return generate_post(
        GenerationRequest(profile=PROFILE, seed=3, **request), lint_rules=LINT_RULES
    )


def test_a_good_answer_is_used_as_the_post(fake_llm):
    post = generate(topic="AWS cost control")

    assert post.backend == "llm"
    assert post.text == GOOD_POST
    assert post.hook == "We cut a client's cloud bill by 38% in four months."
    assert post.fallback_reason == ""
    assert post.topic == "AWS cost control"
    assert post.template_key in {t.key for t in load_library()}


def test_the_backend_is_the_llm_only_when_a_base_url_is_set(fake_llm, settings):
    assert generate().backend == "llm"
    settings.LLM_API_BASE = ""

    assert generate().backend == "template"
    assert len(fake_llm.requests) == 1


def test_the_request_carries_model_messages_template_profile_and_lint_rules(fake_llm):
    post = generate(topic="AWS cost control", framework="case-study")

    request = fake_llm.last_request
    assert request["path"] == "/v1/chat/completions"
    body = request["json"]
    assert body["model"] == "test-model"
    assert body["temperature"] == 0.7
    assert body["seed"] == 3
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = body["messages"][1]["content"]
    template = next(t for t in load_library() if t.key == post.template_key)
    assert template.name in prompt
    assert "Dana Demo" in prompt
    assert "Fractional CTO for B2B SaaS scale-ups" in prompt
    assert "cut cloud spend 38% in 4 months" in prompt
    assert "Topic: AWS cost control" in prompt
    assert LINT_RULES in prompt
    assert "plain text" in body["messages"][0]["content"]


def test_there_is_no_authorization_header_without_a_key(fake_llm):
    generate()

    assert "Authorization" not in fake_llm.last_request["headers"]


def test_the_key_is_sent_as_a_bearer_token_and_never_logged(fake_llm, settings, caplog):
    settings.LLM_API_KEY = "sk-test-secret-123"
    generate()
    fake_llm.behaviour = "error"

    with caplog.at_level(logging.DEBUG):
        post = generate()

    assert fake_llm.requests[0]["headers"]["Authorization"] == "Bearer sk-test-secret-123"
    assert post.backend == "template"
    assert "sk-test-secret-123" not in caplog.text
    assert "sk-test-secret-123" not in repr(llm.LLMClient.from_settings())


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("error", "answered with an error (HTTP 500)"),
        ("malformed", "could not read"),
        ("no_choices", "could not read"),
        ("empty", "returned an empty draft"),
        ("too_long", "over LinkedIn's 3,000-character limit"),
    ],
)
def test_a_failed_answer_falls_back_to_the_template_engine(fake_llm, behaviour, reason):
    fake_llm.behaviour = behaviour

    post = generate()

    assert post.backend == "template"
    assert reason in post.fallback_reason
    assert post.fallback_reason.endswith("written from the template instead.")
    assert post.text
    assert "{" not in post.text
    assert len(fake_llm.requests) == 1


def test_a_timeout_falls_back_to_the_template_engine_quickly(fake_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.5
    fake_llm.behaviour = "slow"
    fake_llm.delay_seconds = 2

    post = generate()

    assert post.backend == "template"
    assert post.fallback_reason == (
        "The writing model did not answer in time, so this draft was written from the "
        "template instead."
    )


def test_an_unreachable_server_falls_back_to_the_template_engine(settings):
    settings.LLM_API_BASE = "http://127.0.0.1:9/v1"  # the discard port: nothing listens

    post = generate()

    assert post.backend == "template"
    assert "could not be reached" in post.fallback_reason


def test_the_fallback_is_the_draft_the_template_engine_would_have_written(fake_llm):
    fake_llm.behaviour = "error"

    fallback = generate(topic="AWS cost control")
    engine_post = generate_post(
        GenerationRequest(profile=PROFILE, seed=3, topic="AWS cost control"), backend="template"
    )

    assert fallback.text == engine_post.text
    assert fallback.template_key == engine_post.template_key


def test_fences_preambles_and_markdown_are_stripped_from_the_answer(fake_llm):
    bold = GOOD_POST.replace("A few decisions", "**A few decisions**")
    fake_llm.content = f"Here is your LinkedIn post:\n\n```\n## The bill\n{bold}\n```"

    post = generate()

    assert post.backend == "llm"
    assert post.text == f"The bill\n{GOOD_POST}"


@pytest.mark.parametrize(
    "answer",
    [
        "I'm sorry, but I can't help with that request today, it is against my guidelines ok.",
        "Too short.",
        "A post that still has a {topic} slot in it, which means the model echoed the template.",
    ],
)
def test_an_answer_that_is_not_a_post_falls_back(fake_llm, answer):
    fake_llm.content = answer

    post = generate()

    assert post.backend == "template"
    assert "did not look like a post" in post.fallback_reason


def test_a_similar_request_sends_the_original_post_to_the_model(fake_llm):
    generate(similar_to=GOOD_POST)

    prompt = fake_llm.last_request["json"]["messages"][1]["content"]
    assert "sibling" in prompt
    assert "A few decisions, written down" in prompt


def test_a_german_profile_asks_for_german_with_sie(fake_llm):
    german = ProfileSnapshot(**{**PROFILE.__dict__, "language": "de"})

    generate_post(GenerationRequest(profile=german, seed=1))

    assert "Write in German" in fake_llm.last_request["json"]["messages"][0]["content"]


def test_an_answer_inventing_a_figure_falls_back_and_says_which(fake_llm):
    fake_llm.content = GOOD_POST.replace("A few decisions", "Seven decisions, 12 engineers,")

    post = generate(topic="AWS cost control")

    assert post.backend == "template"
    assert "a number you never gave us (7, 12)" in post.fallback_reason


def test_the_prompt_carries_the_proof_vault_the_style_and_the_rule_against_inventing(fake_llm):
    from apps.content.voice import style_from_texts

    past = (
        "Why do platform teams fail?\n\nBecause nobody owns the paved road. #PlatformEngineering",
        "Is your cluster too big?\n\nMine was, for 2 years. #Kubernetes",
    )
    profile = ProfileSnapshot(**{**PROFILE.__dict__, "past_posts": past})
    profile = ProfileSnapshot(**{**profile.__dict__, "style": style_from_texts(past)})

    generate_post(GenerationRequest(profile=profile, seed=1, topic="AWS cost control"))

    system, prompt = (m["content"] for m in fake_llm.last_request["json"]["messages"])
    assert "Never invent a fact" in system
    assert "[your example: short hint]" in system
    assert "results: cut cloud spend 38% in 4 months with zero downtime" in prompt
    assert "Their style, learned from their past posts" in prompt
    assert "#Kubernetes" in prompt


def test_a_fact_the_consultant_did_not_give_is_shown_to_the_model_as_not_given(fake_llm):
    generate(topic="AWS cost control", framework="story")

    system, prompt = (m["content"] for m in fake_llm.last_request["json"]["messages"])
    assert "\x02" not in prompt
    assert "[not given]" in prompt  # e.g. the team size no proof point records
    assert "[not given] in the template marks a fact" in system
