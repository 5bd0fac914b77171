"""The notification settings page and the delivery log, in Chromium, with the CSP enforced."""

import pytest
from django.utils import timezone

from apps.notifications.models import Event, PhoneNumber, PushSubscription
from apps.notifications.push import vapid_keys_new
from apps.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")


def test_a_member_sees_the_grid_their_devices_their_phone_and_the_log(
    page, screenshot, settings, alice, alice_workspace
):
    keys = vapid_keys_new()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = keys.public_key, keys.private_key
    settings.SMS_PROVIDER = ""  # no provider: the SMS column says why
    PushSubscription.objects.create(
        workspace=alice_workspace,
        user=alice,
        endpoint="https://push.example.test/1",
        p256dh="x",
        auth="y",
        label="Chrome on Android",
        last_success_at=timezone.now(),
    )
    PhoneNumber.objects.create(
        workspace=alice_workspace, user=alice, number="+4915112345678", verified_at=timezone.now()
    )
    notify(
        workspace=alice_workspace,
        event=Event.POST_FAILED,
        title="A post could not be published",
        users=[alice],
    )
    sign_in(page, alice)
    page.goto("/w/alice-co/settings/notifications/")
    assert page.get_by_role("heading", name="Tell me when").is_visible()
    assert page.get_by_text("No SMS provider is configured on this server.").first.is_visible()
    assert page.get_by_role("cell", name="Chrome on Android").is_visible()
    # Chromium can do push: the button shows (it stays hidden where push cannot work).
    assert page.get_by_role("button", name="Turn on push on this device").is_visible()
    screenshot(page, "preferences")

    page.get_by_label("A post was published: Push").check()
    page.get_by_role("button", name="Save preferences").click()
    assert page.get_by_text("Notification preferences saved.").is_visible()
    assert page.get_by_label("A post was published: Push").is_checked()

    page.get_by_role("link", name="Delivery log").first.click()
    assert page.get_by_role("cell", name="A post could not be published").first.is_visible()
    screenshot(page, "delivery-log")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/w/alice-co/settings/notifications/")
    screenshot(page, "preferences-375")
