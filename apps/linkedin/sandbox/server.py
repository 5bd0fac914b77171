"""Serving the sandbox over real HTTP: as its own process, or in a thread for a test."""

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import Sandbox

logger = logging.getLogger("linkedin.sandbox")


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    # A response held back by a delay fault must not stop the next request or shutdown.
    daemon_threads = True
    block_on_close = False


class SandboxRequestHandler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["sandbox.drop_connection"] = self._drop_connection
        return environ

    def _drop_connection(self) -> None:
        # If the client is already gone there is nothing left to drop.
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format, *args):
        logger.debug("%s %s", self.address_string(), format % args)


def make_sandbox_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0):
    return make_server(
        host,
        port,
        sandbox,
        server_class=ThreadingWSGIServer,
        handler_class=SandboxRequestHandler,
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    db_path: str | Path = "var/linkedin-sandbox.sqlite3",
    **sandbox_options,
) -> None:
    """Serve a sandbox until interrupted. `sandbox_options` go to `Sandbox(...)`."""
    sandbox = Sandbox(db_path, **sandbox_options)
    with make_sandbox_server(sandbox, host, port) as server:
        try:
            server.serve_forever()
        finally:
            sandbox.close()


@dataclass
class RunningSandbox:
    base_url: str
    sandbox: Sandbox

    @property
    def oauth_base(self) -> str:
        return f"{self.base_url}/oauth/v2"

    @property
    def api_base(self) -> str:
        return self.base_url


@contextmanager
def running_sandbox(sandbox: Sandbox | None = None, **sandbox_options) -> Iterator[RunningSandbox]:
    """Serve `sandbox` (or a fresh in-memory one) on a free loopback port in a thread.

    A sandbox created here is closed on exit; one passed in stays open for its owner.
    """
    owned = sandbox is None
    sandbox = sandbox or Sandbox(":memory:", **sandbox_options)
    server = make_sandbox_server(sandbox, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield RunningSandbox(f"http://127.0.0.1:{server.server_port}", sandbox)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        if owned:
            sandbox.close()
