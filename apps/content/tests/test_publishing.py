"""Publishing against the sandbox over real HTTP: every outcome in the contract."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.content import publishing
from apps.content.models import Post
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import SandboxConfig, running_sandbox
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

SELF_SERVE_SCOPES = ["openid", "profile", "email", "w_member_social"]
ALL_SCOPES = [*SELF_SERVE_SCOPES, "r_member_social", "r_member_postAnalytics"]


@pytest.fixture
def linkedin(settings, request):
    """A self-serve LinkedIn app, or an approved one for tests marked `linkedin_approved`."""
    approved = request.node.get_closest_marker("linkedin_approved") is not None
    config = SandboxConfig(daily_member_limit=10_000, approved=approved)
    with running_sandbox(seed=11, config=config) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        settings.LINKEDIN_TIMEOUT_SECONDS = 1.0
        settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
        yield running


def connect(workspace, linkedin, scopes=None):
    """Connected with every scope the sandbox's app may grant."""
    if scopes is None:
        scopes = ALL_SCOPES if linkedin.sandbox.config.approved else SELF_SERVE_SCOPES
    member = linkedin.sandbox.config.member
    return LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=scopes,
        access_token=linkedin.sandbox.issue_token(scopes),
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )


@pytest.fixture
def connected(alice_workspace, linkedin):
    return connect(alice_workspace, linkedin)


def approved_post(
    workspace,
    author,
    text="We cut deploy time from 40 to 8 minutes. What slows your pipeline down?",
    first_comment="",
):
    return Post.objects.create(
        workspace=workspace,
        author=author,
        text=text,
        first_comment=first_comment,
        status=Post.Status.APPROVED,
    )


def due_post(workspace, author, **kwargs):
    post = approved_post(workspace, author, **kwargs)
    post.status = Post.Status.SCHEDULED
    post.scheduled_at = timezone.now() - timedelta(seconds=5)
    post.save()
    return post


@pytest.fixture
def enqueued(monkeypatch, django_capture_on_commit_callbacks):
    """Publish tasks the dispatcher enqueues, captured instead of sent to a broker."""
    calls = []
    from apps.content import tasks

    monkeypatch.setattr(tasks.publish_post, "delay", lambda *args: calls.append(args))
    monkeypatch.setattr(
        tasks.reconcile_post,
        "apply_async",
        lambda args, countdown=0: calls.append(("reconcile", *args)),
    )
    return calls


