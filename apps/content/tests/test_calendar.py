import zoneinfo
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import include, path

from apps.accounts.models import Role
from apps.accounts.tests.factories import MembershipFactory, UserFactory
from apps.content import calendar_urls
from apps.content.calendar import month_grid, week_grid
from apps.content.models import Post, PostingSlot

# The calendar's URLs ahead of the project's, so these tests run before and after they are
# mounted in techlead/urls.py.
urlpatterns = [
    path("w/<slug:workspace_slug>/", include(calendar_urls.workspace_urlpatterns)),
    path("", include("techlead.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def now():
    # Wednesday 18 March 2026, 11:00 UTC: the week of Monday the 16th; Berlin still on CET.
    with time_machine.travel(datetime(2026, 3, 18, 11, 0, tzinfo=UTC), tick=False):
        yield


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/calendar/{rest}"


def make_post(workspace, *, status=Post.Status.SCHEDULED, hook="Kafka is not a database", **kw):
    return Post.objects.create(workspace=workspace, text=hook, hook=hook, status=status, **kw)


def slot(workspace, weekday, hh, mm=0):
    return PostingSlot.objects.create(workspace=workspace, weekday=weekday, local_time=time(hh, mm))


# --- The grids -----------------------------------------------------------------------------


def test_a_post_lands_on_the_viewers_day_not_the_workspaces(alice_workspace):
    # Tuesday 02:30 in Berlin is still Monday evening in New York.
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 24, 2, 30, tzinfo=BERLIN))

    grid = week_grid(workspace=alice_workspace, start=date(2026, 3, 25), tz=NEW_YORK)

    assert grid["start"] == date(2026, 3, 23)
    monday, tuesday = grid["days"][0], grid["days"][1]
    assert [item.post for item in monday.items] == [post]
    assert monday.items[0].at.strftime("%H:%M") == "21:30"
    assert tuesday.items == []


def test_a_slot_taken_by_a_post_is_not_shown_as_free(alice_workspace):
    slot(alice_workspace, 0, 9)  # Monday 09:00 Berlin
    slot(alice_workspace, 2, 14)  # Wednesday 14:00 Berlin
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN))

    grid = week_grid(workspace=alice_workspace, start=date(2026, 3, 23), tz=BERLIN)

    monday, wednesday = grid["days"][0], grid["days"][2]
    assert [(item.post, item.is_free_slot) for item in monday.items] == [(post, False)]
    assert [(item.at.strftime("%H:%M"), item.is_free_slot) for item in wednesday.items] == [
        ("14:00", True)
    ]


def test_slots_that_have_passed_are_not_offered(alice_workspace):
    slot(alice_workspace, 0, 9)  # Monday the 16th has gone by; "now" is Wednesday the 18th
    slot(alice_workspace, 4, 9)

    grid = week_grid(workspace=alice_workspace, start=date(2026, 3, 16), tz=BERLIN)

    assert [day.date.day for day in grid["days"] if day.items] == [20]


def test_the_month_runs_monday_to_sunday_and_marks_the_days_outside_it(alice_workspace):
    published = make_post(
        alice_workspace,
        status=Post.Status.PUBLISHED,
        published_at=datetime(2026, 3, 2, 8, 5, tzinfo=BERLIN),
        scheduled_at=datetime(2026, 3, 2, 8, 0, tzinfo=BERLIN),
    )

    grid = month_grid(workspace=alice_workspace, year=2026, month=3, tz=BERLIN)

    days = grid["days"]
    assert (days[0].date, days[-1].date) == (date(2026, 2, 23), date(2026, 4, 5))
    assert len(grid["weeks"]) == 6
    assert all(len(week) == 7 for week in grid["weeks"])
    assert not days[0].in_month
    assert days[6].in_month
    assert [item.post for item in grid["days_with_items"][0].items] == [published]
    assert (grid["previous"], grid["next"]) == (date(2026, 2, 1), date(2026, 4, 1))


