"""Local fakes of the two outside services: a Web Push service that decrypts what it gets
with the subscription's private key and checks the VAPID signature, and Twilio's Messages
API that checks the account's credentials and form fields. Never the internet."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from apps.notifications.push import vapid_keys_new


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


# --- Web Push -------------------------------------------------------------------------------


@dataclass
class Device:
    """A browser's side of a subscription: the keys it would hand to pushManager.subscribe's
    caller, and the private key only it knows."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class PushMessage:
    path: str
    headers: dict
    payload: dict | None  # decrypted; None if it could not be
    vapid_claims: dict | None  # None unless the signature verified against `vapid_key`
    vapid_key: str


@dataclass
class FakePushService:
    base: str = ""
    devices: dict = field(default_factory=dict)  # path → Device
    gone: set = field(default_factory=set)  # paths answering 410
    received: list[PushMessage] = field(default_factory=list)

    def new_device(self) -> Device:
        path = f"/push/{len(self.devices) + 1}-{os.urandom(4).hex()}"
        device = Device(
            endpoint=self.base + path,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        self.devices[path] = device
        return device


def _verify_vapid(authorization: str) -> tuple[dict | None, str]:
    """RFC 8292: "vapid t=<JWT>, k=<public key>"; the JWT is ES256-signed by that key."""
    scheme, _sep, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        return None, ""
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts.get("t", ""), parts.get("k", "")
    header_b64, claims_b64, signature_b64 = token.split(".")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    raw = unb64url(signature_b64)  # JOSE: r and s, 32 bytes each
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    try:
        public_key.verify(
            signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        return None, key
    if json.loads(unb64url(header_b64)).get("alg") != "ES256":
        return None, key
    return json.loads(unb64url(claims_b64)), key


def _push_handler(service: FakePushService):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            device = service.devices.get(self.path)
            payload = None
            if device is not None and self.headers.get("Content-Encoding") == "aes128gcm":
                try:
                    clear = http_ece.decrypt(
                        body,
                        private_key=device.private_key,
                        auth_secret=device.auth_secret,
                        version="aes128gcm",
                    )
                    payload = json.loads(clear)
                except Exception:
                    payload = None
            claims, key = _verify_vapid(self.headers.get("Authorization", ""))
            service.received.append(
                PushMessage(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, payload, claims, key
                )
            )
            if self.path in service.gone or device is None:
                status = 410
            elif payload is None or claims is None:
                status = 400
            else:
                status = 201
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def vapid(settings):
    keys = vapid_keys_new()
    settings.VAPID_PUBLIC_KEY = keys.public_key
    settings.VAPID_PRIVATE_KEY = keys.private_key
    settings.VAPID_SUBJECT = "mailto:ops@techlead.example"
    return keys


@pytest.fixture
def push_service(settings, vapid):
    settings.WEBHOOKS_ALLOW_LOCAL = True  # the fake lives on 127.0.0.1
    service = FakePushService()
    server = _serve(_push_handler(service))
    service.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield service
    server.shutdown()
    server.server_close()


# --- Twilio ---------------------------------------------------------------------------------

ACCOUNT_SID = "AC" + "0" * 30
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+15005550006"


@dataclass
class FakeTwilio:
    base: str = ""
    opted_out: set = field(default_factory=set)  # numbers that replied STOP
    sent: list[dict] = field(default_factory=list)  # accepted messages' form fields
    refused: list[tuple[int, dict]] = field(default_factory=list)
    fail_next: int = 0  # answer this many more messages with a 503 (Twilio having a bad minute)

    def codes_sent_to(self, number: str) -> list[str]:
        import re

        return [
            re.search(r"\b(\d{6})\b", m["Body"]).group(1)
            for m in self.sent
            if m["To"] == number and "code" in m["Body"]
        ]


def _twilio_handler(twilio: FakeTwilio):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            fields = {k: v[0] for k, v in parse_qs(raw).items()}
            expected_auth = (
                "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            )
            if self.headers.get("Authorization") != expected_auth:
                twilio.refused.append((401, fields))
                return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                twilio.refused.append((404, fields))
                return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            if not fields.get("To") or not fields.get("Body") or fields.get("From") != FROM_NUMBER:
                twilio.refused.append((400, fields))
                return self._answer(
                    400, {"code": 21604, "message": "'To' is required", "status": 400}
                )
            if twilio.fail_next > 0:
                twilio.fail_next -= 1
                twilio.refused.append((503, fields))
                return self._answer(
                    503, {"code": 20503, "message": "Service unavailable", "status": 503}
                )
            if fields["To"] in twilio.opted_out:
                twilio.refused.append((400, fields))
                return self._answer(
                    400,
                    {
                        "code": 21610,
                        "message": "Attempt to send to unsubscribed recipient",
                        "status": 400,
                    },
                )
            twilio.sent.append(fields)
            return self._answer(201, {"sid": f"SM{len(twilio.sent):032d}", "status": "queued"})

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def twilio(settings):
    fake = FakeTwilio()
    server = _serve(_twilio_handler(fake))
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_API_BASE = fake.base
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    yield fake
    server.shutdown()
    server.server_close()


# --- Celery ---------------------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """Push and SMS deliveries handed to Celery, recorded instead of sent to a broker; the
    test runs them (twice, where that matters)."""
    from apps.notifications import tasks

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda *args: calls.append(args))
    return calls


def run_enqueued(enqueued) -> list[str]:
    from apps.notifications import tasks

    outcomes = [tasks.deliver(*args) for args in enqueued]
    enqueued.clear()
    return outcomes


@pytest.fixture
def verified_phone(alice, alice_workspace, twilio):
    from django.utils import timezone

    from apps.notifications.models import PhoneNumber

    return PhoneNumber.objects.create(
        workspace=alice_workspace, user=alice, number="+4915112345678", verified_at=timezone.now()
    )
