import re

import pytest
from django.core.management import call_command

from apps.content.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/**")


def test_an_editor_generates_edits_with_live_lint_and_submits_then_the_owner_approves(
    page, screenshot, alice, bob, alice_workspace
):
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115
    log_in(page, bob.email)
    page.goto("/w/alice-co/content/")
    page.get_by_label("Topic").fill("Kubernetes upgrades")
    page.get_by_role("button", name="Generate draft").click()
    page.wait_for_url(re.compile(r".*/content/\d+/$"))
    screenshot(page, "generated")
    score = page.get_by_test_id("lint-score")
    first_score = int(score.inner_text())

    # Typing a filler phrase and a link: the checker updates without a page load.
    editor = page.locator("#id_text")
    editor.press("Control+End")
    editor.type("\n\nThis game-changer is explained at https://example.com/k8s")
    page.wait_for_function(
        "(before) => Number(document.querySelector('[data-testid=lint-score]').innerText) < before",
        arg=first_score,
    )
    panel = page.locator("#lint-panel")
    assert "game-changer" in panel.inner_text()
    assert "first comment" in panel.inner_text()
    screenshot(page, "lint-updated")

    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Send for review").click()
    assert page.get_by_text("Sent for review").is_visible()
    assert page.get_by_role("button", name="Approve").count() == 0  # editors cannot approve
    post = Post.objects.get()
    assert post.status == Post.Status.IN_REVIEW

    page.get_by_role("button", name="Log out").click()
    log_in(page, alice.email)
    page.goto(f"/w/alice-co/content/{post.pk}/")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Approved. It is ready to be scheduled.").is_visible()
    screenshot(page, "approved")
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
