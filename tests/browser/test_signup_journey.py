import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-passw0rd!"


def test_a_consultant_signs_up_verifies_logs_in_and_switches_to_german(page, screenshot):
    page.goto("/")
    screenshot(page, "landing")
    page.get_by_role("link", name="Start free").first.click()

    page.get_by_label("Your name").fill("Nina Novak")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link.split("testserver", 1)[-1] if "testserver" in link else link)
    screenshot(page, "confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/w/[\w-]+/$"))

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/w/[\w-]+/$"))
    assert page.get_by_role("heading", name="Welcome, Nina Novak").is_visible()
    screenshot(page, "dashboard")

    with page.expect_navigation():
        page.select_option("#language-picker", "de")
    assert page.get_by_role("link", name="Einstellungen").is_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    screenshot(page, "dashboard-de")


def test_the_shell_fits_a_phone(page, screenshot, alice, alice_workspace):
    from apps.notifications.models import Event, Notification

    Notification.objects.create(
        workspace=alice_workspace, user=alice, event=Event.POST_FAILED, title="A post failed"
    )
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")
    screenshot(page, "dashboard-phone")
    # Nothing wider than the screen: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The bottom bar holds the five sections; notifications (with the unread count) and
    # settings sit by the brand; every one of them is inside the screen.
    nav = page.locator("nav.nav a:not(.nav-util)")
    assert nav.count() == 5
    for link in [*nav.all(), *page.locator(".phone-actions a").all()]:
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375
        assert box["y"] + box["height"] <= 800
    assert page.locator(".phone-actions a[href$='/notifications/']").is_visible()
    assert page.locator("[data-phone-badge]").inner_text() == "1"
