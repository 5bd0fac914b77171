"""Issue 18 in the browser: attach an image with alt text, make a carousel from the draft,
look at the LinkedIn preview at phone width, publish it to the sandbox."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.content.models import Post
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import SandboxConfig, running_sandbox
from apps.media.models import PostMedia
from apps.media.tests.files import image_bytes
from tests.browser.background import db_turn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settle(page):
    """Wait until the page's own requests (images, the live checker) are answered."""
    page.wait_for_load_state("networkidle")


@pytest.fixture
def requests_take_turns():
    """On SQLite the live server's threads share one in-memory database: a page's parallel
    requests (images, the checker, the manifest) and the test's own queries take turns, as in
    tests/browser/background.py. PostgreSQL needs none of that."""
    from django.core.signals import request_finished, request_started

    from tests.browser.background import _give_turn, _take_turn, _takes_turns

    if not _takes_turns():
        yield
        return
    request_started.connect(_take_turn, weak=False)
    request_finished.connect(_give_turn, weak=False)
    try:
        yield
    finally:
        request_started.disconnect(_take_turn)
        request_finished.disconnect(_give_turn)


TEXT = """Four things I learned moving 40 services to Kubernetes.

1. Start with the boring services.
2. Put resource limits on everything from day one.
3. Observability first: without traces you are guessing.
4. Keep the old deploy path alive for a month.

What would you add?"""


@pytest.fixture
def sandbox(settings):
    with running_sandbox(seed=9, config=SandboxConfig()) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        yield running


def test_an_owner_attaches_an_image_makes_a_carousel_previews_it_and_publishes_it(
    page, screenshot, sandbox, alice, alice_workspace, monkeypatch, tmp_path, requests_take_turns
):
    member = sandbox.sandbox.config.member
    LinkedInConnection.objects.create(
        workspace=alice_workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=["openid", "profile", "email", "w_member_social"],
        access_token=sandbox.sandbox.issue_token(),
        access_token_expires_at=timezone.now() + timedelta(days=40),
    )
    post = Post.objects.create(
        workspace=alice_workspace, author=alice, hook=TEXT.split("\n")[0], text=TEXT
    )
    picture = tmp_path / "diagram.png"
    picture.write_bytes(image_bytes(800, 600))

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")

    # An image with alt text; the preview shows it under the text.
    page.goto(f"/w/alice-co/content/{post.pk}/")
    settle(page)
    page.get_by_label("Image or PDF").set_input_files(str(picture))
    page.locator("#id_media_alt").fill("Forty services, one cluster")
    page.get_by_role("button", name="Attach", exact=True).click()
    assert page.get_by_text("Attached.").is_visible()
    settle(page)
    preview_image = page.get_by_test_id("preview-desktop").get_by_role(
        "img", name="Forty services, one cluster"
    )
    assert preview_image.is_visible()
    screenshot(page, "image-attached")
    with db_turn():
        assert PostMedia.objects.get(post=post).alt_text == "Forty services, one cluster"

    # The image goes; a carousel made from the draft's points takes its place.
    page.get_by_role("button", name="Remove").click()
    settle(page)
    page.get_by_test_id("make-carousel").click()
    settle(page)
    pages = page.get_by_test_id("carousel-pages").get_by_role("img")
    assert pages.count() == 6  # cover, four points, the closing question
    screenshot(page, "carousel-pages")
    page.get_by_test_id("attach-carousel").click()
    assert page.get_by_text("The carousel is attached to the post.").is_visible()
    settle(page)

    # The feed preview at a phone's width: the document's first page under the text.
    page.set_viewport_size({"width": 390, "height": 844})
    phone = page.get_by_test_id("preview-phone")
    phone.scroll_into_view_if_needed()
    assert phone.get_by_test_id("preview-document").is_visible()
    assert phone.get_by_text(re.compile("…see more")).is_visible()
    screenshot(page, "phone-preview")

    # Approve, publish now, and let the dispatcher run as beat would.
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved. It is ready to be scheduled.").wait_for()
    settle(page)
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("Publishing within a minute.").wait_for()
    settle(page)
    from apps.content import publishing, tasks

    monkeypatch.setattr(tasks.publish_post, "delay", lambda *args: tasks.publish_post.apply(args))
    with db_turn():
        Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
        assert publishing.dispatch_due_posts() == 1
    page.goto(f"/w/alice-co/content/{post.pk}/")
    settle(page)
    assert page.get_by_text("Published", exact=True).first.is_visible()
    screenshot(page, "published")

    with db_turn():
        post.refresh_from_db()
        document = PostMedia.objects.get(post=post)
    live = sandbox.sandbox.post(post.linkedin_urn)
    assert live["content"] == {"media": {"id": document.linkedin_urn, "title": document.title}}


def test_at_phone_width_the_preview_follows_the_text_as_it_is_typed_and_shows_a_pdfs_pages(
    page, screenshot, alice, alice_workspace, tmp_path, requests_take_turns
):
    from apps.media.tests.files import painted_pdf_bytes

    post = Post.objects.create(
        workspace=alice_workspace, author=alice, hook="A first line", text="A first line"
    )
    deck = tmp_path / "deck.pdf"
    deck.write_bytes(painted_pdf_bytes())
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")
    page.goto(f"/w/alice-co/content/{post.pk}/")
    settle(page)

    phone = page.get_by_test_id("preview-phone")
    editor = page.locator("#id_text")
    editor.fill("")
    editor.press_sequentially("Kubernetes is not the hard part. On-call is.", delay=20)
    # Nothing saved, no button pressed: the preview redraws from what was typed.
    phone.get_by_text("Kubernetes is not the hard part. On-call is.").wait_for()
    page.locator("#id_first_comment").press_sequentially("Slides: see the PDF", delay=20)
    phone.get_by_test_id("preview-first-comment").get_by_text("Slides: see the PDF").wait_for()
    with db_turn():
        assert Post.objects.get(pk=post.pk).text == "A first line"

    # An uploaded PDF is previewed with its real pages, and the page never scrolls sideways.
    page.get_by_label("Image or PDF").set_input_files(str(deck))
    page.get_by_role("button", name="Attach", exact=True).click()
    assert page.get_by_text("Attached.").is_visible()
    settle(page)
    pages = page.get_by_test_id("preview-phone").get_by_test_id("preview-document-pages")
    pages.scroll_into_view_if_needed()
    assert pages.get_by_role("img", name="Page 1").is_visible()
    assert pages.get_by_role("img").count() == 4
    first = pages.get_by_role("img", name="Page 1")
    first.evaluate(
        "img => img.complete ? null : new Promise(done => img.onload = img.onerror = done)"
    )
    assert first.evaluate("img => img.naturalWidth") == 540  # the rendered page, not a broken one
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "phone-live-preview-with-pdf-pages")