def test_posts_are_placed_by_the_time_that_matters_for_their_status(alice_workspace):
    at = datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)
    make_post(alice_workspace, status=Post.Status.FAILED, scheduled_at=at, hook="failed")
    make_post(alice_workspace, status=Post.Status.NEEDS_CHECK, scheduled_at=at, hook="check")
    make_post(
        alice_workspace,
        status=Post.Status.PUBLISHED,
        scheduled_at=datetime(2026, 3, 13, 9, 0, tzinfo=BERLIN),
        published_at=datetime(2026, 3, 21, 9, 0, tzinfo=BERLIN),
        hook="published late",
    )
    make_post(alice_workspace, status=Post.Status.APPROVED, scheduled_at=at, hook="approved")
    make_post(alice_workspace, status=Post.Status.DRAFT, hook="draft")

    grid = week_grid(workspace=alice_workspace, start=date(2026, 3, 16), tz=BERLIN)

    friday, saturday = grid["days"][4], grid["days"][5]
    assert [item.post.hook for item in friday.items] == ["failed", "check"]
    assert [item.post.hook for item in saturday.items] == ["published late"]


# --- The week and month pages --------------------------------------------------------------


def test_the_week_shows_a_scheduled_post_at_the_users_local_time(
    alice_client, alice, alice_workspace
):
    alice.timezone = "America/New_York"
    alice.save(update_fields=["timezone"])
    make_post(alice_workspace, scheduled_at=datetime(2026, 3, 24, 2, 30, tzinfo=BERLIN))

    response = alice_client.get(url(alice_workspace, "?week=2026-03-23"))

    assert response.status_code == 200
    text = response.text
    monday = text.index('<time datetime="2026-03-23">')
    tuesday = text.index('<time datetime="2026-03-24">')
    post_at = text.index('<time datetime="2026-03-23T21:30:00-04:00">21:30</time>')
    assert monday < post_at < tuesday
    assert "Kafka is not a database" in text
    assert f'href="/w/alice-co/content/{Post.objects.get().pk}/"' in text
    assert "Times are in your time zone, America/New_York." in text
    assert "Posting slots follow the workspace's time zone, Europe/Berlin." in text


def test_the_week_shows_free_slots(alice_client, alice_workspace):
    slot(alice_workspace, 3, 10)  # Thursday 10:00 Berlin, 09:00 for Alice in UTC

    response = alice_client.get(url(alice_workspace))

    assert response.text.count('class="cal-item cal-free"') == 1
    assert '<time datetime="2026-03-19T09:00:00+00:00">09:00</time> Free slot' in response.text


def test_an_empty_week_points_to_the_week_of_the_next_scheduled_post(alice_client, alice_workspace):
    # Queued into next week's slot (Tuesday 24 March, 09:00 Berlin): right after queueing,
    # this week's calendar must not just say "Nothing planned".
    make_post(alice_workspace, scheduled_at=datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN))

    response = alice_client.get(url(alice_workspace))

    assert "Your next scheduled post goes out on Tuesday 24 Mar, 08:00." in response.text
    assert 'href="/w/alice-co/calendar/?week=2026-03-23"' in response.text


def test_a_week_with_posts_does_not_point_elsewhere(alice_client, alice_workspace):
    make_post(alice_workspace, scheduled_at=datetime(2026, 3, 19, 9, 0, tzinfo=BERLIN))
    make_post(alice_workspace, scheduled_at=datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN))

    response = alice_client.get(url(alice_workspace))

    assert "Your next scheduled post" not in response.text


def test_the_month_view_lists_published_posts(alice_client, alice_workspace):
    make_post(
        alice_workspace,
        status=Post.Status.PUBLISHED,
        hook="What our cost review found",
        scheduled_at=datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN),
        published_at=datetime(2026, 3, 5, 9, 1, tzinfo=BERLIN),
    )

    response = alice_client.get(url(alice_workspace, "month/?month=2026-03"))

    assert response.status_code == 200
    assert "March 2026" in response.text
    # In the grid and again in the list that phones see.
    assert response.text.count("What our cost review found") == 2
    assert '<span class="badge ok">Published</span>' in response.text


