"""Each tool, resource and prompt in process (the SDK's in-memory client), so the checks are
quick: the same rules as the REST API, seen from an assistant."""

import json
from datetime import datetime, time, timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone
from mcp import Client

from apps.accounts.models import AuditEvent, Role
from apps.api.tests.conftest import make_lead
from apps.content.models import Post, PostingSlot
from apps.content.services import post_approve, post_create_manual
from apps.content.tests.test_llm import fake_llm  # noqa: F401 - the fixture
from apps.leads.models import Lead
from apps.mcp.access import current_caller
from apps.mcp.server import Caller, build_server
from apps.mcp.tests.clients import make_token
from apps.notifications.services import notify

# A model's answer stating no figure (the workspace has no proof vault to back one).
NO_FIGURES = (
    "Platform teams fail when nobody owns the paved road.\n\n"
    "No new tools. A few decisions, written down, each with an owner.\n\n"
    "What would your first decision be?"
)
TEXT = (
    "We cut our AWS bill by 38% without touching a single feature.\n\n"
    "Three changes did it: rightsized node groups, spot for stateless work, and a hard look "
    "at idle environments.\n\nWhat did your last cost review find?"
)


def session(secret: str, steps):
    """Run `steps(client)` against the server as the token's holder; its result."""

    async def go():
        current_caller.set(Caller(secret=secret, transport="stdio"))
        async with Client(build_server()) as client:
            return await steps(client)

    return async_to_sync(go)()


def tool(secret: str, name: str, arguments=None):
    return session(secret, lambda client: client.call_tool(name, arguments or {}))


@pytest.fixture
def library(db):
    from django.core.management import call_command

    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def approved_post(alice, alice_workspace):
    post = post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    from apps.accounts.models import Membership

    return post_approve(
        post=post, membership=Membership.objects.get(user=alice, workspace=alice_workspace)
    )


def test_draft_posts_writes_the_asked_number_of_drafts_on_the_topic(library, bob, alice_workspace):
    result = tool(
        make_token(bob, alice_workspace),
        "draft_posts",
        {"topic": "Kubernetes cost", "framework": "story", "count": 2},
    )

    assert not result.is_error
    drafts = Post.objects.filter(workspace=alice_workspace, author=bob)
    assert drafts.count() == 2
    assert set(drafts.values_list("status", flat=True)) == {Post.Status.DRAFT}


