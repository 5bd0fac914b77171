from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.leads import ingestion, services
from apps.leads.models import Alert, AlertSettings, Comment, Lead, LeadSettings
from apps.leads.tests.conftest import comment_on
from apps.linkedin.client import LinkedInClient

pytestmark = pytest.mark.django_db

INQUIRY = (
    "We're stuck halfway through our Kubernetes migration. What would a two-week "
    "engagement with you cost? Could we talk this week?"
)


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (timedelta(hours=1), timedelta(minutes=10)),
        (timedelta(days=3), timedelta(hours=1)),
        (timedelta(days=10), timedelta(days=1)),
        (timedelta(days=31), None),
    ],
)
def test_the_scan_cadence_slows_as_a_post_ages(age, interval):
    assert ingestion.scan_interval(age) == interval


def test_a_scan_stores_new_comments_once_and_skips_the_authors_own(
    alice_workspace, published, linkedin, connected, django_capture_on_commit_callbacks
):
    comment_on(linkedin, published, INQUIRY)
    comment_on(linkedin, published, "Great post!", actor="urn:li:person:fan1")
    comment_on(linkedin, published, "Thanks all!", actor=connected.member_urn)
    with django_capture_on_commit_callbacks(execute=True):
        assert ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk) == 2
        assert ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk) == 0
    assert Comment.objects.count() == 2
    inquiry = Comment.objects.get(text=INQUIRY)
    assert inquiry.score >= 60
    assert inquiry.lead is not None
    assert inquiry.score_parts
    praise = Comment.objects.get(text="Great post!")
    assert praise.lead is None
    assert praise.score < inquiry.score


def test_a_lead_alert_emails_the_member_once(
    alice, alice_workspace, published, linkedin, django_capture_on_commit_callbacks
):
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    alerts = [m for m in mail.outbox if "New lead" in m.subject]
    # Everyone who works the inbox: the owner and the editor, each once.
    assert sorted(m.to[0] for m in alerts) == ["alice@example.com", "bob@example.com"]
    assert "/leads/" in alerts[0].body
    lead = Lead.objects.get()
    assert lead.alerted_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services._alert_members(lead.pk, workspace_id=lead.workspace_id)
    assert len([m for m in mail.outbox if "New lead" in m.subject]) == 2


def test_quiet_hours_hold_the_alert(
    alice, alice_workspace, published, linkedin, django_capture_on_commit_callbacks
):
    now_local = timezone.now()
    AlertSettings.objects.create(
        workspace=alice_workspace,
        user=alice,
        threshold=50,
        quiet_from=(now_local - timedelta(hours=1)).time(),
        quiet_until=(now_local + timedelta(hours=1)).time(),
    )
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    assert [m.to for m in mail.outbox if "New lead" in m.subject] == [["bob@example.com"]]
    assert Alert.objects.get(user=alice).held_reason == "quiet hours"


def test_the_daily_cap_holds_alerts_beyond_it(
    alice, alice_workspace, published, linkedin, django_capture_on_commit_callbacks
):
    AlertSettings.objects.create(workspace=alice_workspace, user=alice, threshold=40, daily_cap=1)
    comment_on(linkedin, published, INQUIRY, actor="urn:li:person:a")
    comment_on(
        linkedin,
        published,
        "What's your day rate for a platform audit? We have budget this quarter.",
        actor="urn:li:person:b",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    assert len([m for m in mail.outbox if "New lead" in m.subject and alice.email in m.to]) == 1
    assert Alert.objects.filter(user=alice, held_reason="daily cap").count() == 1


def test_without_permission_to_read_comments_the_workspace_is_marked(
    alice_workspace, linkedin, published, connected
):
    connected.access_token = linkedin.sandbox.issue_token(["openid", "w_member_social"])
    connected.save()
    assert ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk) == 0
    assert LeadSettings.objects.get(workspace=alice_workspace).comment_reading_permitted is False


def test_a_connection_without_comment_reading_is_not_scanned_at_all(
    alice_workspace, linkedin, published, connected, monkeypatch
):
    connected.scopes = ["openid", "profile", "email", "w_member_social"]  # self-serve
    connected.save()

    def no_call(*args, **kwargs):
        raise AssertionError("a self-serve connection must not spend calls on a sure 403")

    monkeypatch.setattr(LinkedInClient, "list_comments", no_call)

    assert ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk) == 0


def test_the_scan_dispatcher_enqueues_each_due_post_once(
    alice_workspace, published, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.leads import tasks

    sent = []

    def queue(args, **options):
        sent.append((args, options))

    monkeypatch.setattr(tasks.scan_post_comments, "apply_async", queue)
    with django_capture_on_commit_callbacks(execute=True):
        assert ingestion.dispatch_scans() == 1
        assert ingestion.dispatch_scans() == 0  # next scan is 10 minutes away
    # Still queued when the next one is due (10 minutes on), it is dropped for the fresh one.
    assert sent == [((published.pk, alice_workspace.pk), {"expires": 600.0})]
    published.refresh_from_db()
    assert published.next_comment_scan_at > timezone.now() + timedelta(minutes=9)


def test_a_new_lead_is_sent_to_the_workspaces_webhooks(
    alice_workspace, published, linkedin, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.webhooks import tasks as webhook_tasks
    from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

    monkeypatch.setattr(webhook_tasks.deliver, "delay", lambda *args: None)
    WebhookEndpoint.objects.create(
        workspace=alice_workspace,
        url="https://hooks.example.com/x",
        events=["lead.detected"],
        secret="whsec_test",
    )
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "lead.detected"
    assert delivery.payload["data"]["lead"]["score"] >= 60


def test_a_lead_also_shows_in_the_in_app_notifications(
    alice, alice_client, alice_workspace, published, linkedin, django_capture_on_commit_callbacks
):
    comment_on(linkedin, published, INQUIRY)
    with django_capture_on_commit_callbacks(execute=True):
        ingestion.scan_post(post_id=published.pk, workspace_id=alice_workspace.pk)
    page = alice_client.get("/w/alice-co/notifications/")
    assert "New lead" in page.text
    assert '<span class="count">1</span>' in page.text


def test_the_scan_dispatcher_claims_full_batches_until_its_round_is_spent(
    alice, alice_workspace, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.content.models import Post
    from apps.leads import tasks

    posts = Post.objects.bulk_create(
        [
            Post(
                workspace=alice_workspace,
                author=alice,
                text=f"Post {n}",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=1),
            )
            for n in range(7)
        ]
    )
    sent = []
    monkeypatch.setattr(
        tasks.scan_post_comments, "apply_async", lambda args, **options: sent.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert ingestion.dispatch_scans(limit=2, batches=3) == 6  # three full batches of two
        assert ingestion.dispatch_scans(limit=2, batches=3) == 1  # the one left, then stop
        assert ingestion.dispatch_scans(limit=2, batches=3) == 0
    assert sorted(post_id for post_id, _ws in sent) == sorted(post.pk for post in posts)
