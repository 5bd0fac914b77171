"""The workspace admin: health columns in a fixed number of queries, and the staff actions."""

import io
import zipfile
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import AuditEvent, Workspace
from apps.accounts.tests.factories import MembershipFactory, WorkspaceFactory
from apps.accounts.tests.populated import populate
from apps.content.models import Post
from apps.leads.models import Commenter, Lead
from apps.linkedin.models import LinkedInConnection

CHANGELIST = reverse("admin:accounts_workspace_changelist")


def unhealthy_workspace(n: int) -> Workspace:
    """A workspace with a connection expiring soon, a published, a failed and a
    needs-check post, and a lead from this week."""
    membership = MembershipFactory(workspace__name=f"Tenant {n:02d}", workspace__slug=f"t-{n}")
    workspace = membership.workspace
    now = timezone.now()
    LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub=f"s{n}",
        member_urn=f"urn:li:person:{n}",
        access_token="token",
        access_token_expires_at=now + timedelta(days=3),
        refresh_token="refresh",
    )
    for status in (Post.Status.PUBLISHED, Post.Status.FAILED, Post.Status.NEEDS_CHECK):
        Post.objects.create(
            workspace=workspace,
            text=f"{status} {n}",
            status=status,
            published_at=now - timedelta(hours=n) if status == Post.Status.PUBLISHED else None,
        )
    commenter = Commenter.objects.create(workspace=workspace, actor_urn=f"urn:li:person:c{n}")
    Lead.objects.create(workspace=workspace, commenter=commenter, score=80)
    return workspace


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_changelist_costs_the_same_queries_for_one_workspace_or_thirty(
    root_client, django_assert_max_num_queries
):
    unhealthy_workspace(0)
    one = changelist_queries(root_client)
    for n in range(1, 30):
        unhealthy_workspace(n)
    # user (the session comes from the cache), savepoint, COUNT(*), full COUNT(*), one page of rows
    # with the health columns as subqueries, release savepoint
    assert one <= 6
    with django_assert_max_num_queries(one):
        response = root_client.get(CHANGELIST)
    assert response.context["cl"].result_count == 30


def test_changelist_shows_each_workspaces_health(root_client):
    workspace = unhealthy_workspace(1)
    Lead.objects.create(
        workspace=workspace,
        commenter=Commenter.objects.create(workspace=workspace, actor_urn="urn:li:person:old"),
        created_at=timezone.now() - timedelta(days=9),
    )
    WorkspaceFactory(name="Quiet Tenant")

    response = root_client.get(CHANGELIST)

    rows = {row.name: row for row in response.context["cl"].result_list}
    tenant = rows["Tenant 01"]
    assert (tenant.failed_posts, tenant.needs_check_posts, tenant.leads_this_week) == (1, 1, 1)
    assert tenant.linkedin_status == "connected"
    assert tenant.last_published_at is not None
    quiet = rows["Quiet Tenant"]
    assert (quiet.failed_posts, quiet.leads_this_week, quiet.linkedin_status) == (0, 0, None)
    html = response.content.decode()
    assert "in 2 days" in html or "in 3 days" in html  # token expiry, in words
    assert "Trial" in html  # plan


def test_problem_filter_lists_workspaces_with_failed_posts(root_client):
    unhealthy_workspace(1)
    WorkspaceFactory(name="Quiet Tenant")
    response = root_client.get(CHANGELIST, {"problems": "failed"})
    assert [w.name for w in response.context["cl"].result_list] == ["Tenant 01"]


def run_action(client, action: str, *workspaces):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [w.pk for w in workspaces]},
    )


def test_pause_and_resume_posting_are_audited_with_the_staff_member(root_client, superuser):
    workspace = unhealthy_workspace(1)

    run_action(root_client, "pause_posting", workspace)
    workspace.refresh_from_db()
    assert workspace.posting_paused
    run_action(root_client, "resume_posting", workspace)
    workspace.refresh_from_db()
    assert not workspace.posting_paused

    events = AuditEvent.objects.filter(workspace=workspace, action__startswith="staff.")
    assert [(e.action, e.actor) for e in events.order_by("id")] == [
        ("staff.posting_paused", superuser),
        ("staff.posting_resumed", superuser),
    ]


