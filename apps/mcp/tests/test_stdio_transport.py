"""`manage.py mcp_server` over stdio, spawned by the SDK's own stdio client with the token in
its environment, against a database the subprocess can open."""

import subprocess

import anyio
from django.db import connection
from mcp import Client

from apps.accounts.models import AuditEvent, Role
from apps.api.models import ApiToken
from apps.api.services import api_token_revoke
from apps.content.services import post_create_manual
from apps.mcp.tests.clients import make_token, sqlite_rows, stdio_parameters

TEXT = (
    "Our Kafka cluster stopped losing messages the day we stopped tuning it.\n\n"
    "We moved retries to the producers and made consumers idempotent.\n\n"
    "Where do your retries live?"
)


def audit_rows(database_name: str) -> list[tuple]:
    if connection.vendor == "sqlite":
        return sqlite_rows(
            database_name,
            "SELECT action, target FROM accounts_auditevent WHERE action LIKE 'mcp.%' ORDER BY id",
        )
    return list(
        AuditEvent.objects.filter(action__startswith="mcp.")
        .order_by("id")
        .values_list("action", "target")
    )


def test_stdio_server_serves_the_token_workspace_and_audits_each_call(
    stdio_database, alice, alice_workspace, bob
):
    post = post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)
    secret = make_token(bob, alice_workspace, role=Role.EDITOR)
    database = stdio_database()

    async def go():
        async with Client(stdio_parameters(secret, database), read_timeout_seconds=60) as client:
            listed = await client.call_tool("list_posts", {})
            revised = await client.call_tool(
                "revise_post", {"post_id": post.pk, "text": TEXT + "\n\n#kafka"}
            )
            approved = await client.call_tool("approve_post", {"post_id": post.pk})
            profile = await client.read_resource("techlead://workspace/expertise-profile")
            return listed, revised, approved, profile

    listed, revised, approved, profile = anyio.run(go)

    assert "stopped losing messages" in listed.content[0].text
    assert not revised.is_error
    assert "#kafka" in revised.content[0].text
    assert approved.is_error  # an editor's token submits for review; a human approves
    assert profile.contents[0].text.startswith("{")
    assert audit_rows(database) == [
        ("mcp.tool", "list_posts"),
        ("mcp.tool", "revise_post"),
        ("mcp.tool", "approve_post"),
        ("mcp.resource", "expertise_profile"),
    ]


def test_stdio_server_refuses_to_start_with_a_revoked_token(stdio_database, alice, alice_workspace):
    secret = make_token(alice, alice_workspace)
    api_token_revoke(token=ApiToken.objects.get(user=alice), actor=alice)
    parameters = stdio_parameters(secret, stdio_database())

    finished = subprocess.run(
        [parameters.command, *parameters.args],
        env=parameters.env,
        cwd=parameters.cwd,
        input=b"",
        capture_output=True,
        timeout=120,
    )

    assert finished.returncode != 0
    assert b"not valid, has expired or was revoked" in finished.stderr
    assert b"TECHLEAD_API_TOKEN" in finished.stderr