def dispatch_and_publish(enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts()
    results = []
    for call in [c for c in enqueued if c[0] != "reconcile"]:
        enqueued.remove(call)
        with django_capture_on_commit_callbacks(execute=True):
            results.append(publishing.publish(post_id=call[0], workspace_id=call[1], claim=call[2]))
    return results


def test_a_due_post_is_published_once_with_urn_url_and_first_comment(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice, first_comment="Slides: https://example.com/s")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.linkedin_urn.startswith("urn:li:share:")
    assert post.linkedin_url == f"https://www.linkedin.com/feed/update/{post.linkedin_urn}"
    assert linkedin.sandbox.post(post.linkedin_urn)["commentary"] == post.text
    comments = linkedin.sandbox.comments(post.linkedin_urn)
    assert "Slides: https://example.com/s" in [c["text"] for c in comments]
    assert post.first_comment_error == ""
    assert list(post.attempts.values_list("outcome", flat=True)) == ["published"]
    assert Notification.objects.filter(event="post.published").exists()
    # Dispatching again publishes nothing more.
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == []
    assert len(linkedin.sandbox.posts()) == 1


def test_a_second_task_for_the_same_claim_never_calls_linkedin_again(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts()
    (call,) = enqueued
    assert publishing.publish(post_id=call[0], workspace_id=call[1], claim=call[2]) == "published"
    assert (
        publishing.publish(post_id=call[0], workspace_id=call[1], claim=call[2]) == "not_publishing"
    )
    assert len(linkedin.sandbox.posts()) == 1
    post.refresh_from_db()
    assert post.publish_attempts == 1


def test_a_task_from_an_older_claim_does_nothing_and_the_newer_one_publishes_once(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts()
    (older,) = enqueued
    # The reaper put the post back and the dispatcher claimed it again, a second later.
    Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED, claimed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts(now=timezone.now() + timedelta(seconds=1))
    newer = enqueued[1]

    assert publishing.publish(post_id=older[0], workspace_id=older[1], claim=older[2]) == "stale"
    assert publishing.publish(post_id=newer[0], workspace_id=newer[1], claim=newer[2]) == (
        "published"
    )
    assert publishing.publish(post_id=older[0], workspace_id=older[1], claim=older[2]) == "stale"
    assert len(linkedin.sandbox.posts()) == 1
    post.refresh_from_db()
    assert post.publish_attempts == 1
    assert post.attempts.count() == 1


def test_a_task_for_a_deleted_post_does_nothing(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts()
    (call,) = enqueued
    post.delete()

    assert publishing.publish(post_id=call[0], workspace_id=call[1], claim=call[2]) == "gone"
    assert linkedin.sandbox.posts() == []


def test_a_task_redelivered_after_the_call_started_goes_to_needs_check(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.dispatch_due_posts()
    (call,) = enqueued
    # The first run claimed the call and died before recording anything else.
    Post.objects.filter(pk=post.pk).update(attempt_started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            publishing.publish(post_id=call[0], workspace_id=call[1], claim=call[2])
            == "needs_check"
        )
    assert linkedin.sandbox.posts() == []
    post.refresh_from_db()
    assert post.status == Post.Status.NEEDS_CHECK


def test_a_server_error_before_acceptance_is_retried_later_with_backoff(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.fail_next(1, status=500, path_prefix="/rest/posts")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["retry"]
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert post.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert "trying again" in post.status_reason
    # Not due yet: the dispatcher leaves it alone; once due it goes out.
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == []
    Post.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    assert len(linkedin.sandbox.posts()) == 1


def test_retries_are_bounded(
    alice,
    alice_workspace,
    connected,
    linkedin,
    enqueued,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PUBLISH_MAX_ATTEMPTS = 2
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.fail_next(5, status=500, path_prefix="/rest/posts")
    dispatch_and_publish(enqueued, django_capture_on_commit_callbacks)
    Post.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["failed"]
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert "unavailable for 2 attempts" in post.status_reason
    assert Notification.objects.filter(event="post.failed").exists()


def test_linkedins_daily_limit_holds_the_post_until_after_midnight_utc_and_says_so(
    alice, alice_workspace, linkedin, enqueued, django_capture_on_commit_callbacks
):
    with running_sandbox(seed=1, config=SandboxConfig(daily_member_limit=0)) as limited:
        from django.conf import settings as django_settings

        django_settings.LINKEDIN_API_BASE = limited.api_base
        connect(alice_workspace, limited)
        post = due_post(alice_workspace, alice)
        results = dispatch_and_publish(enqueued, django_capture_on_commit_callbacks)
    assert results == ["held_for_quota"]
    post.refresh_from_db()
    now = timezone.now().astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    assert post.status == Post.Status.SCHEDULED
    assert midnight < post.next_attempt_at <= midnight + timedelta(minutes=10)
    assert "daily limit" in post.status_reason
    assert "after midnight UTC" in post.status_reason
    assert post.publish_attempts == 0  # the quota used up no retry
    assert Notification.objects.filter(event="post.waiting", body=post.status_reason).exists()


def test_a_short_throttle_is_retried_with_backoff_not_held_until_midnight(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.fail_next(1, status=429, path_prefix="/rest/posts")

    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["retry"]
    post.refresh_from_db()
    assert post.next_attempt_at < timezone.now() + timedelta(hours=1)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_create_is_an_unknown_outcome_never_a_blind_retry(
    alice,
    alice_workspace,
    connected,
    linkedin,
    enqueued,
    django_capture_on_commit_callbacks,
    status,
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.fail_next(1, status=status, path_prefix="/rest/posts")

    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["needs_check"]
    post.refresh_from_db()
    assert post.status == Post.Status.NEEDS_CHECK
    assert [c[0] for c in enqueued] == ["reconcile"]


def test_a_duplicate_after_an_unknown_outcome_marks_the_post_published_with_that_urn(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.drop_connection_after_create(1)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["needs_check"]
    (live,) = linkedin.sandbox.posts()
    # Self-serve: nobody can read the finder, so a person answers "it did not appear" and the
    # post is queued again; LinkedIn then names the post the first call made.
    post.refresh_from_db()
    publishing.resolve_needs_check(post=post, appeared=False, actor=alice)
    enqueued.clear()

    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.linkedin_urn == live["urn"]
    assert len(linkedin.sandbox.posts()) == 1


@pytest.mark.linkedin_approved  # reconciliation reads the posts finder
def test_a_timeout_after_sending_is_never_retried_blindly_and_is_reconciled(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.delay_next(2.5, path_prefix="/rest/posts")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["needs_check"]
    post.refresh_from_db()
    assert post.status == Post.Status.NEEDS_CHECK
    assert ("reconcile", post.pk, alice_workspace.pk) in enqueued
    # The sandbox did create it; reconciliation finds it by its text.
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "found"
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert len(linkedin.sandbox.posts()) == 1


@pytest.mark.linkedin_approved  # reconciliation reads the posts finder
def test_a_dropped_connection_after_creation_is_found_not_reposted(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    linkedin.sandbox.faults.drop_connection_after_create(1)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["needs_check"]
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "found"
    assert len(linkedin.sandbox.posts()) == 1


@pytest.mark.linkedin_approved  # reconciliation reads the posts finder
def test_a_post_linkedin_never_got_is_requeued_by_reconciliation(
    alice, alice_workspace, connected, linkedin
):
    post = due_post(alice_workspace, alice)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.NEEDS_CHECK)
    # One "not there" may be LinkedIn's read side lagging behind: it reads again later.
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "read again"
    post.refresh_from_db()
    assert post.status == Post.Status.NEEDS_CHECK
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "read again"
    Post.objects.filter(pk=post.pk).update(first_missing_at=timezone.now() - timedelta(seconds=121))
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "requeued"
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


@pytest.mark.linkedin_approved
def test_a_post_linkedin_shows_only_on_the_second_read_is_found_not_published_again(
    alice, alice_workspace, connected, linkedin
):
    post = due_post(alice_workspace, alice)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.NEEDS_CHECK)
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "read again"
    # Meanwhile LinkedIn's read side catches up with the post the lost call made.
    urn = linkedin_client(connected).create_post(connected.member_urn, post.text)
    Post.objects.filter(pk=post.pk).update(first_missing_at=timezone.now() - timedelta(seconds=121))
    assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "found"
    post.refresh_from_db()
    assert (post.status, post.linkedin_urn) == (Post.Status.PUBLISHED, urn)


def test_the_reaper_rechecks_needs_check_posts_oldest_first_with_backoff_then_asks_a_person(
    alice, alice_workspace, linkedin, enqueued, settings, django_capture_on_commit_callbacks
):
    from apps.content import tasks

    settings.PUBLISH_RECONCILE_MAX_CHECKS = 2
    rechecked = []
    now = timezone.now()
    posts = [due_post(alice_workspace, alice, text=f"Post {n}") for n in range(3)]
    for age, post in zip((10, 30, 20), posts, strict=True):
        Post.objects.filter(pk=post.pk).update(
            status=Post.Status.NEEDS_CHECK, next_attempt_at=now - timedelta(minutes=age)
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.reconcile_post, "delay", lambda pk, ws: rechecked.append(pk))
        with django_capture_on_commit_callbacks(execute=True):
            publishing.reap_stuck_posts()
        assert rechecked == [posts[1].pk, posts[2].pk, posts[0].pk]  # oldest first
        with django_capture_on_commit_callbacks(execute=True):
            publishing.reap_stuck_posts()
        assert len(rechecked) == 3  # each pushed back by its backoff, not re-queued per run
    for post in posts:
        post.refresh_from_db()
        assert post.next_attempt_at > timezone.now()

    # Out of checks: the post waits for a person, who is asked, and the reaper leaves it.
    Post.objects.filter(pk=posts[0].pk).update(reconcile_checks=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert publishing.reconcile(post_id=posts[0].pk, workspace_id=alice_workspace.pk) == (
            "asked"
        )
    posts[0].refresh_from_db()
    assert posts[0].next_attempt_at is None


def test_without_permission_to_read_posts_the_people_are_asked(
    alice, alice_workspace, linkedin, django_capture_on_commit_callbacks
):
    from django.core import mail

    connect(alice_workspace, linkedin, scopes=["openid", "profile", "w_member_social"])
    post = due_post(alice_workspace, alice)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.NEEDS_CHECK)
    with django_capture_on_commit_callbacks(execute=True):
        assert publishing.reconcile(post_id=post.pk, workspace_id=alice_workspace.pk) == "asked"
    assert Notification.objects.get(event="post.needs_check").url.endswith(f"/{post.pk}/")
    assert any("Did your post appear" in m.subject for m in mail.outbox)
    post.refresh_from_db()
    publishing.resolve_needs_check(
        post=post,
        appeared=True,
        actor=alice,
        url="https://www.linkedin.com/feed/update/urn:li:share:1",
    )
    post.refresh_from_db()
    assert (post.status, post.linkedin_urn) == (Post.Status.PUBLISHED, "urn:li:share:1")


def test_an_expired_token_fails_the_post_and_asks_to_reconnect(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    linkedin.sandbox.expire_token(connected.access_token)
    post = due_post(alice_workspace, alice)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["failed"]
    post.refresh_from_db()
    connected.refresh_from_db()
    assert "Reconnect LinkedIn" in post.status_reason
    assert connected.status == LinkedInConnection.Status.NEEDS_RECONNECT


def test_a_duplicate_fails_with_a_link_to_the_existing_post(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    first = due_post(alice_workspace, alice)
    dispatch_and_publish(enqueued, django_capture_on_commit_callbacks)
    second = due_post(alice_workspace, alice)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["failed"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.linkedin_urn in second.status_reason


def test_a_paused_workspace_keeps_the_post_scheduled_and_says_why(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    alice_workspace.posting_paused = True
    alice_workspace.save()
    post = due_post(alice_workspace, alice)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == []
    dispatch_and_publish(enqueued, django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert post.status_reason == "Posting is paused for this workspace."
    # Told once, however often the dispatcher comes by: the owner, who is also the author.
    assert Notification.objects.filter(event="post.waiting").count() == 1


def test_held_posts_step_aside_so_they_cannot_crowd_out_other_workspaces(
    alice, alice_workspace, charlie, charlie_workspace, linkedin, enqueued
):
    # Alice's workspace is paused with more due posts than the dispatcher takes at once.
    alice_workspace.posting_paused = True
    alice_workspace.save()
    connect(alice_workspace, linkedin)
    held = [due_post(alice_workspace, alice) for _ in range(3)]
    connect(charlie_workspace, linkedin)
    ready = due_post(charlie_workspace, charlie)
    Post.objects.filter(pk=ready.pk).update(scheduled_at=timezone.now())  # the newest

    assert publishing.dispatch_due_posts(limit=3) == 0  # the window is all Alice's
    assert publishing.dispatch_due_posts(limit=3) == 1  # her held posts stepped aside
    ready.refresh_from_db()
    assert ready.status == Post.Status.PUBLISHING
    for post in held:
        post.refresh_from_db()
        assert post.status == Post.Status.SCHEDULED
        assert post.next_attempt_at > timezone.now()


def test_the_reaper_leaves_a_call_that_started_recently_alone(
    alice, alice_workspace, connected, linkedin
):
    post = due_post(alice_workspace, alice)
    long_ago = timezone.now() - timedelta(minutes=30)
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.PUBLISHING, claimed_at=long_ago, attempt_started_at=timezone.now()
    )
    assert publishing.reap_stuck_posts() == 0
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING


def test_a_urn_linkedin_returned_wins_over_a_move_made_during_the_call(
    alice,
    alice_workspace,
    connected,
    linkedin,
    enqueued,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from apps.linkedin.client import LinkedInClient

    post = due_post(alice_workspace, alice)
    original = LinkedInClient.create_post

    def slow_create(self, author, text):
        # While the call is out, someone answers "it is not there" and the post is requeued.
        Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED)
        return original(self, author, text)

    monkeypatch.setattr(LinkedInClient, "create_post", slow_create)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.linkedin_urn


def test_a_scheduled_post_with_a_gap_fails_instead_of_reaching_linkedin(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice, text="Costs.\n\n[your example: a cost cut you led]")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["failed"]
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert "Fill in or remove the gap" in post.status_reason
    assert linkedin.sandbox.posts() == []


# --- The first comment, a step of its own ----------------------------------------------------


def _published_with_comment(alice, alice_workspace, enqueued, capture, text="Slides: /s"):
    post = due_post(alice_workspace, alice, first_comment=text)
    assert dispatch_and_publish(enqueued, capture) == ["published"]
    post.refresh_from_db()
    return post


def test_a_first_comment_linkedin_is_busy_for_is_posted_on_a_later_attempt_once(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    from apps.content.models import FirstComment

    linkedin.sandbox.faults.fail_next(1, status=500, path_prefix="/rest/socialActions/")
    post = _published_with_comment(
        alice, alice_workspace, enqueued, django_capture_on_commit_callbacks
    )
    step = FirstComment.objects.get(post=post)
    assert (step.status, step.attempts) == (FirstComment.Status.PENDING, 1)
    assert linkedin.sandbox.comments(post.linkedin_urn) == []

    FirstComment.objects.update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - timedelta(minutes=5)
    )
    assert publishing.sweep_first_comments() == 1  # its task ran inline: posted now
    step.refresh_from_db()
    post.refresh_from_db()
    assert step.status == FirstComment.Status.DONE
    assert post.first_comment_urn == step.urn != ""
    assert [c["text"] for c in linkedin.sandbox.comments(post.linkedin_urn)] == ["Slides: /s"]
    assert publishing.sweep_first_comments() == 0


def test_a_first_comment_linkedin_refuses_is_not_retried_and_says_why(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    from apps.content.models import FirstComment

    linkedin.sandbox.faults.fail_next(1, status=422, path_prefix="/rest/socialActions/")
    post = _published_with_comment(
        alice, alice_workspace, enqueued, django_capture_on_commit_callbacks
    )
    step = FirstComment.objects.get(post=post)
    assert step.status == FirstComment.Status.REFUSED
    assert post.first_comment_error != ""
    FirstComment.objects.update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - timedelta(minutes=5)
    )
    assert publishing.sweep_first_comments() == 0
    assert linkedin.sandbox.comments(post.linkedin_urn) == []


@pytest.mark.linkedin_approved
def test_a_first_comment_whose_worker_died_mid_call_is_looked_for_before_posting_again(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    from apps.content import tasks
    from apps.content.models import FirstComment

    lost = []
    # The worker dies holding the task: the step stays claimed, the call made.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.post_first_comment, "delay", lambda *args: lost.append(args))
        post = _published_with_comment(
            alice, alice_workspace, enqueued, django_capture_on_commit_callbacks
        )
    step = FirstComment.objects.get(post=post)
    client = linkedin_client(connected)
    client.create_comment(post.linkedin_urn, connected.member_urn, "Slides: /s")
    FirstComment.objects.filter(pk=step.pk).update(
        status=FirstComment.Status.POSTING,
        attempts=1,
        next_attempt_at=timezone.now() - timedelta(seconds=1),  # its lease ran out
    )

    FirstComment.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert publishing.sweep_first_comments() == 1  # taken back and tried again at once
    step.refresh_from_db()
    assert step.status == FirstComment.Status.DONE
    assert step.maybe_posted
    assert len(linkedin.sandbox.comments(post.linkedin_urn)) == 1  # found, not posted twice


def linkedin_client(connection):
    from apps.linkedin.client import LinkedInClient

    return LinkedInClient(connection.access_token)
