"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work here, so the executable is the system
Chromium. Screenshots of each step go to var/screenshots/ (not committed) for a person to
look through."""

import os
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _playwright_browser(request):
    from conftest import CHROMIUM, service_required

    if not os.path.exists(CHROMIUM):
        service_required("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_playwright_browser, live_server):
    context = _playwright_browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # The Content Security Policy is enforced: Chromium reports what it refused on the
    # console. Any refusal fails the test, so an inline script or style="" is caught here.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text[:160]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert refused == [], "the Content Security Policy refused something"


@pytest.fixture
def screenshot(request):
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name: str):
        page.screenshot(path=str(folder / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take
