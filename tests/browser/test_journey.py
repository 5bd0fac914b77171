"""A consultant's first week, end to end, in Chromium against a live server with a real Celery
worker and beat (PostgreSQL and Redis in CI; SQLite and the in-memory broker on a bare machine).

Nina signs up and verifies her email, describes her expertise, connects LinkedIn on the
sandbox's consent page, plans a week of posts, edits one, approves and queues them. Beat's
dispatcher publishes them to the sandbox, whose audience reacts and comments; one commenter,
a CTO, asks for her rate.

The sandbox is a self-serve LinkedIn app, as every new deployment's is: it may publish and
comment, but not read comments or analytics. So Nina sets up forwarding of LinkedIn's
notification e-mails to her workspace's private address (and checks it with a test message);
LinkedIn's e-mail about the CTO's comment reaches the app's inbound webhook as the mail
provider would deliver it, the worker reads it, and the lead appears in the inbox with the
CTO's name, headline and score, and an alert email arrives. Nina replies from the app, marks
the lead contacted, then converted with a value; she uploads LinkedIn's analytics export, and
the dashboard shows the (imported) impressions, the lead and the value. An editor she invites
cannot approve; a member of another workspace sees none of it.

Screenshots of every step land in var/screenshots/test_a_consultants_first_week/.
"""

import base64
import json
import os
import re
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
import requests
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Membership, User
from apps.content.models import Post
from apps.leads.models import InboundMessage, Lead
from apps.linkedin.sandbox import CAST, SandboxConfig, running_sandbox
from apps.linkedin.sandbox.audience import AudiencePlan
from apps.linkedin.sandbox.rest import linkedin_id
from tests.browser.background import db_turn, wait_until, worker_and_beat

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-Long-passw0rd!"
EMAIL = "nina@example.com"
# With seed 18 the audience of the first post includes Owen Li, CTO of Quanta Health, asking
# for a fractional CTO rate three minutes (audience time) after it goes out.
SEED = 18
CTO = "Owen Li"
CTO_URN = next(person.urn for person in CAST if person.name == CTO)
FIRST_POST_URN = f"urn:li:share:{linkedin_id(f'{SEED}:post:1')}"
INQUIRY = next(
    c for c in AudiencePlan.for_post(SEED, FIRST_POST_URN).comments if c.person.name == CTO
)
# A real-time second is ten audience minutes, so a post's first hours pass in a few seconds.
AUDIENCE_SPEED = 600
CONVERTED_VALUE = 24000


@pytest.fixture
def sandbox(settings, live_server):
    # LinkedIn's default: a self-serve app (no comment reading, no analytics).
    config = SandboxConfig(audience_speed=AUDIENCE_SPEED)
    assert not config.approved
    with running_sandbox(seed=SEED, config=config) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        settings.SITE_URL = live_server.url  # LinkedIn and the emails send the browser back here
        # The app looks at comments and metrics as often, relative to the audience, as it
        # would in real life: every few seconds here.
        settings.LEADS_SCAN_INTERVAL_SCALE = 0.005
        settings.ANALYTICS_INTERVAL_SCALE = 0.001
        yield running


