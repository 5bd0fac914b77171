"""Staff in a real browser: the overview, the workspace changelist with its health columns,
the pause and retry actions, impersonation with its banner, and an owner's data page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import AuditEvent, Workspace
from apps.accounts.tests.factories import TEST_PASSWORD, UserFactory
from apps.content.models import Post
from apps.core.models import Heartbeat
from apps.staffops.tests.test_workspace_admin import unhealthy_workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


def staff_login(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def run_action(page, workspace_name: str, action_label: str):
    page.goto("/admin/accounts/workspace/")
    row = page.locator("#result_list tr", has_text=workspace_name)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_staff_overview_changelist_and_actions(page, screenshot, superuser, alice_workspace):
    for n in range(1, 4):
        unhealthy_workspace(n)
    Heartbeat.objects.create(name="beat", last_seen_at=timezone.now())
    Heartbeat.objects.create(name="dispatcher", last_seen_at=timezone.now())

    staff_login(page, superuser)
    screenshot(page, "admin-index")
    page.get_by_role("link", name="Staff overview").first.click()
    expect(page.get_by_role("heading", name="Staff overview")).to_be_visible()
    expect(page.get_by_text("Queue lag")).to_be_visible()
    screenshot(page, "overview")

    page.goto("/admin/accounts/workspace/")
    expect(page.locator("#result_list").get_by_text("Tenant 02")).to_be_visible()
    screenshot(page, "workspace-changelist")

    run_action(page, "Tenant 02", "Pause posting")
    expect(page.get_by_text("Posting paused in 1 workspace.")).to_be_visible()
    assert Workspace.objects.get(name="Tenant 02").posting_paused
    screenshot(page, "after-pause")

    run_action(page, "Tenant 02", "Retry failed posts now")
    expect(page.get_by_text("1 failed post is scheduled to publish now.")).to_be_visible()
    failed = Post.objects.get(workspace__name="Tenant 02", text__startswith="failed")
    assert failed.status == Post.Status.SCHEDULED

    run_action(page, "Tenant 02", "Resume posting")
    expect(page.get_by_text("Posting resumed in 1 workspace.")).to_be_visible()

    run_action(page, "Tenant 02", "Refresh the LinkedIn token now")
    expect(page.get_by_text("Token refresh queued for 1 workspace(s)")).to_be_visible()

    with page.expect_download() as download:
        run_action(page, "Tenant 02", "Export the workspace's data (zip)")
    assert download.value.suggested_filename.startswith("t-2-export-")
    assert set(AuditEvent.objects.filter(actor=superuser).values_list("action", flat=True)) >= {
        "staff.posting_paused",
        "staff.posting_resumed",
        "staff.failed_post_retried",
    }


def test_superuser_impersonates_a_member_sees_the_banner_and_stops(
    page, screenshot, superuser, bob, alice_workspace
):
    staff_login(page, superuser)
    page.goto("/admin/accounts/user/")
    row = page.locator("#result_list tr", has_text="bob@example.com")
    row.get_by_role("button", name="Impersonate").click()
    page.wait_for_url("**/w/alice-co/**")

    banner = page.locator("#impersonation-banner")
    expect(banner).to_be_visible()
    assert "bob@example.com" in banner.inner_text()
    screenshot(page, "impersonating")

    banner.get_by_role("button", name="Stop impersonating").click()
    page.wait_for_url("**/admin/accounts/user/")
    assert (
        AuditEvent.objects.filter(
            action__in=["staff.impersonation_started", "staff.impersonation_ended"], actor=superuser
        ).count()
        == 2
    )


def test_owner_downloads_the_export_from_the_data_page(page, screenshot, alice, alice_workspace):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")

    page.goto("/w/alice-co/settings/data/")
    screenshot(page, "data-page")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    assert download.value.suggested_filename.startswith("alice-co-export-")

    page.get_by_label("Type the workspace's name to confirm").fill("Alice")
    page.get_by_role("button", name="Delete the workspace for good").click()
    expect(page.get_by_text("Type the workspace's name, Alice Co, to confirm.")).to_be_visible()
    screenshot(page, "data-page-wrong-name")
    assert Workspace.objects.filter(slug="alice-co").exists()
