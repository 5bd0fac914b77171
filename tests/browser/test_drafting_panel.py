"""Planning a week with the model: a real worker writes the drafts while the page's progress
panel (htmx, every second) shows each one as soon as it is stored."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.content.models import DraftingJob, Post
from apps.content.tests.fake_llm import FakeLLM
from tests.browser.background import db_turn, worker_and_beat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Alice's workspace has no proof vault: an answer stating a figure would be refused as
# invented. Each call gets a different answer, or the week's drafts would be near-copies of
# each other and the engine would rewrite them.
ANSWERS = (
    "Platform teams fail when nobody owns the paved road.\n\n"
    "No new tools. A few decisions, written down, each with an owner.\n\n"
    "The first one is the hardest: stop buying capacity before measuring it.\n\n"
    "What would your first decision be?",
    "Most migrations stall in the same place: the database nobody wants to touch.\n\n"
    "Move the reads first. Keep writes where they are until the replicas have earned trust.\n\n"
    "Then cut over on a quiet morning, with the rollback rehearsed.\n\n"
    "Which system is your team afraid of?",
    "Hiring a senior engineer will not fix an unclear roadmap.\n\n"
    "Write down what the team stops doing this quarter. Share it. Defend it in every meeting.\n\n"
    "Focus is a decision a lead makes out loud, again and again.\n\n"
    "What did your team stop doing lately?",
)
SECONDS_PER_DRAFT = 2.5


class OneAnswerPerCall(FakeLLM):
    def answer(self):
        self.content = ANSWERS[(len(self.requests) - 1) % len(ANSWERS)]
        return super().answer()


@pytest.fixture
def slow_model(settings):
    """The project's local fake model server, taking a while over each answer."""
    fake = OneAnswerPerCall().start()
    fake.behaviour = "slow"
    fake.delay_seconds = SECONDS_PER_DRAFT
    settings.LLM_API_BASE = fake.base_url
    settings.LLM_API_KEY = ""
    settings.LLM_MODEL = "test-model"
    settings.LLM_TIMEOUT_SECONDS = 15
    yield fake
    fake.stop()


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/**")


def test_planning_a_week_with_the_model_shows_the_drafts_one_by_one(
    page, screenshot, alice, alice_workspace, slow_model
):
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Loaded once here rather than by the first request, which holds the database meanwhile
    # on SQLite (as in test_journey).
    import sklearn.feature_extraction.text  # noqa: F401

    with worker_and_beat():
        log_in(page, alice.email)
        page.goto("/w/alice-co/content/")
        page.get_by_label("Posts").fill("3")
        page.get_by_role("button", name="Plan my week").click()
        page.wait_for_url(re.compile(r".*/content/drafting/\d+/$"))
        screenshot(page, "waiting")
        drafts = page.get_by_test_id("drafting-drafts").locator("li")
        progress = page.get_by_test_id("drafting-progress")
        # Each draft shows while the next is still being written: the page never reloads.
        for written in (1, 2):
            expect(drafts).to_have_count(written, timeout=30_000)
            expect(progress).to_contain_text(f"{written} of 3 written")
            screenshot(page, f"draft-{written}")
        expect(progress).to_contain_text(
            "3 drafts are ready for you to read and edit.", timeout=30_000
        )
        expect(drafts).to_have_count(3)
        screenshot(page, "done")
        with db_turn():
            job = DraftingJob.objects.get()
            posts = list(Post.objects.filter(drafting_job=job).order_by("drafting_index"))
        assert job.state == DraftingJob.State.DONE
        assert [post.backend for post in posts] == [Post.Backend.LLM] * 3
        # Every draft on the panel opens in the editor.
        drafts.nth(1).get_by_role("link").click()
        page.wait_for_url(f"**/w/alice-co/content/{posts[1].pk}/")
