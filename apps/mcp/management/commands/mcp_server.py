"""`manage.py mcp_server`: the MCP server on stdin/stdout, for an assistant on this machine.

The personal API token comes from the environment (TECHLEAD_API_TOKEN), never from the
command line, where other users of the machine could read it. Logs go to stderr: stdout
carries the protocol."""

import os

import anyio
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.mcp.access import TOKEN_ENV, McpAuthError, current_caller, principal_for_secret
from apps.mcp.server import Caller, shared_server


class Command(BaseCommand):
    help = "Serve the workspace of a personal API token to an AI assistant over MCP (stdio)."

    def handle(self, *args, **options):
        secret = os.environ.get(TOKEN_ENV, "")
        try:
            # Checked before serving, so a wrong token fails loudly at start, not per call.
            principal_for_secret(secret, transport="stdio")
        except McpAuthError as error:
            raise CommandError(
                _("%(problem)s Set %(variable)s to a personal API token from Settings.")
                % {"problem": error, "variable": TOKEN_ENV}
            ) from None
        current_caller.set(Caller(secret=secret, transport="stdio"))
        anyio.run(shared_server().run_stdio_async)
