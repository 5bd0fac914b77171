"""A consultant makes an API token in settings, copies it once, uses it, reads the API docs
(served from our own static files, under the Content Security Policy), and revokes it."""

import pytest
import requests

from apps.api.models import ApiToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/**")


def test_alice_makes_uses_and_revokes_a_token_and_reads_the_docs(
    page, screenshot, live_server, alice, alice_workspace
):
    log_in(page, alice.email)
    page.goto("/w/alice-co/settings/profile/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("tl_")
    screenshot(page, "token-shown-once")

    answer = requests.get(
        f"{live_server.url}/api/v1/w/alice-co/posts/",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert answer.status_code == 200

    page.get_by_role("link", name="Done").click()
    assert secret not in page.content()
    assert "CRM sync" in page.locator("#api-tokens").inner_text()
    screenshot(page, "token-listed")

    page.goto("/api/docs/")
    page.get_by_text("TechLead AutoPilot API").first.wait_for()
    page.locator(".opblock-tag", has_text="posts").first.wait_for()
    assert page.locator(".opblock").count() >= 20
    screenshot(page, "docs")

    page.goto("/w/alice-co/settings/api-tokens/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("Token “CRM sync” revoked.").wait_for()
    assert ApiToken.objects.get().revoked_at is not None
    answer = requests.get(
        f"{live_server.url}/api/v1/w/alice-co/posts/",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert answer.status_code == 401
