"""Settings for `manage.py mcp_server` started by the stdio tests: the test settings, on the
database the test wrote (a file copy of the in-memory SQLite database, or the PostgreSQL test
database itself when DATABASE_URL is set)."""

import os

from techlead.settings.test import *  # noqa: F403
from techlead.settings.test import DATABASES

DATABASES["default"] = {**DATABASES["default"], "NAME": os.environ["MCP_TEST_DATABASE_NAME"]}
DATABASES["default"].pop("TEST", None)
DATABASES["replica"] = dict(DATABASES["default"])
