"""Lead scores: the parts always sum to the score, titles in English and German, urgency and
budget raise it, praise and spam stay low, and it never leaves 0-100. No model, no database."""

import pytest

from apps.leads.classifier import INTENTS, LEAD_INTENTS, Prediction
from apps.leads.scoring import ScoreInput, score_comment, seniority


def prediction(intent: str, probability: float) -> Prediction:
    rest = (1 - probability) / (len(INTENTS) - 1)
    probabilities = {i: (probability if i == intent else rest) for i in INTENTS}
    return Prediction(
        intent=intent,
        intent_probability=probability,
        lead_probability=sum(v for k, v in probabilities.items() if k in LEAD_INTENTS),
        probabilities=probabilities,
        explanation=[],
    )


def score(text: str, intent: str, probability: float, **kwargs):
    return score_comment(
        ScoreInput(text=text, prediction=prediction(intent, probability), **kwargs)
    )


@pytest.mark.parametrize(
    ("headline", "title"),
    [
        ("Co-Founder & CTO at Acme", "Founder"),
        ("CTO | Scaling engineering teams", "CTO"),
        ("Chief Information Security Officer at Bank X", "CISO"),
        ("VP Engineering @ Shopify", "VP"),
        ("Head of Platform at N26", "Head of"),
        ("Director of Data, Zalando", "Director"),
        ("Principal Engineer", "Principal"),
        ("Engineering Manager at SAP", "Manager"),
        ("Geschäftsführer bei Müller GmbH", "CEO"),
        ("Gründerin & Geschäftsführerin", "Founder"),
        ("Leiter IT bei Stadtwerke Bonn", "Head of"),
        ("Bereichsleiterin Softwareentwicklung", "Head of"),
        ("Teamleiter DevOps", "Lead"),
    ],
)
def test_seniority_in_english_and_german(headline, title):
    assert seniority(headline)[0] == title
    assert seniority(headline)[1] > 0


@pytest.mark.parametrize(
    "headline", ["", "Software Engineer", "Student at TU Berlin", "Tech Recruiter | Hiring CTOs"]
)
def test_no_seniority(headline):
    assert seniority(headline) == (None, 0)


def test_more_senior_titles_score_more():
    assert seniority("CTO")[1] > seniority("Director of Engineering")[1] > seniority("Tech Lead")[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "Great post!", "intent": "praise", "probability": 0.95},
        {
            "text": "What's your day rate? We need this asap, budget approved.",
            "intent": "pricing_question",
            "probability": 0.99,
            "headline": "CEO at Acme",
            "previous_comments_by_commenter": 9,
            "existing_lead": True,
        },
        {"text": "Follow me", "intent": "spam", "probability": 0.99, "headline": "CEO"},
        {"text": "Can we talk?", "intent": "direct_inquiry", "probability": 0.6},
    ],
)
def test_parts_sum_to_score_within_0_to_100(kwargs):
    breakdown = score(**kwargs)
    assert sum(points for _, points in breakdown.parts) == breakdown.score
    assert 0 <= breakdown.score <= 100
    assert all(isinstance(label, str) and label for label, _ in breakdown.parts)


def test_caps_at_100():
    breakdown = score(
        "Can you help us this quarter? Our 40-person fintech has budget for a 3-month "
        "engagement, asap.",
        "direct_inquiry",
        1.0,
        headline="Founder & CEO at Acme",
        previous_comments_by_commenter=10,
        existing_lead=True,
    )
    assert breakdown.score == 100
    labels = [label for label, _ in breakdown.parts]
    assert any(label.startswith("Qualification capped") for label in labels)


def test_urgency_and_budget_raise_the_score():
    plain = score("Could you look at our Kafka setup?", "direct_inquiry", 0.8).score
    urgent = score("Could you look at our Kafka setup this quarter?", "direct_inquiry", 0.8)
    budget = score("Could you look at our Kafka setup? Budget is approved.", "direct_inquiry", 0.8)
    assert urgent.score > plain
    assert budget.score > plain
    assert any("this quarter" in label for label, _ in urgent.parts)
    assert any(label.startswith("Budget") for label, _ in budget.parts)
    german = score("Können Sie uns dringend helfen? Tagessatz?", "direct_inquiry", 0.8)
    assert german.score > score("Können Sie uns helfen?", "direct_inquiry", 0.8).score


def test_lead_probability_dominates_and_labels_the_intent():
    breakdown = score("Can we talk?", "direct_inquiry", 0.91, headline="CTO at Acme")
    label, points = breakdown.parts[0]
    assert label == "Intent: direct inquiry (91%)"
    assert points >= 50
    assert ("Decision maker: CTO", 15) in breakdown.parts
    assert ("Company mentioned", 5) in breakdown.parts
    assert ("Direct question to you", 6) in breakdown.parts


def test_praise_and_spam_stay_low_even_from_a_ceo():
    praise = score("Great post! Love the breakdown of day rates.", "praise", 0.95, headline="CEO")
    spam = score("I can grow your followers, DM me asap!", "spam", 0.97, headline="Founder")
    assert praise.score < 20
    assert spam.score < 20
    assert any(label.startswith("Looks like") for label, _ in praise.parts)


def test_repeat_engagement_and_existing_lead_add_points():
    base = score("We are struggling with our AWS bill.", "pain_signal", 0.7).score
    repeat = score(
        "We are struggling with our AWS bill.", "pain_signal", 0.7, previous_comments_by_commenter=2
    ).score
    existing = score("We are struggling with our AWS bill.", "pain_signal", 0.7, existing_lead=True)
    assert repeat > base
    assert existing.score > base


def test_labels_are_translated(settings):
    from django.utils import translation

    with translation.override("de"):
        breakdown = score("Can we talk?", "direct_inquiry", 0.9)
    assert breakdown.parts  # gettext with placeholders formats in any language


def test_labels_follow_the_language_active_for_each_comment():
    """Labels are cached by language: a German comment's labels never reach an English one."""
    from django.utils import translation

    labels = []
    for language in ("de", "en", "de"):
        with translation.override(language):
            labels.append(
                [label for label, _points in score("Can we talk?", "direct_inquiry", 0.9).parts]
            )

    german, english, german_again = labels
    assert "Absicht: direkte Anfrage (90 %)" in german
    assert "Direkte Frage an Sie" in german
    assert "Intent: direct inquiry (90%)" in english
    assert "Direct question to you" in english
    assert german_again == german
