import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.content.models import Post
from apps.leads import ingestion
from apps.linkedin.client import LinkedInClient
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import Clock, SandboxConfig, running_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INQUIRY = (
    "Great timing. We're a 40-person fintech and our EKS costs doubled this year. "
    "Do you take on audits like this? Could we talk next week?"
)


def test_an_inquiry_from_the_audience_becomes_a_lead_with_an_alert_and_is_contacted(
    page, screenshot, settings, alice, alice_workspace
):
    with running_sandbox(
        seed=21,
        clock=Clock(start=time.time(), ticking=False),
        config=SandboxConfig(approved=True),  # leads come from comments read over the API
    ) as sandbox:
        settings.LINKEDIN_API_BASE = sandbox.api_base
        member = sandbox.sandbox.config.member
        scopes = ["openid", "profile", "w_member_social", "r_member_social"]
        connection = LinkedInConnection.objects.create(
            workspace=alice_workspace,
            member_sub=member.sub,
            member_urn=member.urn,
            name=member.name,
            scopes=scopes,
            access_token=sandbox.sandbox.issue_token(scopes),
            access_token_expires_at=timezone.now() + timedelta(days=40),
        )
        text = "AWS bills grow quietly. Three places to look first. Which one surprised you?"
        urn = LinkedInClient(connection.access_token).create_post(member.urn, text)
        post = Post.objects.create(
            workspace=alice_workspace,
            author=alice,
            text=text,
            hook=text,
            status=Post.Status.PUBLISHED,
            linkedin_urn=urn,
            published_at=timezone.now(),
        )
        stored = sandbox.sandbox.post(urn)
        sandbox.sandbox.state.insert_comment(
            urn=f"urn:li:comment:({stored['activity_urn']},777)",
            id="777",
            post_urn=stored["urn"],
            actor="urn:li:person:cfo77",
            text=INQUIRY,
            created_at=sandbox.sandbox.clock.now(),
        )

        assert ingestion.scan_post(post_id=post.pk, workspace_id=alice_workspace.pk) == 1

        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(alice.email)
        page.get_by_label("Password:").fill("correct-horse-battery-staple")
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/w/alice-co/")

        page.goto("/w/alice-co/leads/")
        card = page.locator(".lead-card").first
        assert "EKS costs doubled" in card.inner_text()
        assert int(card.locator(".score-big").inner_text()) >= 60
        screenshot(page, "inbox")
        assert any("New lead" in m.subject and alice.email in m.to for m in mail.outbox)

        card.locator("select[name=status]").select_option("contacted")
        page.wait_for_function(
            "() => document.querySelector('.lead-card .badge').innerText.includes('Contacted')"
        )
        screenshot(page, "contacted")
        page.goto("/w/alice-co/leads/")
        assert "Contacted" in page.locator(".lead-card .badge").first.inner_text()