def test_navigation_links_work_without_javascript(alice_client, alice_workspace):
    week = alice_client.get(url(alice_workspace, "?week=2026-03-26")).text
    assert 'href="/w/alice-co/calendar/?week=2026-03-16"' in week  # previous, from the 23rd
    assert 'href="/w/alice-co/calendar/?week=2026-03-30"' in week
    assert 'href="/w/alice-co/calendar/month/?month=2026-03"' in week
    assert 'hx-get="/w/alice-co/calendar/?week=2026-03-30" hx-push-url="true"' in week

    month = alice_client.get(url(alice_workspace, "month/?month=2026-01")).text
    assert 'href="/w/alice-co/calendar/month/?month=2025-12"' in month
    assert 'href="/w/alice-co/calendar/month/?month=2026-02"' in month
    assert 'href="/w/alice-co/calendar/month/?month=2026-03"' in month  # today
    assert 'href="/w/alice-co/calendar/?week=2025-12-29"' in month  # the week of 1 January


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("?week=soon", "16 Mar \u2013 22 Mar 2026"),
        ("?week=0001-01-01", "16 Mar \u2013 22 Mar 2026"),
        ("month/?month=2026-13", "March 2026"),
    ],
)
def test_a_nonsense_period_shows_the_current_one(alice_client, alice_workspace, query, heading):
    response = alice_client.get(url(alice_workspace, query))

    assert response.status_code == 200
    assert f"<h2>{heading}</h2>" in response.text
    assert 'aria-current="date"' in response.text


def test_htmx_navigation_gets_only_the_grid(alice_client, alice_workspace):
    response = alice_client.get(
        url(alice_workspace, "?week=2026-03-30"), headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith('<div id="calendar-grid"')
    assert "<html" not in response.text
    assert "30 Mar \u2013 5 Apr 2026" in response.text


def test_the_week_runs_a_fixed_number_of_queries(
    alice_client, alice, alice_workspace, django_assert_num_queries
):
    slot(alice_workspace, 1, 9)
    slot(alice_workspace, 3, 9)
    for day in (19, 20, 21):
        make_post(
            alice_workspace,
            author=alice,
            scheduled_at=datetime(2026, 3, day, 9, 0, tzinfo=BERLIN),
            hook=f"post {day}",
        )
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # posts+authors, slots, unread notifications; savepoint and release.
    with django_assert_num_queries(7):
        response = alice_client.get(url(alice_workspace))
    assert response.text.count("cal-item cal-post") == 3


def test_the_month_runs_the_same_number_of_queries(
    alice_client, alice, alice_workspace, django_assert_num_queries
):
    slot(alice_workspace, 1, 9)
    for day in (3, 10, 20, 28):
        make_post(
            alice_workspace,
            author=alice,
            scheduled_at=datetime(2026, 3, day, 9, 0, tzinfo=BERLIN),
            status=Post.Status.PUBLISHED,
            published_at=datetime(2026, 3, day, 9, 0, tzinfo=BERLIN),
        )
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # posts+authors, slots, unread notifications; savepoint and release.
    with django_assert_num_queries(7):
        alice_client.get(url(alice_workspace, "month/?month=2026-03"))


def test_a_viewer_sees_the_calendar_without_reschedule_forms(client, alice_workspace):
    viewer = UserFactory()
    MembershipFactory(workspace=alice_workspace, user=viewer, role=Role.VIEWER)
    make_post(alice_workspace, scheduled_at=datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))
    client.force_login(viewer)

    response = client.get(url(alice_workspace))

    assert "Kafka is not a database" in response.text
    assert 'type="datetime-local"' not in response.text


def test_charlie_cannot_see_alices_calendar(charlie_client, alice_workspace):
    assert charlie_client.get(url(alice_workspace)).status_code == 404
    assert charlie_client.get(url(alice_workspace, "month/")).status_code == 404


# --- Rescheduling --------------------------------------------------------------------------


def test_rescheduling_over_htmx_moves_the_post_and_redraws_the_grid(alice_client, alice_workspace):
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))

    response = alice_client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"),
        {"at": "2026-03-19T16:45", "week": "2026-03-16"},
        headers={"HX-Request": "true"},
    )

    post.refresh_from_db()
    assert post.scheduled_at == datetime(2026, 3, 19, 16, 45, tzinfo=UTC)  # Alice's zone: UTC
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="calendar-grid"')
    assert "Moved to" in response.text
    assert '<time datetime="2026-03-19T16:45:00+00:00">16:45</time>' in response.text


