"""deploy/automation-webhooks.md tells n8n and Make users how to check our signature; these
tests check the documentation against real signatures: the worked example, and the n8n Code
node's JavaScript run as n8n would run it."""

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from apps.webhooks import signing
from conftest import service_required

DOC = Path(settings.BASE_DIR) / "deploy/automation-webhooks.md"
SECRET = "whsec_test-secret-for-the-docs"


def block_after(marker: str) -> str:
    text = DOC.read_text()
    match = re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert match, f"{marker} block missing from {DOC.name}"
    return match.group(1)


def test_the_worked_example_signature_is_what_we_send():
    example = dict(
        line.split(": ", 1) for line in block_after("signature-example").strip().splitlines()
    )
    body = example["body"].encode()
    timestamp = int(example["timestamp"])

    ours = signing.signed_headers(
        secret=example["secret"], event_id="x", body=body, timestamp=timestamp
    )

    assert ours["Webhook-Signature"] == example["signature"]
    signing.verify(example["secret"], ours, body, now=timestamp)  # raises if it does not match
    # The doc's recipe for Make: HMAC-SHA256 of "<timestamp>.<raw body>", keyed with the secret.
    recipe = "v1=" + signing.signature(example["secret"], example["timestamp"], example["body"])
    assert recipe == example["signature"]


N8N_HARNESS = """
const payload = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const $env = { TECHLEAD_WEBHOOK_SECRET: payload.secret };
const $input = { first: () => ({
  json: { headers: payload.headers },
  binary: { data: { data: Buffer.from(payload.body, 'utf8').toString('base64') } },
}) };
const run = () => { %s };
try {
  process.stdout.write(JSON.stringify(run()));
} catch (error) {
  process.stderr.write(String(error.message));
  process.exit(1);
}
"""


def run_n8n_code(headers: dict, body: str, secret: str = SECRET):
    node = shutil.which("node")
    if node is None:
        service_required("Node.js", "runs the n8n example from the docs")
    # n8n hands the Code node lower-cased header names.
    payload = {
        "secret": secret,
        "headers": {name.lower(): value for name, value in headers.items()},
        "body": body,
    }
    return subprocess.run(
        [node, "-e", N8N_HARNESS % block_after("n8n-verify")],
        input=json.dumps(payload).encode(),
        capture_output=True,
        timeout=30,
    )


def delivery(body: str, *, timestamp: int | None = None) -> dict:
    return signing.signed_headers(secret=SECRET, event_id="e1", body=body, timestamp=timestamp)


BODY = json.dumps(
    {"id": "e1", "type": "lead.detected", "workspace": "alice-co", "data": {"lead": {"id": 7}}},
    separators=(",", ":"),
)


def test_the_n8n_code_node_accepts_a_signed_delivery_and_returns_the_event():
    finished = run_n8n_code(delivery(BODY), BODY)

    assert finished.returncode == 0, finished.stderr.decode()
    assert json.loads(finished.stdout) == [{"json": json.loads(BODY)}]


@pytest.mark.parametrize(
    ("age_seconds", "body", "secret", "error"),
    [
        (0, BODY.replace("7", "8"), SECRET, "signature does not match"),
        (0, BODY, "whsec_someone-else", "signature does not match"),
        (900, BODY, SECRET, "too old"),
    ],
    ids=["tampered body", "wrong secret", "replayed"],
)
def test_the_n8n_code_node_refuses_what_it_must(age_seconds, body, secret, error):
    # Signed when the test runs, not when it is collected: a long suite would otherwise
    # turn every case into "too old".
    headers = delivery(BODY, timestamp=int(time.time()) - age_seconds)
    finished = run_n8n_code(headers, body, secret)

    assert finished.returncode == 1
    assert error in finished.stderr.decode()
