"""Stuck work that is not a row in a bad state: comment scans that stopped coming, and beat or
a queue's workers gone silent. Each shows on the workspace health page (where it concerns the
workspace), the staff overview and the admin, with its age and what to do."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.content.models import Post
from apps.core.models import Heartbeat
from apps.core.selectors import background_processes
from apps.leads.models import LeadSettings
from apps.leads.selectors import scans_overdue
from apps.linkedin.models import LinkedInConnection
from apps.staffops import selectors

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def reads_comments(alice_workspace):
    """Alice's workspace is connected with an app LinkedIn lets read comments."""
    return LinkedInConnection.objects.create(
        workspace=alice_workspace,
        member_sub="abc",
        member_urn="urn:li:person:abc",
        scopes=["openid", "profile", "w_member_social", "r_member_social"],
        access_token="token",
        access_token_expires_at=NOON + timedelta(days=50),
    )


def published(workspace, author, *, at, scanned_at=None, hook="Kafka is not a database"):
    return Post.objects.create(
        workspace=workspace,
        author=author,
        text=hook,
        hook=hook,
        status=Post.Status.PUBLISHED,
        published_at=at,
        linkedin_urn=f"urn:li:share:{at.timestamp():.0f}",
        comments_scanned_at=scanned_at,
    )


# --- Comment scans overdue -----------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_a_fresh_post_not_scanned_for_an_hour_is_overdue_and_one_scanned_just_now_is_not(
    alice, alice_workspace, reads_comments
):
    # Posts under 48 hours are read every 10 minutes: twice that and 10 minutes' grace.
    late = published(
        alice_workspace, alice, at=NOON - timedelta(hours=3), scanned_at=NOON - timedelta(hours=1)
    )
    published(
        alice_workspace,
        alice,
        at=NOON - timedelta(hours=3),
        scanned_at=NOON - timedelta(minutes=25),
        hook="Scanned on time",
    )
    (overdue,) = scans_overdue(workspace=alice_workspace, now=timezone.now())
    assert overdue == late
    assert overdue.last_scan_at == NOON - timedelta(hours=1)


@time_machine.travel(NOON, tick=False)
def test_older_posts_are_overdue_only_past_their_own_slower_interval(
    alice, alice_workspace, reads_comments
):
    # Three days old: read hourly, so overdue after 2 h 10 min without a scan.
    three_days = NOON - timedelta(days=3)
    published(alice_workspace, alice, at=three_days, scanned_at=NOON - timedelta(hours=2))
    late = published(
        alice_workspace, alice, at=three_days, scanned_at=NOON - timedelta(hours=3), hook="Late"
    )
    # Never scanned, published 20 days ago: read daily, so the publication is the last look.
    never = published(alice_workspace, alice, at=NOON - timedelta(days=20), hook="Never")
    # Past 30 days posts are no longer scanned, so never overdue.
    published(alice_workspace, alice, at=NOON - timedelta(days=40), hook="Old")
    assert scans_overdue(workspace=alice_workspace, now=timezone.now()) == [never, late]


@time_machine.travel(NOON, tick=False)
def test_posts_that_would_not_be_scanned_are_not_overdue(alice, alice_workspace, reads_comments):
    published(alice_workspace, alice, at=NOON - timedelta(hours=3))
    assert len(scans_overdue(workspace=alice_workspace, now=timezone.now())) == 1
    # LinkedIn refused the workspace's comment reading: the scans stop on purpose.
    LeadSettings.objects.create(workspace=alice_workspace, comment_reading_permitted=False)
    assert scans_overdue(workspace=alice_workspace, now=timezone.now()) == []
    LeadSettings.objects.update(comment_reading_permitted=True)
    # A self-serve app may not read comments: they come by import, never by a scan.
    LinkedInConnection.objects.update(scopes=["openid", "profile", "w_member_social"])
    assert scans_overdue(workspace=alice_workspace, now=timezone.now()) == []
    # Nor without a usable connection.
    LinkedInConnection.objects.update(
        scopes=["r_member_social"], status=LinkedInConnection.Status.NEEDS_RECONNECT
    )
    assert scans_overdue(workspace=alice_workspace, now=timezone.now()) == []


