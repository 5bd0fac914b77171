"""MCP clients for the tests, over both transports, with the SDK's own client: stdio spawns
`manage.py mcp_server` with the token in its environment; HTTP talks to a live server."""

import os
import sqlite3
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from apps.accounts.models import Membership
from apps.api.services import api_token_create
from apps.mcp.access import TOKEN_ENV

ROOT = Path(__file__).resolve().parents[3]


def make_token(user, workspace, role=None) -> str:
    membership = Membership.objects.get(user=user, workspace=workspace)
    return api_token_create(
        membership=membership, name="assistant", role=role or membership.role
    ).secret


@asynccontextmanager
async def http_client(url: str, secret: str):
    headers = {"Authorization": f"Bearer {secret}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{url}/mcp/", http_client=http)) as client,
    ):
        yield client


def stdio_parameters(secret: str, database_name: str) -> StdioServerParameters:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "DATABASE_URL", "PYTHONPATH", "TMPDIR")
    }
    env.update(
        {
            TOKEN_ENV: secret,
            "DJANGO_SETTINGS_MODULE": "apps.mcp.tests.subprocess_settings",
            "MCP_TEST_DATABASE_NAME": database_name,
        }
    )
    return StdioServerParameters(
        command=sys.executable, args=[str(ROOT / "manage.py"), "mcp_server"], env=env, cwd=str(ROOT)
    )


def sqlite_rows(database_name: str, query: str, params=()) -> list[tuple]:
    with sqlite3.connect(database_name) as db:
        return db.execute(query, params).fetchall()
