"""Sign-up in a real browser: the consultant's time zone comes from the browser."""

import pytest

from apps.accounts.models import User, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_up_in_new_york_starts_the_workspace_in_new_york(request, live_server):
    browser = request.getfixturevalue("_playwright_browser")
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="America/New_York"
    )
    page = context.new_page()
    try:
        page.goto("/accounts/signup/")
        assert page.locator("input[name=timezone]").input_value() == "America/New_York"
        page.fill("input[name=full_name]", "Nia York")
        page.fill("input[name=email]", "nyc@example.com")
        page.fill("input[name=password1]", "a-Long-passw0rd!")
        page.fill("input[name=password2]", "a-Long-passw0rd!")
        page.click("button[type=submit]")
        page.wait_for_url("**/accounts/confirm-email/")
    finally:
        context.close()

    user = User.objects.get(email="nyc@example.com")
    assert user.timezone == "America/New_York"
    assert Workspace.objects.get(membership__user=user).timezone == "America/New_York"
