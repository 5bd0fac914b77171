from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.content import scheduling
from apps.content.models import Post, PostingSlot
from apps.content.services import ContentError

pytestmark = pytest.mark.django_db


def approved(workspace, author, text="Approved text. What do you think?"):
    return Post.objects.create(
        workspace=workspace, author=author, text=text, status=Post.Status.APPROVED
    )


@pytest.mark.parametrize(
    ("today", "expected_utc"),
    [
        # The Monday before the March change (CET, UTC+1) and the one after (CEST, UTC+2).
        (datetime(2026, 3, 22, 12, tzinfo=UTC), datetime(2026, 3, 23, 8, tzinfo=UTC)),
        (datetime(2026, 3, 29, 12, tzinfo=UTC), datetime(2026, 3, 30, 7, tzinfo=UTC)),
        # Around the October change back.
        (datetime(2026, 10, 18, 12, tzinfo=UTC), datetime(2026, 10, 19, 7, tzinfo=UTC)),
        (datetime(2026, 10, 25, 12, tzinfo=UTC), datetime(2026, 10, 26, 8, tzinfo=UTC)),
    ],
)
def test_a_berlin_nine_oclock_slot_is_nine_oclock_local_across_daylight_saving(
    alice, alice_workspace, today, expected_utc
):
    PostingSlot.objects.create(workspace=alice_workspace, weekday=0, local_time=time(9))
    with time_machine.travel(today, tick=False):
        post = scheduling.post_add_to_queue(post=approved(alice_workspace, alice), actor=alice)
    assert post.scheduled_at == expected_utc
    assert post.scheduled_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).hour == 9


def test_a_slot_inside_the_spring_gap_moves_past_it(alice_workspace):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    when = scheduling.local_occurrence(datetime(2026, 3, 29).date(), time(2, 30), tz)
    assert (when.hour, when.minute) == (3, 30)


def test_the_queue_takes_the_next_free_slot(alice, alice_workspace):
    PostingSlot.objects.create(workspace=alice_workspace, weekday=1, local_time=time(8, 30))
    PostingSlot.objects.create(workspace=alice_workspace, weekday=3, local_time=time(12))
    with time_machine.travel(datetime(2026, 6, 1, 6, tzinfo=UTC), tick=False):  # a Monday
        first = scheduling.post_add_to_queue(
            post=approved(alice_workspace, alice, "One?"), actor=alice
        )
        second = scheduling.post_add_to_queue(
            post=approved(alice_workspace, alice, "Two?"), actor=alice
        )
        third = scheduling.post_add_to_queue(
            post=approved(alice_workspace, alice, "Three?"), actor=alice
        )
    local = [
        timezone.localtime(
            p.scheduled_at, __import__("zoneinfo").ZoneInfo("Europe/Berlin")
        ).strftime("%a %H:%M")
        for p in (first, second, third)
    ]
    assert local == ["Tue 08:30", "Thu 12:00", "Tue 08:30"]
    assert third.scheduled_at - first.scheduled_at == timedelta(days=7)


def test_queueing_without_slots_explains_what_to_do(alice, alice_workspace):
    with pytest.raises(ContentError, match="Add weekly slots"):
        scheduling.post_add_to_queue(post=approved(alice_workspace, alice), actor=alice)


def test_only_approved_posts_can_be_scheduled(alice, alice_workspace):
    draft = Post.objects.create(workspace=alice_workspace, author=alice, text="Draft")
    with pytest.raises(ContentError, match="Only approved posts"):
        scheduling.post_schedule(post=draft, at=timezone.now() + timedelta(hours=1), actor=alice)


def test_unscheduling_returns_the_post_to_approved(alice, alice_workspace):
    post = scheduling.post_schedule(
        post=approved(alice_workspace, alice), at=timezone.now() + timedelta(hours=2), actor=alice
    )
    post = scheduling.post_unschedule(post=post, actor=alice)
    assert (post.status, post.scheduled_at) == (Post.Status.APPROVED, None)


def test_a_post_being_published_cannot_be_unscheduled(alice, alice_workspace):
    post = scheduling.post_schedule(
        post=approved(alice_workspace, alice), at=timezone.now(), actor=alice
    )
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHING)
    with pytest.raises(ContentError, match="being published right now"):
        scheduling.post_unschedule(post=post, actor=alice)