def test_paused_workspace_posts_are_held_by_the_dispatcher(root_client):
    from apps.content.publishing import dispatch_due_posts

    workspace = unhealthy_workspace(1)
    due = Post.objects.create(
        workspace=workspace,
        text="Due now",
        status=Post.Status.SCHEDULED,
        scheduled_at=timezone.now() - timedelta(minutes=1),
    )
    run_action(root_client, "pause_posting", workspace)

    assert dispatch_due_posts() == 0
    due.refresh_from_db()
    assert due.status == Post.Status.SCHEDULED
    assert "paused" in due.status_reason


def test_retry_failed_posts_reschedules_them_through_publish_now(root_client, superuser):
    workspace = unhealthy_workspace(1)
    failed = Post.objects.get(workspace=workspace, status=Post.Status.FAILED)

    response = run_action(root_client, "retry_failed_posts", workspace)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Post.Status.SCHEDULED
    assert failed.scheduled_at <= timezone.now()
    assert failed.status_reason == ""
    # Unknown outcomes are never retried blindly.
    assert Post.objects.get(workspace=workspace, text__startswith="needs_check").status == (
        Post.Status.NEEDS_CHECK
    )
    actions = set(
        AuditEvent.objects.filter(workspace=workspace, actor=superuser).values_list(
            "action", flat=True
        )
    )
    assert {"post.scheduled", "staff.failed_post_retried"} <= actions


def test_retrying_twice_schedules_the_post_once(root_client):
    workspace = unhealthy_workspace(1)
    run_action(root_client, "retry_failed_posts", workspace)
    run_action(root_client, "retry_failed_posts", workspace)
    assert AuditEvent.objects.filter(action="staff.failed_post_retried").count() == 1


def test_refresh_token_action_enqueues_a_forced_linkedin_refresh(
    root_client, superuser, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.linkedin import tasks

    queued = []
    monkeypatch.setattr(
        tasks.refresh_token, "delay", lambda *args, **kwargs: queued.append((args, kwargs))
    )
    workspace = unhealthy_workspace(1)
    never_connected = WorkspaceFactory(name="Not connected")

    with django_capture_on_commit_callbacks(execute=True):
        run_action(root_client, "refresh_linkedin_token", workspace, never_connected)

    connection_id = LinkedInConnection.objects.get(workspace=workspace).pk
    assert queued == [((connection_id, workspace.pk), {"force": True})]
    event = AuditEvent.objects.get(action="staff.linkedin_refresh_requested")
    assert (event.workspace, event.actor) == (workspace, superuser)


def test_export_action_downloads_the_same_zip_as_the_owner_gets(
    root_client, alice, alice_workspace
):
    populate(alice_workspace, owner=alice)

    response = run_action(root_client, "export_data", alice_workspace)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = set(archive.namelist())
    assert {"workspace.json", "content/post.csv", "leads/lead.json"} <= names
    event = AuditEvent.objects.get(action="workspace.exported")
    assert event.actor.email == "root@example.com"


def test_export_action_wants_exactly_one_workspace(root_client, alice_workspace):
    other = WorkspaceFactory()
    response = run_action(root_client, "export_data", alice_workspace, other)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="workspace.exported").exists()


def test_workspaces_cannot_be_deleted_from_the_admin(root_client, alice_workspace):
    url = reverse("admin:accounts_workspace_delete", args=[alice_workspace.pk])
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    assert Workspace.objects.filter(pk=alice_workspace.pk).exists()


def test_non_staff_cannot_open_the_workspace_admin(alice_client):
    response = alice_client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_audit_log_admin_is_read_only(root_client, alice, alice_workspace):
    event = AuditEvent.objects.create(workspace=alice_workspace, actor=alice, action="x.y")
    change = reverse("admin:accounts_auditevent_change", args=[event.pk])
    assert root_client.post(change, {"action": "forged"}).status_code == 403
    assert root_client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.action == "x.y"
