"""A local fake of an OpenAI-compatible chat-completions server, for tests only.

`FakeLLM` listens on 127.0.0.1 (a free port), answers POST .../chat/completions according to
`behaviour`, and records every request it received (path, headers, JSON body). It never
talks to the internet.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BEHAVIOURS = ("ok", "slow", "error", "malformed", "no_choices", "empty", "too_long")


class FakeLLM:
    def __init__(self):
        self.behaviour = "ok"
        self.content = "A post.\n\nWith a body.\n\nWhat do you think?"
        self.delay_seconds = 2.0
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """What LLM_API_BASE should be: everything before /chat/completions."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "FakeLLM":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def last_request(self) -> dict:
        return self.requests[-1]

    def answer(self) -> tuple[int, bytes]:
        if self.behaviour == "slow":
            time.sleep(self.delay_seconds)
            return 200, _completion(self.content)
        if self.behaviour == "error":
            return 500, b'{"error": {"message": "the model crashed"}}'
        if self.behaviour == "malformed":
            return 200, b'{"choices": [{"message": {"content": "half a'
        if self.behaviour == "no_choices":
            return 200, json.dumps({"id": "x", "object": "chat.completion"}).encode()
        if self.behaviour == "empty":
            return 200, _completion("   ")
        if self.behaviour == "too_long":
            return 200, _completion("A very long post. " * 300)
        return 200, _completion(self.content)


def _completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
    ).encode()


def _handler_for(fake: FakeLLM):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
            if not self.path.endswith("/chat/completions"):
                status, payload = 404, b'{"error": "not found"}'
            else:
                status, payload = fake.answer()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout tests)

        def log_message(self, format, *args):  # keep test output quiet
            pass

    return Handler
