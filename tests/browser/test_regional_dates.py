"""A British browser reads "8 Dec 2026", an American one "Dec 8, 2026": the browser's own
locale (Playwright's context locale sets its Accept-Language) decides the English dates."""

import datetime

import pytest

from apps.content.models import PastPost

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published_date_seen(browser, live_server, user, locale: str) -> str:
    context = browser.new_context(base_url=live_server.url, locale=locale)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password:").fill("correct-horse-battery-staple")
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/w/**")
        page.goto("/w/alice-co/content/past-posts/")
        return page.locator("#past-post-list td").first.inner_text()
    finally:
        context.close()


def test_english_dates_follow_the_browsers_region(request, live_server, alice, alice_workspace):
    browser = request.getfixturevalue("_playwright_browser")  # one context per locale
    PastPost.objects.create(
        workspace=alice_workspace,
        text="Why do platform teams burn out?",
        published_at=datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC),
    )
    assert _published_date_seen(browser, live_server, alice, "en-GB") == "8 Dec 2026"
    assert _published_date_seen(browser, live_server, alice, "en-US") == "Dec 8, 2026"
