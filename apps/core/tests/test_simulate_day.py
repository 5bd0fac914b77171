"""`manage.py simulate_day` at a tiny size: the whole path (sandbox, dispatchers, in-process
tasks, comments arriving, scans, alerts, dashboard visits) and the report's shape."""

import json

import pytest
from django.core.management import call_command

from apps.accounts.models import Workspace
from apps.core import simulation

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_tiny_day_publishes_every_post_in_its_minute_and_alerts_within_60_s(tmp_path):
    report_file = tmp_path / "report.json"
    call_command(
        "simulate_day",
        "--workspaces=5",
        "--speedup=1440",  # four hours in ten seconds, the 09:00 peak minute among them
        "--from-hour=8.5",
        "--hours=4",
        "--in-process",
        f"--json={report_file}",
        stdout=(tmp_path / "out.txt").open("w"),
    )
    report = json.loads(report_file.read_text())

    assert set(report) == {
        "plan",
        "posts",
        "comments",
        "alerts",
        "queues",
        "dashboard",
        "verdict",
        "setup",
    }
    assert report["plan"]["workspaces"] == 5
    posts = report["posts"]
    # 5 workspaces post 3 a day on weekdays; at least one is due in the 09:00 peak minute.
    assert posts["scheduled"] >= 1
    assert posts["published"] == posts["scheduled"]
    assert (posts["late"], posts["unpublished"]) == (0, 0)
    assert 0 <= posts["seconds_after_due"]["max"] < simulation.DEADLINE_SECONDS
    assert set(posts["seconds_after_due"]) == {"p50", "p95", "p99", "max"}
    assert report["comments"]["on_linkedin"] > 0
    assert 0 < report["comments"]["stored"] <= report["comments"]["on_linkedin"]
    alerts = report["alerts"]
    assert alerts["late"] == alerts["unsent"] == alerts["leads_still_waiting_for_their_alert"] == 0
    assert report["dashboard"]["served"] > 0
    assert report["verdict"] == {
        "every_post_within_its_minute": True,
        "every_alert_within_60_s": True,
    }
    assert report["setup"]["workers"] == "in-process"
    output = (tmp_path / "out.txt").read_text()
    assert "Every post within its minute: yes; every alert within 60 s: yes" in output
    # The simulated workspaces are gone again.
    assert not Workspace.objects.filter(slug__startswith=simulation.SLUG_PREFIX).exists()


def test_the_plan_follows_the_capacity_models_assumptions():
    plan = simulation.Plan(workspaces=1000, speedup=96)
    minutes = plan.post_minutes()
    assert len(minutes) == 600  # 3 posts a week on weekdays
    assert minutes.count(simulation.PEAK_MINUTE) >= 30  # 5 % due in the same minute
    assert all(7 * 60 <= m < 19 * 60 for m in minutes)
    assert len(plan.visit_minutes()) == 45_000
    assert plan.duration == 900  # a day in 15 minutes
    assert plan.real_seconds(9 * 60) == 9 * 3600 / 96
