import pytest

from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import running_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox(settings, live_server):
    with running_sandbox(seed=5) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        settings.SITE_URL = live_server.url  # LinkedIn sends the browser back here
        yield running


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/**")


def test_an_owner_connects_linkedin_through_the_consent_page(
    page, screenshot, sandbox, alice, alice_workspace
):
    log_in(page, alice)
    page.goto("/w/alice-co/settings/linkedin/")
    assert page.get_by_test_id("linkedin-state").inner_text() == "Not connected"
    screenshot(page, "not-connected")
    page.get_by_role("button", name="Connect LinkedIn").click()

    page.wait_for_url(f"{sandbox.oauth_base}/authorization**")
    screenshot(page, "consent")
    page.get_by_role("button", name="Allow").click()

    page.wait_for_url("**/w/alice-co/settings/linkedin/")
    assert page.get_by_test_id("linkedin-state").inner_text() == "Connected"
    assert page.get_by_text("LinkedIn connected as").is_visible()
    screenshot(page, "connected")
    assert LinkedInConnection.objects.get(workspace=alice_workspace).status == "connected"


def test_cancelling_on_the_consent_page_says_nothing_was_connected(
    page, screenshot, sandbox, alice, alice_workspace
):
    log_in(page, alice)
    page.goto("/w/alice-co/settings/linkedin/")
    page.get_by_role("button", name="Connect LinkedIn").click()
    page.wait_for_url(f"{sandbox.oauth_base}/authorization**")
    page.get_by_role("button", name="Cancel").click()

    page.wait_for_url("**/w/alice-co/settings/linkedin/")
    assert page.get_by_text("You cancelled on LinkedIn, so nothing was connected.").is_visible()
    screenshot(page, "cancelled")
    assert not LinkedInConnection.objects.exists()