def test_scheduling_from_the_editor_reads_the_time_in_the_users_zone(
    alice_client, alice, alice_workspace
):
    alice.timezone = "America/New_York"
    alice.save()
    post = approved(alice_workspace, alice)
    alice_client.post(f"/w/alice-co/content/{post.pk}/schedule/", {"at": "2030-01-15T09:30"})
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2030, 1, 15, 14, 30, tzinfo=UTC)


def test_an_editor_cannot_schedule(bob_client, alice, alice_workspace):
    post = approved(alice_workspace, alice)
    assert bob_client.post(f"/w/alice-co/content/{post.pk}/publish-now/").status_code == 403


def test_the_slots_page_suggests_times_and_adds_one(alice_client, alice_workspace):
    page = alice_client.get("/w/alice-co/settings/slots/")
    assert "Suggested times" in page.text
    assert 'class="heatmap' in page.text
    alice_client.post("/w/alice-co/settings/slots/suggested/", {"weekday": "1", "hour": "9"})
    assert PostingSlot.objects.get(workspace=alice_workspace).local_time == time(9)


def test_the_health_page_lists_what_needs_attention(alice_client, alice, alice_workspace):
    Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Broken post",
        hook="Broken post",
        status=Post.Status.FAILED,
        status_reason="LinkedIn refused the post: too long",
    )
    page = alice_client.get("/w/alice-co/health/")
    assert "LinkedIn refused the post: too long" in page.text
    assert "Not connected" in page.text


def test_staff_see_publishing_health_across_workspaces(
    client, alice, alice_workspace, charlie_workspace
):
    from apps.accounts.models import User

    Post.objects.create(
        workspace=alice_workspace, author=alice, text="x", status=Post.Status.NEEDS_CHECK
    )
    client.force_login(alice)
    assert client.get("/staff/health/").status_code == 302
    client.force_login(User.objects.create_user("ops@example.com", "pw", is_staff=True))
    page = client.get("/staff/health/")
    assert "Alice Co" in page.text
    assert "Charlie Co" not in page.text


def test_the_best_time_model_learns_from_each_posts_latest_metrics(alice, alice_workspace):
    from apps.content.selectors import best_time_model

    # Fridays at 16:00 Berlin time engage 6% of their readers, Tuesdays at 09:00 hardly 1%.
    fridays = datetime(2026, 5, 1, 14, tzinfo=UTC)
    tuesdays = datetime(2026, 5, 5, 7, tzinfo=UTC)
    for week in range(8):
        for start, reactions in ((fridays, 120), (tuesdays, 15)):
            Post.objects.create(
                workspace=alice_workspace,
                author=alice,
                text=f"p{week}{reactions}",
                status=Post.Status.PUBLISHED,
                published_at=start + timedelta(weeks=week),
                impressions=2000,
                reactions=reactions,
                comment_count=reactions // 10,
                reshares=1,
            )
    model = best_time_model(workspace=alice_workspace)
    assert (4, 16) in model.top_slots(5)
    assert (1, 9) not in model.top_slots(5)


def test_the_best_time_model_ranks_hours_that_bring_inquiries_above_hours_of_likes(
    alice, alice_workspace
):
    from apps.content.selectors import best_time_model
    from apps.leads.models import Comment, Commenter, Lead
    from apps.leads.services import attribute_comment

    # Same reach and likes at both times; only Wednesdays at 11:00 bring inquiries.
    likes = datetime(2026, 5, 5, 7, tzinfo=UTC)  # Tuesday 09:00 Berlin
    inquiries = datetime(2026, 5, 6, 9, tzinfo=UTC)  # Wednesday 11:00 Berlin
    for week in range(6):
        for start in (likes, inquiries):
            post = Post.objects.create(
                workspace=alice_workspace,
                author=alice,
                text=f"p{week}{start.day}",
                status=Post.Status.PUBLISHED,
                published_at=start + timedelta(weeks=week),
                impressions=2000,
                reactions=60,
                comment_count=4,
                reshares=0,
            )
            if start is inquiries:
                commenter = Commenter.objects.create(
                    workspace=alice_workspace, actor_urn=f"urn:li:person:w{week}"
                )
                lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter)
                comment = Comment.objects.create(
                    workspace=alice_workspace,
                    post=post,
                    commenter=commenter,
                    lead=lead,
                    urn=f"urn:li:comment:w{week}",
                    text="What is your day rate?",
                    commented_at=start + timedelta(weeks=week, hours=2),
                )
                attribute_comment(lead=lead, comment=comment)
    model = best_time_model(workspace=alice_workspace)
    assert model.scores[2][11] > model.scores[1][9]


