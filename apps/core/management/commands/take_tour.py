"""Take the tour's screenshots (static/tour/*.png) from the demo: what `make tour` runs.

Everything happens in a throwaway SQLite database and LinkedIn sandbox under var/tour/, never
in the development database: migrate, load the demo with its eight weeks of history, serve it
on a free port, then drive Chromium (Playwright) through the pages the README and the landing
page show. Run it again after a change to those pages and commit the new images.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG

VIEWPORT = {"width": 1200, "height": 750}
# A PNG above this is a sign the page changed shape (a long table, a photo): look at it.
SIZE_LIMIT_BYTES = 150_000
DISPATCH = "from apps.content.publishing import dispatch_due_posts; dispatch_due_posts()"
# A consultant who has just signed up, for the guided start (onboarding.png).
NEWCOMER_EMAIL = "newcomer@techlead.example"
NEWCOMER_PASSWORD = "newcomer-autopilot-2026"  # noqa: S105 (a throwaway tour login)
NEWCOMER = (
    "from allauth.account.models import EmailAddress; "
    "from apps.accounts.models import User; "
    "from apps.accounts.services import workspace_create_personal; "
    f"u = User.objects.create_user(email={NEWCOMER_EMAIL!r}, password={NEWCOMER_PASSWORD!r}, "
    "full_name='Sam Rivera', timezone='Europe/Berlin'); "
    "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True); "
    "workspace_create_personal(user=u)"
)
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Command(BaseCommand):
    help = "Refresh the tour screenshots in static/tour/ from the demo (needs Chromium)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        )
        parser.add_argument("--out", default=str(settings.BASE_DIR / "static" / "tour"))

    def handle(self, *args, chromium, out, **options):
        if not os.path.exists(chromium):
            raise CommandError(f"Chromium not found at {chromium} (apt-get install chromium).")
        work = settings.BASE_DIR / "var" / "tour"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        env = _throwaway_env(work)

        self.stdout.write("==> Loading the demo into var/tour/ (about 20 s)")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        for command in (
            ["migrate", "--no-input", "-v", "0"],
            ["seed_demo", "--no-history"],
            ["seed_demo_history", f"--db={work / 'linkedin-sandbox.sqlite3'}"],
        ):
            subprocess.run([*manage, *command], env=env, check=True, stdout=subprocess.DEVNULL)

        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        self.stdout.write(f"==> Serving it on {base_url}")
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(base_url + "/healthz")
            self.stdout.write("==> Taking the screenshots")
            Path(out).mkdir(parents=True, exist_ok=True)
            shots = _take_screenshots(
                base_url,
                chromium,
                Path(out),
                check_for_due_posts=lambda: subprocess.run(
                    [*manage, "shell", "-c", DISPATCH],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                ),
            )
            subprocess.run(
                [*manage, "shell", "-c", NEWCOMER], env=env, check=True, stdout=subprocess.DEVNULL
            )
            shots += _take_newcomer_and_phone(base_url, chromium, Path(out))
            for path in shots:
                size = path.stat().st_size
                warning = "  (larger than expected: look at it)" if size > SIZE_LIMIT_BYTES else ""
                self.stdout.write(
                    f"    {path.relative_to(settings.BASE_DIR)}  {size // 1024} KB{warning}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.stdout.write(
            self.style.SUCCESS("Tour refreshed. Look at the images, then commit them.")
        )


def _throwaway_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="techlead.settings.dev",
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        # The demo's history comes from a sandbox playing an approved LinkedIn app, and the
        # pages say so, as in `make run`.
        LINKEDIN_SANDBOX_MODE="approved",
        LINKEDIN_APPROVED_SCOPES="r_member_social r_member_postAnalytics",
    )
    # The built-in template engine and the local sandbox: nothing outside this machine.
    for name in ("REDIS_URL", "DATABASE_REPLICA_URL", "LLM_API_BASE", "EMAIL_URL"):
        env.pop(name, None)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer (even 503) means it is up
                return
            time.sleep(0.3)
    raise CommandError(f"The tour's server did not answer at {url}.")


def _take_newcomer_and_phone(base_url: str, chromium: str, out: Path) -> list[Path]:
    """The guided start a new workspace opens on, and the demo's lead inbox on a phone."""
    from playwright.sync_api import sync_playwright

    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, email, password, viewport, path in (
            ("onboarding", NEWCOMER_EMAIL, NEWCOMER_PASSWORD, VIEWPORT, None),
            ("phone", DEMO_EMAIL, DEMO_PASSWORD, PHONE, f"/w/{DEMO_SLUG}/leads/"),
        ):
            context = browser.new_context(
                base_url=base_url, viewport=viewport, device_scale_factor=1, locale="en-US"
            )
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password:").fill(password)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url("**/w/*/")
            page.goto(path or page.url)  # without the "signed in" message
            page.wait_for_load_state("networkidle")
            target = out / f"{name}.png"
            page.screenshot(path=str(target), animations="disabled", caret="initial")
            _shrink(target)
            taken.append(target)
            context.close()
        browser.close()
    return taken


def _take_screenshots(base_url: str, chromium: str, out: Path, check_for_due_posts) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport=VIEWPORT, device_scale_factor=1, locale="en-US"
        )
        context.set_default_timeout(20_000)
        page = context.new_page()

        def shot(name: str) -> None:
            page.wait_for_load_state("networkidle")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), animations="disabled", caret="initial")
            _shrink(path)
            taken.append(path)

        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(DEMO_EMAIL)
        page.get_by_label("Password:").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(f"**/w/{DEMO_SLUG}/")
        page.goto(f"/w/{DEMO_SLUG}/")  # without the "signed in" message
        shot("dashboard")

        # A fresh week of drafts: one opens in the editor, three go into the calendar.
        page.goto(f"/w/{DEMO_SLUG}/content/")
        page.get_by_role("button", name="Plan my week").click()
        page.get_by_text("drafts are ready").first.wait_for()
        # The week is written in the background; the drafting page lists each draft as it
        # arrives, and the drafts stay under Content.
        draft_urls = [
            link.get_attribute("href")
            for link in page.locator("[data-testid=drafting-drafts] a").all()
        ]
        for url in draft_urls[1:4]:
            page.goto(url)
            page.get_by_role("button", name="Approve").click()
            page.get_by_role("button", name="Add to queue").first.click()
            page.get_by_text("Queued for the next free slot.").wait_for()

        page.goto(draft_urls[0])
        editor = page.locator("#id_text")
        editor.press("Control+End")
        # A link in the body: the checker says at once that it belongs in the first comment.
        editor.type("\n\nThe full checklist: https://example.com/checklist")
        page.locator("#lint-panel").get_by_text("first comment").first.wait_for()
        editor.evaluate("element => element.blur()")
        shot("editor")

        # Issue 18: a carousel made from the draft, and the post as LinkedIn will show it.
        page.get_by_role("button", name="Save").first.click()
        page.get_by_test_id("make-carousel").click()
        page.get_by_test_id("attach-carousel").click()
        page.get_by_text("The carousel is attached to the post.").wait_for()
        page.locator("#post-media").scroll_into_view_if_needed()
        shot("carousel")

        page.goto(f"/w/{DEMO_SLUG}/calendar/")
        # The week the queued posts go out in (the queue fills the next free slots).
        for _ in range(3):
            if page.locator(".cal-status-scheduled.cal-post").count():
                break
            page.get_by_role("link", name="Next week").click()
            page.wait_for_url("**?week=*")
        shot("calendar")
        page.goto(f"/w/{DEMO_SLUG}/leads/")
        shot("leads")
        # Beat does not run here: one dispatcher pass, as beat makes every minute.
        check_for_due_posts()
        page.goto(f"/w/{DEMO_SLUG}/health/")
        shot("health")
        browser.close()
    return taken


def _shrink(path: Path) -> None:
    """256 colours without dithering: a flat UI looks the same at a third of the bytes."""
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.save(path, optimize=True)
