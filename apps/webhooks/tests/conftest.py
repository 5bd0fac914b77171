import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.webhooks import signing
from apps.webhooks.models import EventType, WebhookEndpoint


@dataclass
class Received:
    headers: dict
    body: bytes
    signature_valid: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A customer's webhook receiver on 127.0.0.1: it checks each request's signature the
    way the settings page tells customers to, records it, and answers as scripted."""

    url: str = ""
    secret: str = ""
    answers: list = field(default_factory=list)  # status codes to give, in order; then 200
    delay: float = 0.0  # seconds to wait before answering (to provoke a timeout)
    received: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                signing.verify(receiver.secret, dict(self.headers), body)
                valid = True
            except signing.InvalidSignature:
                valid = False
            receiver.received.append(Received(dict(self.headers), body, valid))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 200
            if not valid:
                status = 401
            try:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"receiver says %d" % status)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(alice_workspace, receiver):
    """Alice's endpoint, subscribed to everything, pointing at the local receiver."""
    endpoint = WebhookEndpoint.objects.create(
        workspace=alice_workspace, url=receiver.url, events=EventType.values
    )
    receiver.secret = endpoint.secret
    return endpoint
