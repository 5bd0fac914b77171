"""The optional second opinion: asked only for the unsure band and only when LLM_API_BASE is
set, decides those comments when it answers, and leaves the classifier's verdict on any
failure. A local fake (`responses`); nothing leaves the machine."""

from datetime import UTC, datetime

import pytest
import requests
import responses

from apps.leads import second_opinion, services
from apps.leads.classifier import INTENTS, LEAD_INTENTS, Prediction
from apps.leads.models import Comment
from apps.leads.scoring import LEAD_LINE, ScoreInput, score_comment

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"


def completion(content: str) -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


def prediction(lead_probability: float, unsure: str) -> Prediction:
    probabilities = {i: 1 / len(INTENTS) for i in INTENTS}
    return Prediction(
        intent="other",
        intent_probability=probabilities["other"],
        lead_probability=lead_probability,
        probabilities=probabilities,
        explanation=[],
        unsure=unsure,
    )


@pytest.fixture
def llm(settings):
    settings.LLM_API_BASE = BASE
    settings.LLM_MODEL = "tiny"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_not_asked_without_a_base_url(settings):
    settings.LLM_API_BASE = ""
    before = [prediction(0.45, "borderline")]
    with responses.RequestsMock() as mock:  # any request would fail this test
        assert second_opinion.review(["we might need you"], before) == before
        assert not mock.calls


def test_only_the_unsure_band_is_asked_and_its_answer_decides(llm):
    llm.post(URL, json=completion("LEAD"))
    texts = ["we might need you", "Like", "Great post"]
    before = [prediction(0.45, "borderline"), prediction(0.9, "short"), prediction(0.1, "")]
    after = second_opinion.review(texts, before)
    assert len(llm.calls) == 1
    assert b"we might need you" in llm.calls[0].request.body
    assert after[0].is_lead
    assert after[0].intent in LEAD_INTENTS
    assert after[0].second_opinion == "lead"
    assert after[1:] == before[1:]
    score = score_comment(ScoreInput(text=texts[0], prediction=after[0]))
    assert score.score >= LEAD_LINE
    assert score.parts[0][0].startswith("Second opinion: a lead")


def test_a_no_settles_the_comment_as_not_a_lead(llm):
    llm.post(URL, json=completion("NOT."))
    [after] = second_opinion.review(["hm, interesting"], [prediction(0.6, "disagree")])
    assert not after.is_lead
    assert after.unsure == ""
    assert after.second_opinion == "not_lead"


@pytest.mark.parametrize(
    "reply",
    [
        {"body": requests.Timeout("slow")},
        {"status": 500, "json": {"error": "down"}},
        {"json": completion("Maybe, hard to say")},
        {"json": {"nothing": True}},
    ],
)
def test_any_failure_keeps_the_classifiers_verdict(llm, reply):
    llm.post(URL, **reply)
    before = [prediction(0.45, "borderline")]
    assert second_opinion.review(["we might need you"], before) == before


class Unsure:
    """A stand-in model that is unsure about every comment (the band the opinion is for)."""

    def predict_many(self, texts, explain=True):
        return [prediction(0.45, "borderline") for _ in texts]


@pytest.mark.django_db(transaction=True)
def test_store_comments_asks_before_its_transaction_and_keeps_the_verdict(
    llm, alice_workspace, monkeypatch
):
    from apps.leads import classifier

    monkeypatch.setattr(classifier, "get_model", lambda **kwargs: Unsure())
    llm.post(URL, json=completion("LEAD"))
    incoming = services.IncomingComment(
        urn="urn:li:comment:s1", actor_urn="urn:li:p:1", text="hm", commented_at=datetime.now(UTC)
    )
    services.store_comments(workspace=alice_workspace, post=None, incoming=[incoming])
    assert len(llm.calls) == 1
    comment = Comment.objects.get()
    assert comment.second_opinion == "lead"
    assert comment.unsure == ""
    assert comment.score >= LEAD_LINE
    assert comment.lead_id is not None


def test_inside_a_callers_transaction_it_is_not_asked(llm, alice_workspace, monkeypatch):
    from apps.leads import classifier

    monkeypatch.setattr(classifier, "get_model", lambda **kwargs: Unsure())
    incoming = services.IncomingComment(
        urn="urn:li:comment:s2", actor_urn="urn:li:p:2", text="hm", commented_at=datetime.now(UTC)
    )
    services.store_comments(workspace=alice_workspace, post=None, incoming=[incoming])
    assert not llm.calls
    assert Comment.objects.get().unsure == "borderline"