@pytest.fixture
def template_library(transactional_db):
    # What a deployment loads once (make run does it through seed_demo).
    call_command("load_post_templates", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def background(transactional_db, sandbox):
    # A served process imports scikit-learn when it starts (techlead/wsgi.py); the live
    # server does not load that module, so do it here rather than in the first request.
    import sklearn.feature_extraction.text  # noqa: F401

    with worker_and_beat():
        yield


@pytest.fixture
def step(screenshot):
    """A screenshot of the step, once the page is checked for template syntax shown as text
    (a comment or tag the template engine did not read)."""

    def take(page, name: str):
        text = page.locator("body").inner_text()
        for syntax in ("{#", "{%", "{{"):
            assert syntax not in text, f"{syntax} shows as text on {page.url}"
        screenshot(page, name)

    return take


def test_the_sandbox_audience_brings_a_cto_inquiry_on_the_first_post():
    """The journey's premise, checked on its own so a change to the audience is named."""
    assert INQUIRY.person.role == "cto"
    assert INQUIRY.kind in ("direct_inquiry", "pricing_question")
    assert INQUIRY.offset_seconds < 600


def log_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/w/[\w-]+/$"))


def link_in(message, path_part: str) -> str:
    """The path of the first link in an email that contains `path_part`."""
    url = re.search(rf"https?://\S+{re.escape(path_part)}\S*", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def test_a_consultants_first_week(
    charlie, charlie_workspace, template_library, page, step, sandbox, background, live_server
):
    # --- Sign up and verify the email -----------------------------------------------------
    page.goto("/")
    page.get_by_role("link", name="Start free").first.click()
    page.get_by_label("Your name").fill("Nina Novak")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    step(page, "signup")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    step(page, "check-your-email")

    verification = next(m for m in mail.outbox if EMAIL in m.to)
    page.goto(link_in(verification, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/w/[\w-]+/$"))
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    # The workspace opens on its guided start, greeting her by the name she gave, with an
    # address made from it rather than from her e-mail.
    assert page.get_by_role("heading", name="Welcome, Nina Novak").is_visible()
    assert slug.startswith("nina-novak")
    expect_text(page, "0 of 6 steps done.")
    assert page.locator("#dash-body").count() == 0  # no page of zero cards
    step(page, "first-dashboard")

    # --- Expertise ---------------------------------------------------------------------------
    page.locator("[data-next-step=expertise]").click()
    page.get_by_label("Headline").fill("Fractional CTO for fintech scale-ups")
    page.get_by_label("Areas of expertise").fill("Kubernetes, AWS cost control, platform teams")
    page.get_by_label("Years of experience").fill("15")
    page.get_by_label("Industries served").fill("fintech, insurance")
    page.get_by_label("What you offer").fill("fractional CTO, architecture review")
    page.get_by_label("Case studies").fill(
        "Moved a payments platform to Kubernetes | cut cloud spend 38% in 4 months"
    )
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Your expertise profile is saved.").is_visible()
    step(page, "expertise")

    # --- Connect LinkedIn on the sandbox's consent page ---------------------------------------
    page.goto(f"/w/{slug}/settings/linkedin/")
    page.get_by_role("button", name="Connect LinkedIn").click()
    page.wait_for_url(f"{sandbox.oauth_base}/authorization**")
    step(page, "linkedin-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"**/w/{slug}/settings/linkedin/")
    assert page.get_by_test_id("linkedin-state").inner_text() == "Connected"
    step(page, "linkedin-connected")

    # --- Posting times: take the suggestions ------------------------------------------------
    page.goto(f"/w/{slug}/settings/slots/")
    for _ in range(3):
        page.get_by_role("button", name="Add", exact=True).first.click()
        page.wait_for_load_state()
    step(page, "posting-slots")

    # --- Plan a week, edit one draft ----------------------------------------------------------
    page.goto(f"/w/{slug}/content/")
    page.get_by_role("button", name="Plan my week").click()
    expect_text(page, "drafts are ready for you to read and edit")
    step(page, "planned-week")
    page.get_by_role("link", name="Back to Content").click()
    drafts = page.locator("#post-list a.post-card")
    draft_count = drafts.count()
    assert draft_count >= 3

    drafts.first.click()
    page.wait_for_url(re.compile(r".*/content/\d+/$"))
    score = page.get_by_test_id("lint-score")
    before = int(score.inner_text())
    editor = page.locator("#id_text")
    editor.press("Control+End")
    editor.type("\n\nMore in the guide at https://example.com/k8s-costs")
    page.wait_for_function(
        "(before) => Number(document.querySelector('[data-testid=lint-score]').innerText) "
        "!= before",
        arg=before,
    )
    assert "first comment" in page.locator("#lint-panel").inner_text()
    step(page, "editor-linter")
    # Take the checker's advice: the link goes, the question stays.
    editor.fill(
        editor.input_value().replace("\n\nMore in the guide at https://example.com/k8s-costs", "")
    )
    page.get_by_role("button", name="Save").click()
    expect_text(page, "Saved")

    # --- Approve and queue every draft ---------------------------------------------------------
    post_ids = [int(i) for i in re.findall(r"/content/(\d+)/", _draft_links(page, slug))]
    assert len(post_ids) == draft_count
    for pk in post_ids:
        page.goto(f"/w/{slug}/content/{pk}/")
        page.get_by_role("button", name="Approve").click()
        expect_text(page, "Approved. It is ready to be scheduled.")
        page.get_by_role("button", name=re.compile("Add to queue")).click()
        expect_text(page, "Queued for the next free slot.")
    step(page, "queued")
    page.goto(f"/w/{slug}/calendar/")
    if page.locator(".cal-post").count() == 0:
        # The free slots of this week are over: the calendar points to the queue's week.
        step(page, "calendar-this-week")
        page.get_by_role("link", name="Show that week").click()
    page.locator(".cal-post").first.wait_for()
    step(page, "calendar")

    # --- The week passes: beat's dispatcher publishes them to the sandbox ---------------------
    with db_turn():
        workspace_id = Membership.objects.get(user__email=EMAIL).workspace_id
        Post.objects.filter(workspace_id=workspace_id, status=Post.Status.SCHEDULED).update(
            scheduled_at=timezone.now() + timedelta(seconds=8)
        )
    # Nina watches the first one go out: the page says so without a reload.
    page.goto(f"/w/{slug}/content/{post_ids[0]}/")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("link", name="Open on LinkedIn").wait_for(timeout=60_000)
    assert page.evaluate("window.stillTheSamePage === true")
    # A link LinkedIn opens: the post's page by its URN, not the bare URN.
    href = page.get_by_role("link", name="Open on LinkedIn").get_attribute("href")
    assert href.startswith("https://www.linkedin.com/feed/update/urn:li:"), href
    step(page, "published")
    wait_until(
        lambda: (
            Post.objects.filter(workspace_id=workspace_id, status=Post.Status.PUBLISHED).count()
            == draft_count
        ),
        timeout=60,
        what="every queued post to be published",
    )
    assert len(sandbox.sandbox.posts()) == draft_count

    # --- Forwarding LinkedIn's notification e-mails: the self-serve route to comments ------
    page.goto(f"/w/{slug}/leads/")
    page.get_by_role("link", name="Forward LinkedIn's comment e-mails").click()
    page.wait_for_url(f"**/w/{slug}/leads/forwarding/")
    address = page.locator("#inbound-address").inner_text().strip()
    assert re.fullmatch(r"comments\+[a-z0-9]+@inbound\.example\.test", address), address
    page.get_by_role("button", name="Send a test message").click()
    expect_text(page, "The test message arrived: the route works.")
    step(page, "forwarding-setup")

    # --- The CTO comments; LinkedIn e-mails Nina, her filter forwards it to the app ----------
    first_post = sandbox.sandbox.post(FIRST_POST_URN)
    inquiry = wait_until(
        lambda: next(
            (c for c in sandbox.sandbox.comments(FIRST_POST_URN) if c["actor"] == CTO_URN), None
        ),
        timeout=60,
        what=f"{CTO}'s comment on the first post",
    )
    delivered_at = time.monotonic()
    response = _deliver_as_mail_provider(
        live_server.url, address, _linkedin_notification(first_post, inquiry, to=EMAIL)
    )
    assert response.status_code == 200, response.text
    lead = wait_until(
        lambda: Lead.objects.filter(workspace_id=workspace_id, commenter__name=CTO).first(),
        timeout=60,
        what=f"{CTO}'s forwarded comment to become a lead",
    )
    wait_until(
        lambda: InboundMessage.objects.filter(
            workspace_id=workspace_id, status=InboundMessage.Status.PARSED
        ).exists(),
        what="the forwarded e-mail to be marked read",
    )
    page.reload()
    expect(page.locator("[data-status=parsed]")).to_have_count(1)
    step(page, "forwarded-comment-read")
    page.goto(f"/w/{slug}/leads/")
    card = page.locator(f"#lead-{lead.pk}")
    assert INQUIRY.text in card.inner_text()
    # The name and headline came with the e-mail: nobody had to type them in.
    assert CTO in card.inner_text()
    assert int(card.locator(".score-big").inner_text()) >= 70
    with db_turn():
        comment = lead.comments.select_related("post", "commenter").get()
        assert comment.source == "email"
        # Matched by the post's opening words: LinkedIn's links name its activity, not the share.
        assert comment.post.linkedin_urn == FIRST_POST_URN
        assert comment.commenter.headline == INQUIRY.person.headline
    step(page, "lead-inbox")
    wait_until(
        lambda: any("New lead" in m.subject and EMAIL in m.to for m in mail.outbox),
        what="the lead alert email",
    )
    # From the provider's POST to the alert e-mail: well within a minute.
    assert time.monotonic() - delivered_at < 60

    # --- Reply from the app, then contacted, then converted with a value ----------------------
    card.locator(".lead-who a").click()
    page.wait_for_url(f"**/leads/{lead.pk}/")
    step(page, "who-it-is")
    reply = page.get_by_label("Reply on LinkedIn")
    reply.fill("Thanks Owen! Happy to talk rates. Does Tuesday at 10 work for a call?")
    page.get_by_role("button", name="Post reply").click()
    expect_text(page, "You replied")
    step(page, "replied")
    assert any(
        "Does Tuesday at 10 work" in c["text"]
        for p in sandbox.sandbox.posts()
        for c in sandbox.sandbox.comments(p["urn"])
    )

    # Replying marked the lead contacted; the pipeline form says so and saves it again.
    assert page.get_by_label("Status").input_value() == "contacted"
    page.get_by_role("button", name="Save", exact=True).click()
    expect_text(page, "Saved.")
    page.get_by_label("Status").select_option("converted")
    page.get_by_label("Value").fill(str(CONVERTED_VALUE))
    page.get_by_role("button", name="Save", exact=True).click()
    # The form is swapped in place; the lead is converted once the swap has come back.
    expect(page.locator("#lead-form select[name=status]")).to_have_value("converted")
    wait_until(
        lambda: Lead.objects.filter(
            pk=lead.pk, status=Lead.Status.CONVERTED, value_eur=CONVERTED_VALUE
        ).exists(),
        what="the lead to be converted with its value",
    )
    step(page, "converted")

    # --- Analytics: LinkedIn does not let a self-serve app read them; Nina imports its export -
    page.goto(f"/w/{slug}/")
    page.get_by_role("link", name="Import LinkedIn analytics").click()
    page.wait_for_url(f"**/w/{slug}/analytics/import/")
    published_urns = [p["urn"] for p in sandbox.sandbox.posts()]
    page.get_by_label("LinkedIn analytics export (.xlsx)").set_input_files(
        {
            "name": "Content_export.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": _linkedin_analytics_export(published_urns),
        }
    )
    page.get_by_role("button", name="Import").click()
    expect_text(page, f"Figures imported for {draft_count} of {draft_count} posts")
    step(page, "analytics-imported")

    # --- The dashboard: impressions, the lead, the value -------------------------------------
    assert _impressions_recorded(workspace_id)
    page.goto(f"/w/{slug}/")
    impressions = int(page.locator("[data-figure=impressions]").inner_text().replace(",", ""))
    assert impressions == sum(_IMPRESSIONS[: len(published_urns)])
    assert page.locator(f"[data-imported-figures='{draft_count}']").count() == 1
    assert int(page.locator("[data-figure=new_leads]").inner_text()) >= 1
    assert page.locator("[data-figure=converted_value]").inner_text() == "€24,000"
    step(page, "dashboard")

    page.goto(f"/w/{slug}/health/")
    expect_text(page, "running")
    step(page, "health")

    # --- On her phone: every page of the week fits 375 px -----------------------------------
    page.set_viewport_size({"width": 375, "height": 800})
    for name, path in (
        ("dashboard", f"/w/{slug}/"),
        ("post", f"/w/{slug}/content/{post_ids[0]}/"),
        ("calendar", f"/w/{slug}/calendar/"),
        ("leads", f"/w/{slug}/leads/"),
        ("forwarding", f"/w/{slug}/leads/forwarding/"),
        ("lead", f"/w/{slug}/leads/{lead.pk}/"),
        ("posting-times", f"/w/{slug}/settings/slots/"),
        ("linkedin", f"/w/{slug}/settings/linkedin/"),
        ("health", f"/w/{slug}/health/"),
        ("content", f"/w/{slug}/content/"),
        ("notifications", f"/w/{slug}/notifications/"),
        ("profile", f"/w/{slug}/settings/profile/"),
        ("analytics-import", f"/w/{slug}/analytics/import/"),
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        # Every section one tap away: the bottom bar's five and, by the brand, notifications
        # and settings, all inside the screen.
        for link in page.locator(".nav a:not(.nav-util), .phone-actions a").all():
            box = link.bounding_box()
            assert box is not None, (path, link.get_attribute("href"))
            assert box["x"] >= 0, (path, box)
            assert box["x"] + box["width"] <= 375, (path, box)
        if name in ("dashboard", "lead"):
            step(page, f"phone-{name}")
    page.set_viewport_size({"width": 1280, "height": 860})

    # --- An editor she invites cannot approve; another workspace sees none of it -------------
    editor_context = page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-US"
    )
    outsider_context = page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-US"
    )
    try:
        _editor_cannot_approve(page, editor_context.new_page(), step, slug)
        _outsider_sees_nothing(
            outsider_context.new_page(), step, slug, post_ids[0], lead.pk, charlie
        )
    finally:
        editor_context.close()
        outsider_context.close()


def _editor_cannot_approve(owner_page, page, step, slug):
    owner_page.goto(f"/w/{slug}/settings/members/")
    owner_page.get_by_label("Email address").fill("eddie@example.com")
    owner_page.get_by_label("Role").select_option("editor")
    owner_page.get_by_role("button", name="Send invitation").click()
    expect_text(owner_page, "Invitation sent to eddie@example.com.")
    invitation = next(m for m in mail.outbox if "eddie@example.com" in m.to)
    with db_turn():
        eddie = User.objects.create_user(email="eddie@example.com", password=PASSWORD)
        eddie.emailaddress_set.create(email=eddie.email, verified=True, primary=True)
    page.goto(link_in(invitation, "/invitations/"))
    page.locator("#main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(eddie.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Accept invitation").click()
    page.wait_for_url(f"**/w/{slug}/")

    page.goto(f"/w/{slug}/content/new/")
    page.locator("#id_text").fill(
        "Most Kubernetes bills are a scheduling problem, not a pricing problem.\n\n"
        "Requests set too high waste nodes all day.\n\nWhat did you find in yours?"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/content/\d+/$"))
    page.get_by_role("button", name="Send for review").click()
    expect_text(page, "Sent for review")
    assert page.get_by_role("button", name="Approve").count() == 0
    step(page, "editor-cannot-approve")
    # Nor by posting the form by hand.
    answer = page.request.post(
        page.url + "approve/",
        headers={"X-CSRFToken": _csrf_token(page), "Referer": page.url},
    )
    assert answer.status == 403
    pk = int(re.search(r"/content/(\d+)/", page.url).group(1))
    with db_turn():
        assert Post.objects.get(pk=pk).status == Post.Status.IN_REVIEW


def _outsider_sees_nothing(page, step, slug, post_pk, lead_pk, charlie):
    log_in(page, charlie.email, "correct-horse-battery-staple")
    for path in (
        f"/w/{slug}/",
        f"/w/{slug}/content/{post_pk}/",
        f"/w/{slug}/leads/",
        f"/w/{slug}/leads/{lead_pk}/",
        f"/w/{slug}/analytics/posts/{post_pk}/",
    ):
        assert page.goto(path).status == 404, path
    step(page, "outsider-404")
    assert INQUIRY.text not in page.content()


def expect_text(page, text: str):
    page.get_by_text(text).first.wait_for()


def _draft_links(page, slug) -> str:
    page.goto(f"/w/{slug}/content/?status=draft")
    return page.locator("#post-list").inner_html()


def _csrf_token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _impressions_recorded(workspace_id) -> bool:
    from apps.analytics.models import MetricSnapshot

    return MetricSnapshot.objects.filter(workspace_id=workspace_id, impressions__gt=0).exists()


def _linkedin_notification(post: dict, comment: dict, *, to: str) -> bytes:
    """LinkedIn's e-mail about a comment on the member's post, as apps/leads/tests/mail/
    rebuilds it: the name, the headline, the comment, links carrying the post's activity and
    the comment, and the post's opening words."""
    activity = post["activity_urn"].rsplit(":", 1)[1]
    comment_id = comment["urn"].rsplit(",", 1)[1].rstrip(")")
    link = (
        f"https://www.linkedin.com/comm/feed/update/{post['activity_urn']}"
        f"?commentUrn=urn%3Ali%3Acomment%3A%28activity%3A{activity}%2C{comment_id}%29"
    )
    message = EmailMessage()
    message["From"] = "LinkedIn <notifications-noreply@linkedin.com>"
    message["To"] = to
    message["Subject"] = f"{comment['name']} commented on your post"
    message["Date"] = format_datetime(timezone.now())
    message.set_content(
        f"{comment['name']} commented on your post\n\n"
        f"{comment['name']}\n{comment['headline']}\n\n"
        f'"{comment["text"]}"\n\n'
        f"View comment: {link}\n\n"
        f"Your post: {post['commentary'][:80]}...\n\n"
        "----------------------------------------\n"
        "This email was intended for Nina. You are receiving LinkedIn notification emails.\n"
    )
    message.add_alternative(
        f"<html><body><p>{comment['name']} commented on your post</p>"
        f"<p>{comment['name']}</p><p>{comment['headline']}</p>"
        f'<p>{comment["text"]}</p><p><a href="{link}">View comment</a></p></body></html>',
        subtype="html",
    )
    return message.as_bytes()


def _deliver_as_mail_provider(base_url: str, address: str, raw: bytes):
    """What Postmark does with mail for the inbound domain: POST it to the app's anymail
    webhook, with the webhook secret as basic auth."""
    from django.conf import settings

    secret = base64.b64encode(settings.ANYMAIL["WEBHOOK_SECRET"].encode()).decode()
    payload = {
        "FromFull": {"Email": "notifications-noreply@linkedin.com", "Name": "LinkedIn"},
        "ToFull": [{"Email": address, "Name": ""}],
        "OriginalRecipient": address,
        "Subject": "",
        "RawEmail": raw.decode(),
        "Headers": [],
        "Attachments": [],
    }
    # No db_turn here: the live server takes its own turn for the request.
    return requests.post(
        f"{base_url}/anymail/postmark/inbound/",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {secret}"},
        timeout=30,
    )


_IMPRESSIONS = [1840, 1210, 960, 730, 655, 540, 420, 380, 310, 250]


def _linkedin_analytics_export(post_urns: list[str]) -> bytes:
    """LinkedIn's content analytics export for the published posts, laid out by the one
    builder the import's own tests use."""
    from apps.analytics.tests.test_importing import linkedin_export

    day = timezone.now().strftime("%-m/%-d/%Y")
    return linkedin_export(
        [
            (f"https://www.linkedin.com/feed/update/{urn}/", day, impressions // 40, impressions)
            for urn, impressions in zip(post_urns, _IMPRESSIONS, strict=False)
        ]
    )
