"""The installable app: a manifest with icons that load, a service worker that takes control,
the lead inbox readable offline as last synced, and nothing of it left after signing out."""

import struct
from urllib.parse import urlsplit

import pytest

from apps.leads.models import Commenter, Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INBOX = "/w/alice-co/leads/"


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", body[16:24])


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")


def wait_for_control(page):
    """The worker installed, activated and claimed this page."""
    # A function, not an expression: Playwright evals expressions, which the CSP refuses.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)


def test_the_manifest_describes_an_installable_app_with_icons_that_load(page):
    page.goto("/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()

    assert manifest["name"] == "TechLead AutoPilot"
    assert manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/app/"
    assert manifest["theme_color"] == page.locator('meta[name="theme-color"]').get_attribute(
        "content"
    )
    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        image = page.request.get(icon["src"])
        assert image.ok, icon["src"]
        assert image.headers["content-type"] == "image/png"
        width, height = png_size(image.body())
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_registers_from_the_site_root_and_controls_the_page(page):
    page.goto("/")
    wait_for_control(page)
    script = page.evaluate("() => navigator.serviceWorker.controller.scriptURL")
    assert script.endswith("/sw.js")
    scope = page.evaluate("() => navigator.serviceWorker.ready.then((r) => r.scope)")
    assert urlsplit(scope).path == "/"

    # The shell went into the cache at install time, so the offline page needs no network.
    cached = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const shell = await caches.open(names.find((n) => n.startsWith("shell-")));
            return (await shell.keys()).map((r) => new URL(r.url).pathname);
        }"""
    )
    assert "/offline/" in cached
    assert any(path.endswith(".css") for path in cached)
    assert any("htmx" in path for path in cached)


def test_the_lead_inbox_reads_offline_as_last_synced_and_is_forgotten_at_sign_out(
    page, screenshot, alice, alice_workspace
):
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:cfo77", name="Dana Fintech"
    )
    Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=88)

    sign_in(page, alice)
    page.goto(INBOX)
    wait_for_control(page)
    # The first visit installed the worker; this one goes through it and is stored.
    page.reload()
    assert page.locator("[data-offline-note]").is_hidden()

    page.context.set_offline(True)
    try:
        page.goto(INBOX)
        assert "Dana Fintech" in page.locator(".lead-card").first.inner_text()
        note = page.locator("[data-offline-note]")
        assert note.is_visible()
        assert "last synced at" in note.inner_text()
        screenshot(page, "inbox-offline")

        # Any other page, not stored, falls back to the offline page from the shell.
        page.goto("/w/alice-co/content/")
        assert page.get_by_role("heading", name="You are offline").is_visible()
        screenshot(page, "offline-page")
    finally:
        page.context.set_offline(False)

    page.goto(INBOX)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    stored = page.evaluate(
        "() => caches.open('pages').then((cache) => cache.keys()).then((keys) => keys.length)"
    )
    assert stored == 0

    # Offline again, signed out: the last inbox is gone, only the offline page is left.
    page.context.set_offline(True)
    try:
        page.goto(INBOX)
        assert "Dana Fintech" not in page.content()
        assert page.get_by_role("heading", name="You are offline").is_visible()
    finally:
        page.context.set_offline(False)
