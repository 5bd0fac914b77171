import pytest

from apps.content.models import PastPost

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTED = """Why do platform teams burn out?

On-call for 12 engineers, and alerts nobody owned.

What is your alert budget?
---
Is Kubernetes too much for a startup?

Often, yes. Start with a managed service and good alerts.

Where did you draw the line?"""


def test_a_consultant_imports_past_posts_sees_their_style_and_deletes_one(
    page, screenshot, alice, alice_workspace
):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/**")

    page.goto("/w/alice-co/content/")
    page.get_by_role("link", name="Your past posts").click()
    page.get_by_label("Posts", exact=True).fill(PASTED)
    page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_text("2 posts imported.").is_visible()
    style = page.locator("#past-post-style").inner_text()
    assert "Your posts: about" in style
    assert "often open with a question" in style
    screenshot(page, "imported")

    page.get_by_role("button", name="Delete").first.click()
    assert page.get_by_text("Past post deleted.").is_visible()
    assert PastPost.objects.filter(workspace=alice_workspace).count() == 1
    screenshot(page, "deleted")