def test_rescheduling_reads_the_time_in_the_users_zone(alice_client, alice, alice_workspace):
    alice.timezone = "America/New_York"
    alice.save(update_fields=["timezone"])
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))

    response = alice_client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"),
        {"at": "2026-04-02T08:00", "month": "2026-04"},
    )

    assert response.status_code == 302
    assert response.url == "/w/alice-co/calendar/month/?month=2026-04"
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2026, 4, 2, 8, 0, tzinfo=NEW_YORK)
    assert "Moved to" in alice_client.get(response.url).text


def test_a_viewer_cannot_reschedule(client, alice_workspace):
    viewer = UserFactory()
    MembershipFactory(workspace=alice_workspace, user=viewer, role=Role.VIEWER)
    at = datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)
    post = make_post(alice_workspace, scheduled_at=at)
    client.force_login(viewer)

    response = client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"), {"at": "2026-03-21T09:00"}
    )

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.scheduled_at == at


def test_a_draft_cannot_be_rescheduled(alice_client, alice_workspace):
    draft = make_post(alice_workspace, status=Post.Status.DRAFT)

    plain = alice_client.post(
        url(alice_workspace, f"{draft.pk}/reschedule/"), {"at": "2026-03-21T09:00"}
    )
    htmx = alice_client.post(
        url(alice_workspace, f"{draft.pk}/reschedule/"),
        {"at": "2026-03-21T09:00"},
        headers={"HX-Request": "true"},
    )

    assert plain.status_code == 400
    assert "Only approved posts can be scheduled." in plain.text
    assert htmx.status_code == 200
    assert htmx.text.lstrip().startswith('<div id="calendar-grid"')
    assert "Only approved posts can be scheduled." in htmx.text
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_at) == (Post.Status.DRAFT, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-03-01T09:00", "Choose a time in the future."), ("tomorrow", "Enter a date and time.")],
)
def test_a_bad_time_is_refused_with_a_message(alice_client, alice_workspace, value, message):
    at = datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)
    post = make_post(alice_workspace, scheduled_at=at)

    response = alice_client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"),
        {"at": value},
        headers={"HX-Request": "true"},
    )

    assert message in response.text
    post.refresh_from_db()
    assert post.scheduled_at == at


def test_another_workspaces_post_is_not_found(charlie_client, alice_workspace, charlie_workspace):
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))

    own_workspace = charlie_client.post(
        url(charlie_workspace, f"{post.pk}/reschedule/"), {"at": "2026-03-21T09:00"}
    )
    alices_workspace = charlie_client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"), {"at": "2026-03-21T09:00"}
    )

    assert (own_workspace.status_code, alices_workspace.status_code) == (404, 404)
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)


# --- Daylight saving -----------------------------------------------------------------------


def test_a_berlin_slot_stays_at_nine_across_the_spring_change(alice_client, alice, alice_workspace):
    alice.timezone = "Europe/Berlin"
    alice.save(update_fields=["timezone"])
    slot(alice_workspace, 0, 9)  # Monday 09:00; clocks go forward on Sunday 29 March 2026

    with time_machine.travel(datetime(2026, 3, 22, 12, 0, tzinfo=UTC), tick=False):
        before = alice_client.get(url(alice_workspace, "?week=2026-03-23")).text
        after = alice_client.get(url(alice_workspace, "?week=2026-03-30")).text

    assert '<time datetime="2026-03-23T09:00:00+01:00">09:00</time> Free slot' in before
    assert '<time datetime="2026-03-30T09:00:00+02:00">09:00</time> Free slot' in after


def test_an_editor_cannot_reschedule(bob_client, alice_workspace):
    post = make_post(alice_workspace, scheduled_at=datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN))
    response = bob_client.post(
        url(alice_workspace, f"{post.pk}/reschedule/"), {"at": "2026-03-20T09:00"}
    )
    assert response.status_code == 403