def test_the_best_time_model_reads_posts_and_their_leads_in_one_query_not_a_lead_left_out(
    alice, alice_workspace, django_assert_num_queries
):
    from apps.content.selectors import best_time_model
    from apps.leads.models import Commenter, Lead

    # Same reach and likes on Tuesdays and Thursdays at 09:00 Berlin; each post brought a
    # lead, but Thursday's were all marked "not a lead".
    tuesdays = datetime(2026, 5, 5, 7, tzinfo=UTC)
    thursdays = datetime(2026, 5, 7, 7, tzinfo=UTC)
    for week in range(6):
        for start, status in ((tuesdays, Lead.Status.NEW), (thursdays, Lead.Status.NOT_A_LEAD)):
            post = Post.objects.create(
                workspace=alice_workspace,
                author=alice,
                text=f"p{week}{start.day}",
                status=Post.Status.PUBLISHED,
                published_at=start + timedelta(weeks=week),
                impressions=2000,
                reactions=60,
                comment_count=4,
                reshares=0,
            )
            commenter = Commenter.objects.create(
                workspace=alice_workspace, actor_urn=f"urn:li:person:b{week}{start.day}"
            )
            Lead.objects.create(
                workspace=alice_workspace, commenter=commenter, status=status, source_post=post
            )
    with django_assert_num_queries(1):
        model = best_time_model(workspace=alice_workspace)

    assert model.scores[1][9] > model.scores[3][9]


def test_one_tiny_post_with_a_lead_does_not_outshine_weeks_of_well_read_posts(
    alice, alice_workspace
):
    from apps.content.selectors import best_time_model
    from apps.leads.models import Comment, Commenter, Lead
    from apps.leads.services import attribute_comment

    # Eight Tuesdays at 09:00 Berlin reach 3,000 people and engage 5% of them.
    for week in range(8):
        Post.objects.create(
            workspace=alice_workspace,
            author=alice,
            text=f"tuesday {week}",
            status=Post.Status.PUBLISHED,
            published_at=datetime(2026, 5, 5, 7, tzinfo=UTC) + timedelta(weeks=week),
            impressions=3000,
            reactions=140,
            comment_count=10,
            reshares=0,
        )
    # One Sunday-night post read by 40 people happened to bring an inquiry.
    tiny = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="sunday",
        status=Post.Status.PUBLISHED,
        published_at=datetime(2026, 5, 10, 19, tzinfo=UTC),  # 21:00 Berlin
        impressions=40,
        reactions=2,
        comment_count=1,
        reshares=0,
    )
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:s")
    lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter)
    comment = Comment.objects.create(
        workspace=alice_workspace,
        post=tiny,
        commenter=commenter,
        lead=lead,
        urn="urn:li:comment:s",
        text="Rate?",
        commented_at=tiny.published_at + timedelta(hours=1),
    )
    attribute_comment(lead=lead, comment=comment)

    model = best_time_model(workspace=alice_workspace)
    assert model.scores[1][9] > model.scores[6][21]


def test_without_analytics_the_best_time_model_measures_engagement_against_a_typical_reach(
    alice, alice_workspace
):
    from apps.content.selectors import best_time_model

    fridays = datetime(2026, 5, 1, 14, tzinfo=UTC)
    tuesdays = datetime(2026, 5, 5, 7, tzinfo=UTC)
    for week in range(8):
        for start, comments in ((fridays, 40), (tuesdays, 1)):
            Post.objects.create(
                workspace=alice_workspace,
                author=alice,
                text=f"p{week}{comments}",
                status=Post.Status.PUBLISHED,
                published_at=start + timedelta(weeks=week),
                impressions=None,
                reactions=comments * 2,
                comment_count=comments,
            )
    assert (4, 16) in best_time_model(workspace=alice_workspace).top_slots(5)