@time_machine.travel(NOON, tick=False)
def test_overdue_scans_show_on_health_staff_overview_and_admin_with_their_age(
    alice, alice_client, alice_workspace, reads_comments, root_client
):
    published(
        alice_workspace, alice, at=NOON - timedelta(hours=5), scanned_at=NOON - timedelta(hours=2)
    )
    page = alice_client.get("/w/alice-co/health/").text
    assert "Nothing is stuck" not in page
    assert "Comments not read for 2\xa0hours, longer than planned" in page

    overview = selectors.overview()
    assert (overview.scans_overdue, overview.scans_overdue_age) == (1, 7200)
    staff = root_client.get("/staff/overview/").text
    assert "Comment scans overdue" in staff
    assert "oldest last scan 7200 s ago" in staff

    listed = root_client.get("/admin/accounts/workspace/?problems=scans_overdue").text
    assert "Alice Co" in listed
    assert "scans overdue" in listed


# --- Beat and the workers -------------------------------------------------------------------


def heartbeats_at(at, names):
    for name in names:
        Heartbeat.objects.update_or_create(name=name, defaults={"last_seen_at": at})


EVERY_QUEUE = ["beat", *(f"worker:{queue}" for queue in settings.TASK_QUEUES)]


def states(processes) -> dict[str, str]:
    return {process.name: process.state for process in processes}


def test_beat_and_every_queue_are_running_while_their_pings_are_fresh(db):
    heartbeats_at(NOON, EVERY_QUEUE)
    with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
        processes = background_processes()
    assert set(states(processes).values()) == {"ok"}
    assert processes[0].age_seconds == 120


def test_when_every_ping_stops_beat_is_silent_and_the_workers_cannot_be_judged(
    alice_client, alice_workspace, root_client
):
    heartbeats_at(NOON, EVERY_QUEUE)
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        processes = background_processes()
        assert states(processes) == {
            "beat": "silent",
            **dict.fromkeys(settings.TASK_QUEUES, "unknown"),
        }
        assert processes[0].age_minutes == 10

        page = alice_client.get("/w/alice-co/health/").text
        assert "The scheduler is silent" in page
        assert "Last heard from 10 min ago." in page
        assert "Scheduled posts wait until it runs again" in page

        staff = root_client.get("/staff/overview/").text
        assert 'data-process="beat:beat" data-state="silent"' in staff
        assert "600 s ago" in staff
        assert "Start beat" in staff
        assert "start beat first" in staff


def test_beats_own_record_of_what_it_sent_keeps_it_running_when_no_worker_answers(db):
    heartbeats_at(NOON, EVERY_QUEUE)
    PeriodicTask.objects.create(
        name="worker-heartbeat-publishing",
        task="core.record_heartbeat",
        interval=IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS),
        last_run_at=NOON + timedelta(minutes=9),
    )
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        processes = background_processes()
    assert states(processes) == {
        "beat": "ok",
        **dict.fromkeys(settings.TASK_QUEUES, "silent"),
    }


def test_a_queue_nobody_takes_is_silent_while_beat_runs_and_the_workspace_hears_of_its_own(
    alice_client, alice_workspace, root_client
):
    heartbeats_at(NOON, EVERY_QUEUE)
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        heartbeats_at(timezone.now(), ["beat", "worker:publishing", "worker:celery"])
        assert states(background_processes()) == {
            "beat": "ok",
            "publishing": "ok",
            "scans": "silent",
            "alerts": "silent",
            "metrics": "silent",
            "mail": "silent",
            "celery": "ok",
        }
        page = alice_client.get("/w/alice-co/health/").text
        assert page.count('data-silent="') == 2  # scans and alerts; metrics and mail stop neither
        assert "Comment scans are not running" in page
        assert "Lead alerts and notifications are not going out" in page

        staff = root_client.get("/staff/overview/").text
        assert 'data-process="workers:scans" data-state="silent"' in staff
        assert 'data-process="workers:publishing" data-state="ok"' in staff
        assert "No worker takes the “scans” queue" in staff

        heartbeats = root_client.get("/admin/core/heartbeat/").text
        assert "No worker takes the scans queue" in heartbeats


def test_a_workspace_is_not_told_of_a_process_that_never_ran(alice_client, alice_workspace):
    # A fresh install: the publisher's "never ran" says it; "Needs you" stays calm.
    assert "Nothing is stuck" in alice_client.get("/w/alice-co/health/").text


def test_beat_pings_every_queue_each_minute_and_the_ping_expires_within_the_minute():
    for queue in settings.TASK_QUEUES:
        entry = settings.CELERY_BEAT_SCHEDULE[f"worker-heartbeat-{queue}"]
        assert entry["task"] == "core.record_heartbeat"
        assert entry["args"] == (f"worker:{queue}",)
        assert entry["schedule"] == 60.0
        assert entry["options"]["queue"] == queue
        assert entry["options"]["expires"] < 60
