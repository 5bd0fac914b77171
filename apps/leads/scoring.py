"""Lead scores: 0-100 with a breakdown the UI shows. Pure functions — no database, no model.

One operating point: `LEAD_LINE` (60) in score points is the classifier's lead threshold. A
comment the model calls a lead (`Prediction.is_lead`: the gate at or above its threshold, no
abstention) starts at the line, 60 to 75 by how sure the gate is; every other comment stays
below it (at most 59), whatever its qualification. So the workspace's default lead score and
the member's default alert score (both `LEAD_LINE`), `is_lead` in `leads_score` and the inbox
agree: a real inquiry with no headline known makes a lead and alerts by default.

Qualification then only adds: who is asking (seniority from the headline), a company, urgency,
budget or timeline, a question addressed to the author, repeat engagement and an already open
lead, capped at 25 for leads and at 10 otherwise (a CTO's "Great post!" is still not a lead).
A non-lead the model is sure is praise or spam loses points. Every adjustment, caps included,
is a part of the breakdown, so the parts always sum to the score. Workspaces may move their own
line (`score >= threshold`); above 60 they pick among leads, below it they let near-misses in.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.utils.translation import get_language, gettext, gettext_noop

from apps.leads.classifier import DEFAULT_LEAD_THRESHOLD, LEAD_INTENTS, Prediction

LEAD_LINE = 60  # the classifier's threshold in score points; the default lead and alert score
LEAD_RANGE = 15  # a lead scores LEAD_LINE..LEAD_LINE + LEAD_RANGE from the model alone
BELOW_LINE_POINTS = 45  # a non-lead scores 0..45 from the model alone
QUALIFICATION_CAP = 25
WEAK_INTENT_CAP = 10  # qualification of a comment the model does not call a lead
NEGATIVE_INTENTS = ("praise", "spam")
NEGATIVE_PROBABILITY = 0.5
NEGATIVE_POINTS = 30  # times the praise/spam probability
COMPANY_POINTS = 5
URGENCY_POINTS = 8
BUDGET_POINTS = 6
DIRECT_ASK_POINTS = 6
REPEAT_POINTS_EACH, REPEAT_CAP = 2, 6
EXISTING_LEAD_POINTS = 5

INTENT_LABELS = {
    "direct_inquiry": gettext_noop("direct inquiry"),
    "pricing_question": gettext_noop("pricing question"),
    "hiring_signal": gettext_noop("hiring signal"),
    "pain_signal": gettext_noop("pain signal"),
    "referral": gettext_noop("referral"),
    "technical_question": gettext_noop("technical question"),
    "praise": gettext_noop("praise"),
    "spam": gettext_noop("spam"),
    "other": gettext_noop("other"),
}
UNSURE_LABELS = {
    "short": gettext_noop("too short to tell"),
    "unfamiliar": gettext_noop("unlike anything it learnt from"),
    "disagree": gettext_noop("its two views disagree"),
    "borderline": gettext_noop("just below the lead line"),
}

# (pattern, label, points), most senior first; the first match wins. Matched on word
# boundaries, case-insensitively, in English and German.
_SENIORITY = [
    (r"founder|co-?founder|gründer(?:in)?|mitgründer(?:in)?|owner|inhaber(?:in)?", "Founder", 15),
    (r"ceo|chief executive|geschäftsführer(?:in)?|managing director|vorstand", "CEO", 15),
    (r"cto|chief technology officer|chief technical officer", "CTO", 15),
    (r"cio|chief information officer", "CIO", 15),
    (r"ciso|chief information security officer", "CISO", 15),
    (r"cdo|chief data officer|coo|cfo|cpo|chief \w+ officer", "C-level", 14),
    (r"partner|president|präsident(?:in)?", "Partner", 13),
    (r"svp|evp|vp|vice president", "VP", 12),
    (r"head of|bereichsleiter(?:in)?|abteilungsleiter(?:in)?", "Head of", 12),
    (r"director|direktor(?:in)?", "Director", 10),
    (r"leiter(?:in)?|leitung", "Head of", 10),
    (r"principal|staff engineer|chief architect|chefarchitekt(?:in)?", "Principal", 7),
    (r"architect|architekt(?:in)?", "Architect", 6),
    (r"lead|teamleiter(?:in)?|tech lead", "Lead", 6),
    (r"manager(?:in)?|teamlead", "Manager", 5),
]
_SENIORITY_RE = [
    (re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE), label, points)
    for pattern, label, points in _SENIORITY
]
# Headlines and words that are *not* buyers, whatever else they say.
_NOT_BUYER = re.compile(
    r"\b(student|studentin|werkstudent\w*|intern|praktikant\w*|recruiter\w*|talent acquisition"
    r"|job ?seeking|open to work|seeking opportunities)\b",
    re.IGNORECASE,
)
_COMPANY_IN_HEADLINE = re.compile(r"(?:\s@\s?|\bat\s+|\bbei\s+|\|\s*)[A-ZÄÖÜ0-9][\w&.-]+")
_COMPANY_IN_TEXT = re.compile(
    r"\b(we'?re an? [\w-]+(?:-person| person)?|our (?:company|startup|team|firm|business|org)"
    r"|wir sind (?:ein|eine)|unser(?:e|em)? (?:unternehmen|firma|start-?up|team)"
    r"|\d+[- ]?(?:person|people|engineers|devs|developers|mitarbeitende\w*|entwickler\w*))\b",
    re.IGNORECASE,
)
_URGENCY = re.compile(
    r"\b(asap|urgent(?:ly)?|right away|immediately|this (?:week|month|quarter)|next (?:week|month)"
    r"|by (?:end of|the end of|monday|friday|january|february|march|april|may|june|july"
    r"|august|september|october|november|december|q[1-4])|before (?:our|the) \w+|deadline"
    r"|in the next (?:few )?(?:days|weeks)|dringend|zeitnah|sofort|so schnell wie möglich"
    r"|möglichst bald|diese(?:s|n)? (?:woche|monat|quartal)|nächste(?:n)? (?:woche|monat)"
    r"|bis ende|in den nächsten (?:tagen|wochen)|frist)\b",
    re.IGNORECASE,
)
_BUDGET = re.compile(
    r"(\bbudget\w*|\bday rate|\bdaily rate|\bhourly rate|\brates?\b|\bretainer"
    r"|\bfixed (?:price|fee)|\bquote\b|\bengagement|\b\d+[- ]?(?:month|week|day)s?\b"
    r"|\bq[1-4]\b|\bcontract\b"
    r"|\btagessatz|\bstundensatz|\bhonorar|\bfestpreis|\bpauschal\w*|\bangebot\b"
    r"|\b\d+[- ]?(?:monate|wochen|tage)\b|[€$£]\s?\d|\d\s?(?:k|€|eur|euro)\b)",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(
    r"\b(you|your|u|ur|can we|could we|shall we|sie|ihnen|ihr(?:e|en)?|du|dich|dir|dein(?:e|en)?"
    r"|können wir|könnten wir|sollen wir)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScoreInput:
    text: str
    prediction: Prediction
    headline: str = ""
    previous_comments_by_commenter: int = 0
    existing_lead: bool = False


@dataclass(frozen=True)
class ScoreBreakdown:
    score: int  # 0-100
    parts: list[tuple[str, int]]  # user-facing label, points; sums to `score`


def seniority(headline: str) -> tuple[str | None, int]:
    """The most senior title in a LinkedIn headline and its points, e.g. ("CTO", 15);
    (None, 0) for no title or a headline that says the person is not a buyer (student,
    recruiter, open to work)."""
    if not headline or _NOT_BUYER.search(headline):
        return None, 0
    best: tuple[str | None, int] = (None, 0)
    for pattern, label, points in _SENIORITY_RE:
        if points > best[1] and pattern.search(headline):
            best = (label, points)
    return best


def _quote(match: re.Match | None) -> str | None:
    return match.group(0).strip() if match else None


def model_points(prediction: Prediction) -> int:
    """The model's share of the score: LEAD_LINE and up for a lead, below BELOW_LINE_POINTS
    otherwise (see the module docstring)."""
    p, t = max(0.0, min(1.0, prediction.lead_probability)), DEFAULT_LEAD_THRESHOLD
    if prediction.is_lead:
        return LEAD_LINE + round(LEAD_RANGE * max(0.0, p - t) / (1 - t))
    return round(BELOW_LINE_POINTS * min(p, t) / t)


@functools.lru_cache(maxsize=1024)
def _translated(language: str | None, message: str) -> str:
    """gettext(message) in `language`, the language active when it is asked for."""
    return gettext(message)


def score_comment(inp: ScoreInput) -> ScoreBreakdown:
    # The labels through a cache by language: gettext looks the active language up in a
    # context-local on every call, and a comment's labels take four or five calls (half
    # the time scoring a comment took). Named `_` so makemessages still finds the strings.
    _ = functools.partial(_translated, get_language())
    prediction, text = inp.prediction, inp.text or ""
    parts: list[tuple[str, int]] = []
    is_lead = prediction.is_lead

    # The model: its verdict carries the score.
    lead_probability = max(0.0, min(1.0, prediction.lead_probability))
    if prediction.second_opinion:
        intent_label = _("Second opinion: %(verdict)s (lead likelihood %(percent)d%%)") % {
            "verdict": _("a lead") if is_lead else _("not a lead"),
            "percent": round(lead_probability * 100),
        }
    elif is_lead and prediction.intent in LEAD_INTENTS:
        intent_label = _("Intent: %(intent)s (%(percent)d%%)") % {
            "intent": _(INTENT_LABELS[prediction.intent]),
            "percent": round(prediction.intent_probability * 100),
        }
    elif prediction.unsure in UNSURE_LABELS:
        intent_label = _("Unsure, %(reason)s (lead likelihood %(percent)d%%)") % {
            "reason": _(UNSURE_LABELS[prediction.unsure]),
            "percent": round(lead_probability * 100),
        }
    else:
        intent_label = _("Lead likelihood (%(percent)d%%)") % {
            "percent": round(lead_probability * 100)
        }
    parts.append((intent_label, model_points(prediction)))

    # Qualification.
    qualification: list[tuple[str, int]] = []
    title, points = seniority(inp.headline)
    if title:
        qualification.append((_("Decision maker: %(title)s") % {"title": title}, points))
    if _COMPANY_IN_HEADLINE.search(inp.headline or "") or _COMPANY_IN_TEXT.search(text):
        qualification.append((_("Company mentioned"), COMPANY_POINTS))
    if urgency := _quote(_URGENCY.search(text)):
        qualification.append((_("Urgency: '%(words)s'") % {"words": urgency}, URGENCY_POINTS))
    if budget := _quote(_BUDGET.search(text)):
        qualification.append(
            (_("Budget or timeline: '%(words)s'") % {"words": budget}, BUDGET_POINTS)
        )
    if "?" in text and _SECOND_PERSON.search(text):
        qualification.append((_("Direct question to you"), DIRECT_ASK_POINTS))
    if inp.previous_comments_by_commenter > 0:
        qualification.append(
            (
                _("Repeat engagement: %(count)d earlier comments")
                % {"count": inp.previous_comments_by_commenter},
                min(REPEAT_CAP, REPEAT_POINTS_EACH * inp.previous_comments_by_commenter),
            )
        )
    if inp.existing_lead:
        qualification.append((_("Already a lead"), EXISTING_LEAD_POINTS))
    parts += qualification

    raw = sum(p for _label, p in qualification)
    cap = QUALIFICATION_CAP if is_lead else WEAK_INTENT_CAP
    if raw > cap:
        parts.append((_("Qualification capped at %(cap)d") % {"cap": cap}, cap - raw))

    # Praise and spam the model is sure about pull the score down.
    negative = max(NEGATIVE_INTENTS, key=lambda i: prediction.probabilities.get(i, 0.0))
    negative_probability = prediction.probabilities.get(negative, 0.0)
    if not is_lead and negative_probability >= NEGATIVE_PROBABILITY:
        parts.append(
            (
                _("Looks like %(intent)s (%(percent)d%%)")
                % {
                    "intent": _(INTENT_LABELS[negative]),
                    "percent": round(negative_probability * 100),
                },
                -round(NEGATIVE_POINTS * negative_probability),
            )
        )

    total = sum(p for _label, p in parts)
    if not is_lead and total >= LEAD_LINE:
        # Qualification alone never makes a lead: the line is the model's verdict.
        parts.append(
            (_("Below the lead line: the model does not call this a lead"), LEAD_LINE - 1 - total)
        )
        total = LEAD_LINE - 1
    if total > 100:
        parts.append((_("Capped at 100"), 100 - total))
    elif total < 0:
        parts.append((_("Floored at 0"), -total))
    return ScoreBreakdown(score=max(0, min(100, total)), parts=parts)
