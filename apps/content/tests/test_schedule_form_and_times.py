"""The schedule form says why it refuses a time the clocks skip or repeat, and "trying
again at HH:MM" is told in the workspace's time zone."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from apps.content.forms import ScheduleForm

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_a_time_the_clocks_skip_is_refused_with_the_reason():
    with timezone.override(BERLIN):
        form = ScheduleForm({"at": "2027-03-28T02:30"})  # 02:00 -> 03:00 that night
        assert not form.is_valid()
    assert "does not exist that day in Europe/Berlin" in form.errors["at"][0]


def test_a_time_the_clocks_pass_twice_is_refused_with_the_reason():
    with timezone.override(BERLIN):
        form = ScheduleForm({"at": "2027-10-31T02:30"})  # 03:00 -> 02:00 that night
        assert not form.is_valid()
    assert "happens twice that day in Europe/Berlin" in form.errors["at"][0]


def test_an_ordinary_time_is_taken_in_the_current_zone():
    with timezone.override(BERLIN):
        form = ScheduleForm({"at": "2027-06-01T09:15"})
        assert form.is_valid()
    assert form.cleaned_data["at"] == datetime(2027, 6, 1, 7, 15, tzinfo=UTC)


def test_the_schedule_page_shows_the_reason_not_enter_a_date(alice_client, alice, alice_workspace):
    from apps.content.models import Post

    alice.timezone = "Europe/Berlin"
    alice.save()
    post = Post.objects.create(
        workspace=alice_workspace, author=alice, text="t", hook="t", status=Post.Status.APPROVED
    )
    page = alice_client.post(
        f"/w/alice-co/content/{post.pk}/schedule/", {"at": "2027-03-28T02:30"}, follow=True
    )
    assert "does not exist that day" in page.text
    assert "Enter a date and time." not in page.text


def test_trying_again_at_is_told_in_the_workspaces_time_zone(alice, alice_workspace):
    from apps.content import publishing
    from apps.content.models import Post

    alice_workspace.timezone = "Europe/Berlin"
    alice_workspace.save()
    post = Post.objects.create(workspace=alice_workspace, author=alice, text="t", hook="t")
    at = datetime(2027, 6, 1, 7, 15, tzinfo=UTC)
    with timezone.override(UTC):  # a worker runs in UTC
        assert publishing._local_time(post, at) == "09:15"
