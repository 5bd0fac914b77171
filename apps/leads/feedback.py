"""Learning from the consultant: a workspace's "lead / not a lead" answers shift the shared
classifier's lead log-odds for that workspace. Pure functions — no database, no model.

One number per workspace, fitted by penalised maximum likelihood: the shift `b` that makes
sigmoid(logit(p) + b) best explain the answers, where p is the global gate's P(lead) for each
answered comment. `PRIOR` pseudo-answers hold `b` at 0, so two answers nudge it and twenty can
move it a long way; it never leaves +-MAX_OFFSET. A shift of the log-odds keeps the gate's
order and calibration shape, so the operating point keeps its meaning: a workspace whose
consultant keeps saying "not a lead" to borderline comments needs more evidence for a lead,
and one that keeps rescuing near-misses needs less. Deterministic: the same answers give the
same shift, so refitting is idempotent.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from apps.leads.classifier import (
    ABSTAIN_ABOVE,
    BORDERLINE_BAND,
    DEFAULT_LEAD_THRESHOLD,
    LEAD_INTENTS,
    Prediction,
)

PRIOR = 4.0
MAX_OFFSET = 3.0
_EPSILON = 1e-6


def _logit(p: float) -> float:
    p = min(1 - _EPSILON, max(_EPSILON, p))
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def fit_offset(answers: Sequence[tuple[float, bool]]) -> float:
    """The log-odds shift for (global lead probability, is a lead) answers (Newton's method on
    the penalised log-likelihood, which is concave in the shift)."""
    if not answers:
        return 0.0
    logits = [_logit(p) for p, _ in answers]
    offset = 0.0
    for _ in range(50):
        probabilities = [_sigmoid(z + offset) for z in logits]
        gradient = sum(
            (1.0 if is_lead else 0.0) - q
            for q, (_, is_lead) in zip(probabilities, answers, strict=True)
        )
        gradient -= PRIOR * offset
        curvature = sum(q * (1 - q) for q in probabilities) + PRIOR
        step = gradient / curvature
        offset = max(-MAX_OFFSET, min(MAX_OFFSET, offset + step))
        if abs(step) < 1e-9:
            break
    return round(offset, 6)


def adjust(prediction: Prediction, offset: float) -> Prediction:
    """The prediction as this workspace's calibration sees it: lead probability shifted by
    `offset` in log-odds, the per-intent probabilities rescaled to match, the intent taken on
    the new side of the line and the "borderline" abstention recomputed."""
    if not offset:
        return prediction
    before = prediction.lead_probability
    after = _sigmoid(_logit(before) + offset)
    lead_scale = after / max(before, _EPSILON)
    other_scale = (1 - after) / max(1 - before, _EPSILON)
    probabilities = {
        intent: value * (lead_scale if intent in LEAD_INTENTS else other_scale)
        for intent, value in prediction.probabilities.items()
    }
    intent = prediction.intent
    side = [i for i in probabilities if (i in LEAD_INTENTS) == (after >= DEFAULT_LEAD_THRESHOLD)]
    if side and intent not in side:
        intent = max(side, key=probabilities.get)
    unsure = prediction.unsure
    if unsure not in ABSTAIN_ABOVE:
        near = DEFAULT_LEAD_THRESHOLD - BORDERLINE_BAND <= after < DEFAULT_LEAD_THRESHOLD
        unsure = "borderline" if near else ""
    return dataclasses.replace(
        prediction,
        lead_probability=after,
        probabilities=probabilities,
        intent=intent,
        intent_probability=probabilities.get(intent, prediction.intent_probability),
        unsure=unsure,
    )
