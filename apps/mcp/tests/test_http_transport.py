"""The MCP server over streamable HTTP at /mcp/, driven by the SDK's own client against a live
server: the bearer token decides the workspace and the role, and every call is audited."""

import anyio
import httpx2
import pytest

from apps.accounts.models import AuditEvent, Role
from apps.content.models import Post
from apps.content.services import post_create_manual
from apps.mcp.tests.clients import http_client, make_token

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = (
    "We cut our AWS bill by 38% without touching a single feature.\n\n"
    "Three changes did it: rightsized node groups, spot for stateless work, and a hard look "
    "at idle environments.\n\nWhat did your last cost review find?"
)


def call(url, secret, name, arguments=None):
    async def go():
        async with http_client(url, secret) as client:
            return await client.call_tool(name, arguments or {})

    return anyio.run(go)


def test_an_assistant_lists_the_tools_and_reads_a_post_of_its_token_workspace(
    live_server, alice, alice_workspace
):
    post = post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    secret = make_token(alice, alice_workspace)

    async def go():
        async with http_client(live_server.url, secret) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            read = await client.call_tool("read_post", {"post_id": post.pk})
            return names, read

    names, read = anyio.run(go)

    assert {"list_posts", "draft_posts", "schedule_post", "update_lead", "lint_text"} <= names
    assert not read.is_error
    assert "38% without touching a single feature" in read.content[0].text


def test_another_workspace_post_is_not_found_for_charlie_token(
    live_server, alice, alice_workspace, charlie, charlie_workspace
):
    post = post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    result = call(
        live_server.url, make_token(charlie, charlie_workspace), "read_post", {"post_id": post.pk}
    )

    assert result.is_error
    assert "Not found in this workspace" in result.content[0].text
    assert "38%" not in result.content[0].text


def test_an_editor_token_can_submit_but_not_approve(live_server, bob, alice_workspace):
    post = post_create_manual(workspace=alice_workspace, author=bob, text=TEXT)
    secret = make_token(bob, alice_workspace)

    approved = call(live_server.url, secret, "approve_post", {"post_id": post.pk})
    post.refresh_from_db()
    assert approved.is_error
    assert post.status == Post.Status.DRAFT

    submitted = call(live_server.url, secret, "submit_post_for_review", {"post_id": post.pk})
    post.refresh_from_db()
    assert not submitted.is_error
    assert post.status == Post.Status.IN_REVIEW


def test_an_owner_token_limited_to_viewer_cannot_change_a_post(live_server, alice, alice_workspace):
    post = post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    secret = make_token(alice, alice_workspace, role=Role.VIEWER)

    result = call(live_server.url, secret, "revise_post", {"post_id": post.pk, "text": "Changed."})

    post.refresh_from_db()
    assert result.is_error
    assert "Editor" in result.content[0].text
    assert post.text == TEXT


def test_every_call_is_in_the_audit_log_allowed_or_refused(live_server, bob, alice_workspace):
    post = post_create_manual(workspace=alice_workspace, author=bob, text=TEXT)
    secret = make_token(bob, alice_workspace)

    call(live_server.url, secret, "read_post", {"post_id": post.pk})
    call(live_server.url, secret, "approve_post", {"post_id": post.pk})

    events = list(
        AuditEvent.objects.filter(action="mcp.tool", workspace=alice_workspace)
        .order_by("id")
        .values_list("target", "actor__email", "details__outcome", "details__transport")
    )
    assert events == [
        ("read_post", "bob@example.com", "ok", "http"),
        ("approve_post", "bob@example.com", "refused", "http"),
    ]


def test_a_request_without_a_valid_token_is_refused_with_401(live_server, alice_workspace):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    missing = httpx2.post(f"{live_server.url}/mcp/", json=body, headers=headers)
    wrong = httpx2.post(
        f"{live_server.url}/mcp/",
        json=body,
        headers={**headers, "Authorization": "Bearer tl_not-a-real-token"},
    )

    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="mcp"'
    assert not AuditEvent.objects.filter(action__startswith="mcp.").exists()


def test_calls_beyond_the_token_rate_are_refused_with_429(
    live_server, settings, alice, alice_workspace
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "2/hour",
        },
    }
    secret = make_token(alice, alice_workspace)
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {}}
    headers = {
        "Authorization": f"Bearer {secret}",
        "Accept": "application/json, text/event-stream",
    }

    statuses = [
        httpx2.post(f"{live_server.url}/mcp/", json=body, headers=headers).status_code
        for _ in range(3)
    ]

    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429


def test_get_and_delete_are_answered_405_as_a_stateless_server_may(
    live_server, alice, alice_workspace
):
    headers = {"Authorization": f"Bearer {make_token(alice, alice_workspace)}"}

    stream = httpx2.get(f"{live_server.url}/mcp/", headers=headers)
    end = httpx2.delete(f"{live_server.url}/mcp/", headers=headers)

    assert (stream.status_code, end.status_code) == (405, 405)
    assert stream.headers["Allow"] == "POST"


def test_parallel_requests_are_each_answered_for_their_own_token(
    live_server, alice, alice_workspace, charlie, charlie_workspace
):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        # The live server shares the test's one in-memory SQLite connection between its
        # threads, so parallel transactions cannot happen there; CI runs this on PostgreSQL.
        pytest.skip("parallel requests need a database with a connection per thread")
    post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    tokens = {
        "alice": make_token(alice, alice_workspace),
        "charlie": make_token(charlie, charlie_workspace),
    }

    def list_posts(who: str) -> tuple[str, str]:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "list_posts", "arguments": {}},
        }
        headers = {
            "Authorization": f"Bearer {tokens[who]}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18",
        }
        answer = httpx2.post(f"{live_server.url}/mcp/", json=body, headers=headers, timeout=60)
        return who, answer.json()["result"]["content"][0]["text"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(list_posts, ["alice", "charlie"] * 3))

    for who, text in answers:
        assert ("38% without touching" in text) is (who == "alice")
