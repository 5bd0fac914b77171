"""An optional second opinion from a language model, for the comments the classifier is unsure
about, and only where `LLM_API_BASE` is set.

Only the "borderline" and "disagree" abstentions are asked (short or unfamiliar text stays an
abstention: a model cannot read more into "Like" than the classifier did), at most
`MAX_QUESTIONS` a batch, each with a short timeout, through the one LLM client the product has
(`apps.content.llm.LLMClient`). Any failure (not configured, timeout, HTTP error, an answer that
is neither yes nor no) keeps the classifier's own verdict. Called before any database
transaction opens: no network call inside one.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from django.conf import settings

from apps.leads.classifier import LEAD_INTENTS, Prediction

logger = logging.getLogger(__name__)

ASKED = ("borderline", "disagree")
MAX_QUESTIONS = 20
TIMEOUT_SECONDS = 5.0
PROMPT = (
    "You read one comment left under a technology consultant's LinkedIn post. Answer LEAD if "
    "the commenter might want to hire, buy from or talk business with the author (asks for "
    "help, a call, a price, availability, describes a problem they need solved, or introduces "
    "someone who does). Answer NOT otherwise (praise, opinions, technical questions, spam). "
    "Answer with the single word LEAD or NOT."
)


def enabled() -> bool:
    return bool(getattr(settings, "LLM_API_BASE", ""))


def ask(text: str, *, client=None) -> bool | None:
    """True (a lead), False (not a lead) or None (no usable answer)."""
    from apps.content.llm import LLMClient, LLMError

    if client is None:
        client = LLMClient.from_settings()
        client.timeout = min(client.timeout, TIMEOUT_SECONDS)
    try:
        answer = client.chat(
            [{"role": "system", "content": PROMPT}, {"role": "user", "content": text[:2000]}],
            temperature=0.0,
        )
    except LLMError as exc:
        logger.info("lead second opinion unavailable: %s", exc.reason)
        return None
    word = answer.strip().strip(".!\"'").upper()
    if word.startswith("LEAD"):
        return True
    if word.startswith("NOT"):
        return False
    return None


def review(texts: Sequence[str], predictions: Sequence[Prediction]) -> list[Prediction]:
    """The predictions, with the unsure band decided by the language model where it answered."""
    if not enabled():
        return list(predictions)
    from apps.content.llm import LLMClient

    client = LLMClient.from_settings()
    client.timeout = min(client.timeout, TIMEOUT_SECONDS)
    reviewed, asked = [], 0
    for text, prediction in zip(texts, predictions, strict=True):
        if prediction.unsure in ASKED and asked < MAX_QUESTIONS:
            asked += 1
            verdict = ask(text, client=client)
            if verdict is not None:
                prediction = decided(prediction, is_lead=verdict)
        reviewed.append(prediction)
    return reviewed


def decided(prediction: Prediction, *, is_lead: bool) -> Prediction:
    """The prediction with the second opinion's verdict; the probabilities stay the model's."""
    side = [i for i in prediction.probabilities if (i in LEAD_INTENTS) == is_lead]
    intent = prediction.intent
    if side and (intent in LEAD_INTENTS) != is_lead:
        intent = max(side, key=prediction.probabilities.get)
    return dataclasses.replace(
        prediction,
        intent=intent,
        intent_probability=prediction.probabilities.get(intent, prediction.intent_probability),
        unsure="",
        second_opinion="lead" if is_lead else "not_lead",
    )
