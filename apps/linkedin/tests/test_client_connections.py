"""The client's connections to LinkedIn: kept open and shared by the clients of a process.

The sandbox answers HTTP/1.0 and closes every connection, so these tests talk to a small
HTTP/1.1 server that keeps them open, as LinkedIn does, and counts them."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.linkedin import client as linkedin
from apps.linkedin.client import LinkedInClient


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.connections.append(self.client_address)

    def do_GET(self):
        body = json.dumps({"sub": "kept", "authorization": self.headers["Authorization"]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format, *args):
        pass


@pytest.fixture
def keep_alive_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveHandler)
    server.daemon_threads = True
    server.connections = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def client_of(server, token: str) -> LinkedInClient:
    base = f"http://127.0.0.1:{server.server_port}"
    return LinkedInClient(token, oauth_base=base, api_base=base)


def test_clients_of_one_process_reuse_one_connection_to_linkedin(keep_alive_server):
    answers = [client_of(keep_alive_server, f"token-{n}").userinfo() for n in range(3)]

    assert len(keep_alive_server.connections) == 1
    # Only the connection is shared: each call carries its own client's token.
    assert [answer["authorization"] for answer in answers] == [
        "Bearer token-0",
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_clients_keep_their_own_session_headers_and_cookies(keep_alive_server):
    first, second = client_of(keep_alive_server, "a"), client_of(keep_alive_server, "b")
    first.session.cookies.set("li_at", "first member's")

    assert second.session.cookies.get("li_at") is None
    assert first.session.get_adapter(first.api_base) is second.session.get_adapter(second.api_base)


def test_a_forked_process_opens_connections_of_its_own(keep_alive_server, monkeypatch):
    parent = client_of(keep_alive_server, "parent")
    parent.userinfo()

    monkeypatch.setattr(linkedin.os, "getpid", lambda: -1)  # as in a worker's child
    child = client_of(keep_alive_server, "child")
    child.userinfo()

    assert child.session.get_adapter(child.api_base) is not parent.session.get_adapter(
        parent.api_base
    )
    assert len(keep_alive_server.connections) == 2


@pytest.fixture
def environment_read_afresh():
    linkedin._environment_settings.cache_clear()
    yield
    linkedin._environment_settings.cache_clear()


def test_calls_go_through_the_proxy_the_environment_names(
    keep_alive_server, monkeypatch, environment_read_afresh
):
    proxy = f"http://127.0.0.1:{keep_alive_server.server_port}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # No such host: the call answers only because it went to the proxy.
    client = LinkedInClient("via-proxy", api_base="http://linkedin.invalid")

    assert client.userinfo()["authorization"] == "Bearer via-proxy"
    assert len(keep_alive_server.connections) == 1


def test_hosts_the_environment_exempts_are_called_directly(
    keep_alive_server, monkeypatch, environment_read_afresh
):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    assert client_of(keep_alive_server, "direct").userinfo()["authorization"] == "Bearer direct"