def test_draft_posts_with_the_model_enqueues_jobs_and_drafting_status_returns_the_drafts(
    library,
    bob,
    alice_workspace,
    fake_llm,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from apps.content import tasks as content_tasks

    fake_llm.content = NO_FIGURES
    enqueued = []
    monkeypatch.setattr(content_tasks.write_drafts, "delay", lambda *args: enqueued.append(args))
    secret = make_token(bob, alice_workspace)
    with django_capture_on_commit_callbacks(execute=True):
        result = tool(secret, "draft_posts", {"topic": "platform teams", "count": 2})

    assert not result.is_error
    answer = json.loads(result.content[0].text)
    assert answer["done"] is False
    assert [job["state"] for job in answer["jobs"]] == ["queued", "queued"]
    assert fake_llm.requests == []  # nobody asked the model while the tool call was open
    assert len(enqueued) == 2  # a worker's job each, after the call committed

    for job_id, workspace_id in enqueued:  # the worker, with no transaction open
        assert content_tasks.write_drafts(job_id, workspace_id) == "done"
    status = tool(secret, "drafting_status", {"job_ids": [job["id"] for job in answer["jobs"]]})

    answer = json.loads(status.content[0].text)
    assert answer["done"] is True
    assert len(answer["posts"]) == 2
    assert {post["backend"] for post in answer["posts"]} == {"llm"}
    assert len(fake_llm.requests) == 2


def test_drafting_status_does_not_show_another_workspaces_jobs(
    library, bob, alice_workspace, charlie, charlie_workspace
):
    jobs = json.loads(tool(make_token(bob, alice_workspace), "draft_posts", {}).content[0].text)

    result = tool(
        make_token(charlie, charlie_workspace),
        "drafting_status",
        {"job_ids": [jobs["jobs"][0]["id"]]},
    )

    assert result.is_error
    assert "Not found" in result.content[0].text


def test_draft_posts_refuses_more_than_five_and_writes_nothing(library, bob, alice_workspace):
    result = tool(make_token(bob, alice_workspace), "draft_posts", {"count": 6})

    assert result.is_error
    assert "between 1 and 5" in result.content[0].text
    assert not Post.objects.filter(workspace=alice_workspace).exists()


def test_a_viewer_token_cannot_draft(library, alice, alice_workspace):
    result = tool(make_token(alice, alice_workspace, role=Role.VIEWER), "draft_posts", {})

    assert result.is_error
    assert not Post.objects.filter(workspace=alice_workspace).exists()


def test_lint_text_reports_the_linter_findings(alice, alice_workspace):
    result = tool(make_token(alice, alice_workspace), "lint_text", {"text": "Short."})

    assert not result.is_error
    assert '"rule": "too-short"' in result.content[0].text


def test_an_owner_token_schedules_an_approved_post_in_the_next_free_slot(
    approved_post, alice, alice_workspace
):
    PostingSlot.objects.create(workspace=alice_workspace, weekday=2, local_time=time(9, 0))

    proposed = tool(make_token(alice, alice_workspace), "propose_time")
    scheduled = tool(
        make_token(alice, alice_workspace), "schedule_post", {"post_id": approved_post.pk}
    )

    approved_post.refresh_from_db()
    assert not scheduled.is_error
    assert approved_post.status == Post.Status.SCHEDULED
    proposed_at = json.loads(proposed.content[0].text)["at"]
    assert datetime.fromisoformat(proposed_at) == approved_post.scheduled_at


def test_an_editor_token_cannot_schedule(approved_post, bob, alice_workspace):
    at = (timezone.now() + timedelta(days=2)).isoformat()
    result = tool(
        make_token(bob, alice_workspace), "schedule_post", {"post_id": approved_post.pk, "at": at}
    )

    approved_post.refresh_from_db()
    assert result.is_error
    assert "only owners and admins can schedule" in result.content[0].text
    assert approved_post.status == Post.Status.APPROVED


def test_list_posting_slots_gives_the_weekly_slots_and_timezone(alice, alice_workspace):
    PostingSlot.objects.create(workspace=alice_workspace, weekday=0, local_time=time(8, 30))

    result = tool(make_token(alice, alice_workspace), "list_posting_slots")

    assert '"timezone": "Europe/Berlin"' in result.content[0].text
    assert '"local_time": "08:30"' in result.content[0].text


def test_leads_are_listed_read_and_moved_only_in_the_token_workspace(
    alice, alice_workspace, charlie, charlie_workspace
):
    ours = make_lead(alice_workspace, name="Dana", score=80)
    theirs = make_lead(charlie_workspace, name="Eve", score=90)
    secret = make_token(alice, alice_workspace)

    listed = tool(secret, "list_leads")
    updated = tool(
        secret,
        "update_lead",
        {"lead_id": ours.pk, "status": "qualified", "value_eur": 4500, "notes": "Call Tue"},
    )
    foreign = tool(secret, "update_lead", {"lead_id": theirs.pk, "status": "lost"})

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert "Dana" in listed.content[0].text
    assert "Eve" not in listed.content[0].text
    assert not updated.is_error
    assert (ours.status, str(ours.value_eur), ours.notes) == ("qualified", "4500.00", "Call Tue")
    assert foreign.is_error
    assert theirs.status == Lead.Status.NEW


def test_update_lead_refuses_a_negative_value(alice, alice_workspace):
    lead = make_lead(alice_workspace, name="Dana", score=80)

    result = tool(
        make_token(alice, alice_workspace), "update_lead", {"lead_id": lead.pk, "value_eur": "-5"}
    )

    lead.refresh_from_db()
    assert result.is_error
    assert "value_eur" in result.content[0].text
    assert lead.value_eur is None


def test_analytics_summary_accepts_only_the_dashboard_periods(alice, alice_workspace):
    secret = make_token(alice, alice_workspace)

    good = tool(secret, "analytics_summary", {"days": 7})
    bad = tool(secret, "analytics_summary", {"days": 12})

    assert '"days": 7' in good.content[0].text
    assert bad.is_error


def test_notifications_are_only_the_token_holder_own(alice, bob, alice_workspace):
    notify(workspace=alice_workspace, event="post.published", title="For Alice", users=[alice])
    notify(workspace=alice_workspace, event="post.published", title="For Bob", users=[bob])

    result = tool(make_token(bob, alice_workspace), "list_notifications")

    assert "For Bob" in result.content[0].text
    assert "For Alice" not in result.content[0].text


def test_resources_and_prompts_read_the_workspace(library, alice, alice_workspace):
    lead = make_lead(alice_workspace, name="Dana", score=80, text="What is your day rate?")

    async def steps(client):
        templates = await client.read_resource("techlead://workspace/templates")
        prompt = await client.get_prompt("answer_this_lead", {"lead_id": str(lead.pk)})
        return templates, prompt

    templates, prompt = session(make_token(alice, alice_workspace), steps)

    assert '"framework": "story"' in templates.contents[0].text
    assert "What is your day rate?" in prompt.messages[0].content.text
    assert list(
        AuditEvent.objects.filter(action__startswith="mcp.")
        .order_by("id")
        .values_list("action", "target")
    ) == [("mcp.resource", "template_library"), ("mcp.prompt", "answer_this_lead")]
