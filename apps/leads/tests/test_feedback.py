"""Learning from the consultant: answers shift the workspace's lead log-odds (a task refits it
after each answer), scoring uses the shift at once, the inbox says so, and staff export only
opted-in workspaces' labelled texts."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.sites import site

from apps.leads import services, tasks
from apps.leads.classifier import DEFAULT_LEAD_THRESHOLD, INTENTS, LEAD_INTENTS, Prediction
from apps.leads.feedback import MAX_OFFSET, adjust, fit_offset
from apps.leads.models import (
    AlertSettings,
    Comment,
    Commenter,
    Feedback,
    LeadCalibration,
    LeadSettings,
)
from apps.leads.scoring import LEAD_LINE


def prediction(lead_probability: float, unsure: str = "") -> Prediction:
    lead_intents = [i for i in INTENTS if i in LEAD_INTENTS]
    others = [i for i in INTENTS if i not in LEAD_INTENTS]
    probabilities = {i: lead_probability / len(lead_intents) for i in lead_intents}
    probabilities |= {i: (1 - lead_probability) / len(others) for i in others}
    intent = lead_intents[0] if lead_probability >= DEFAULT_LEAD_THRESHOLD else others[-1]
    return Prediction(
        intent=intent,
        intent_probability=probabilities[intent],
        lead_probability=lead_probability,
        probabilities=probabilities,
        explanation=[],
        unsure=unsure,
    )


def test_no_answers_no_shift():
    assert fit_offset([]) == 0.0


def test_rejected_leads_raise_the_bar_and_rescued_comments_lower_it():
    assert fit_offset([(0.6, False)] * 6) < -0.5
    assert fit_offset([(0.4, True)] * 6) > 0.5
    # A couple of answers nudge; many move further; it never leaves its bounds.
    assert abs(fit_offset([(0.6, False)] * 2)) < abs(fit_offset([(0.6, False)] * 20))
    assert fit_offset([(0.99, False)] * 500) == -MAX_OFFSET
    assert fit_offset([(0.6, False), (0.3, True)]) == fit_offset([(0.6, False), (0.3, True)])


def test_adjust_moves_a_comment_across_the_line_and_keeps_a_distribution():
    before = prediction(0.55)
    assert before.is_lead
    after = adjust(before, -1.0)
    assert not after.is_lead
    assert after.intent not in LEAD_INTENTS
    assert sum(after.probabilities.values()) == pytest.approx(1.0)
    assert sum(v for k, v in after.probabilities.items() if k in LEAD_INTENTS) == pytest.approx(
        after.lead_probability
    )
    rescued = adjust(prediction(0.4, unsure="borderline"), 1.0)
    assert rescued.is_lead
    assert rescued.unsure == ""
    # Short or unfamiliar text stays an abstention, whatever the workspace taught.
    assert adjust(prediction(0.9, unsure="short"), 2.0).unsure == "short"
    assert adjust(before, 0.0) is before


def test_defaults_are_the_operating_point(alice, alice_workspace):
    assert LeadSettings.objects.create(workspace=alice_workspace).alert_threshold == LEAD_LINE
    row = AlertSettings.objects.create(workspace=alice_workspace, user=alice)
    assert row.threshold == LEAD_LINE


def stored_comment(workspace, text, number=1) -> Comment:
    commenter, _ = Commenter.objects.get_or_create(workspace=workspace, actor_urn="urn:li:p:9")
    return Comment.objects.create(
        workspace=workspace, commenter=commenter, urn=f"urn:li:comment:f{number}", text=text
    )


def test_an_answer_refits_the_workspace_calibration_after_commit(
    alice, alice_workspace, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.refit_lead_calibration, "delay", lambda pk: queued.append(pk))
    texts = ["Can we talk next week?", "Do you take on projects like this?", "dm'd you"]
    with django_capture_on_commit_callbacks(execute=True):
        for number, text in enumerate(texts):
            comment = stored_comment(alice_workspace, text, number)
            services.feedback_record(comment=comment, actor=alice, is_lead=False)
    assert queued == [alice_workspace.pk] * 3
    assert tasks.refit_lead_calibration(alice_workspace.pk) == 3
    first = LeadCalibration.objects.get(workspace=alice_workspace)
    assert first.offset < 0  # three "not a lead" answers on comments it called leads
    assert tasks.refit_lead_calibration(alice_workspace.pk) == 3  # idempotent
    again = LeadCalibration.objects.get(workspace=alice_workspace)
    assert again.offset == first.offset
    assert LeadCalibration.objects.count() == 1
    assert tasks.refit_lead_calibration(999_999) == 0  # a deleted workspace


def test_store_comments_scores_through_the_workspace_calibration(alice_workspace):
    text = "Können wir dazu kurz telefonieren? Wir haben genau dieses Problem mit Kafka."
    incoming = services.IncomingComment(
        urn="urn:li:comment:c1", actor_urn="urn:li:p:1", text=text, commented_at=datetime.now(UTC)
    )
    [plain] = services.store_comments(workspace=alice_workspace, post=None, incoming=[incoming])
    plain.refresh_from_db()
    assert plain.score >= LEAD_LINE
    assert plain.lead_id is not None
    LeadCalibration.objects.create(workspace=alice_workspace, offset=-MAX_OFFSET, answers=30)
    again = services.IncomingComment(
        urn="urn:li:comment:c2", actor_urn="urn:li:p:2", text=text, commented_at=datetime.now(UTC)
    )
    [strict] = services.store_comments(workspace=alice_workspace, post=None, incoming=[again])
    assert strict.lead_probability < plain.lead_probability
    assert strict.score < plain.score


def test_the_inbox_says_what_it_learnt(alice_client, alice_workspace):
    LeadCalibration.objects.create(workspace=alice_workspace, offset=-0.8, answers=4)
    page = alice_client.get("/w/alice-co/leads/").content.decode()
    assert "Lead detection has learnt from your 4 answers" in page
    assert "needs more evidence" in page


def test_staff_export_holds_only_opted_in_texts(
    rf, alice, alice_workspace, charlie, charlie_workspace
):
    shared = stored_comment(alice_workspace, "we need help with kafka, can we talk?", 1)
    private = stored_comment(charlie_workspace, "private words", 2)
    Feedback.objects.create(workspace=alice_workspace, comment=shared, is_lead=True, user=alice)
    Feedback.objects.create(workspace=charlie_workspace, comment=private, is_lead=False)
    LeadSettings.objects.create(workspace=alice_workspace, share_labelled_comments=True)
    LeadSettings.objects.create(workspace=charlie_workspace)
    admin = site._registry[Feedback]
    response = admin.export_labelled_comments(rf.get("/"), Feedback.objects.all())
    body = response.content.decode()
    assert body.splitlines() == [
        "text,label,intent",
        '"we need help with kafka, can we talk?",lead,direct_inquiry',
    ]
    assert "private words" not in body
    assert "Jordan" not in body
    assert "urn:li" not in body
