"""Log lines say which request, workspace or task they belong to; responses carry the id."""

import json
import logging
import re

import pytest
from celery import shared_task

from apps.core.logging import (
    JsonFormatter,
    RequestContextFilter,
    TextFormatter,
    logging_config,
    request_id_from,
    request_id_var,
    workspace_var,
)

pytestmark = pytest.mark.django_db


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/")
    second = client.get("/")
    assert first.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/", headers={"X-Request-ID": "3f2a9c1e-77b0-4c1d-9d0e-aa12bb34cc56"})
    assert response["X-Request-ID"] == "3f2a9c1e-77b0-4c1d-9d0e-aa12bb34cc56"


@pytest.mark.parametrize(
    "header",
    ["", "has spaces in it", "x" * 129, '{"forged": "json"}', "-starts-with-a-dash", "é-unicode"],
)
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, header):
    response = client.get("/", headers={"X-Request-ID": header})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert request_id_from(header) != header


def test_a_log_line_inside_a_request_names_the_request_and_the_workspace(
    charlie_client, alice_workspace, collected
):
    # Charlie asks for Alice's workspace: 404, which django.request logs as a warning.
    response = charlie_client.get("/w/alice-co/", headers={"X-Request-ID": "edge-7f3a"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "edge-7f3a"

    [line] = [r for r in collected if r.name == "django.request"]
    assert line.request_id == "edge-7f3a"
    assert line.workspace == "alice-co"
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "edge-7f3a"
    assert entry["workspace"] == "alice-co"
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Not Found: /w/alice-co/"
    # The context ends with the request.
    assert request_id_var.get() is None
    assert workspace_var.get() is None


def test_a_line_outside_any_request_has_no_request_fields(collected):
    logging.getLogger("apps.test").warning("nothing to do with a request")
    entry = json.loads(JsonFormatter().format(collected[-1]))
    assert entry["message"] == "nothing to do with a request"
    assert "request_id" not in entry
    assert "workspace" not in entry
    assert "task_id" not in entry


@shared_task(name="core.tests.log_something")
def log_something(text):
    logging.getLogger("apps.core.tests").warning("task says %s", text)


def test_a_celery_task_logs_with_its_task_id(collected):
    result = log_something.apply(args=["hello"], task_id="task-0001")
    assert result.successful()
    [line] = [r for r in collected if r.name == "apps.core.tests"]
    assert line.task_id == "task-0001"
    assert line.task == "core.tests.log_something"
    assert json.loads(JsonFormatter().format(line))["task_id"] == "task-0001"


def test_json_lines_are_one_object_per_line_with_extras_and_exceptions():
    logger = logging.getLogger("apps.test")
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logger.makeRecord(
            "apps.test", logging.ERROR, __file__, 1, "failed for %s", ("alice",),
            exc_info=__import__("sys").exc_info(), extra={"post_id": 42},
        )  # fmt: skip
    RequestContextFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for alice"
    assert entry["logger"] == "apps.test"
    assert entry["post_id"] == 42
    assert "ValueError: bad" in entry["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_text_lines_are_for_people():
    record = logging.getLogger("apps.test").makeRecord(
        "apps.test", logging.INFO, __file__, 1, "published %s", ("post 7",), None
    )
    token = request_id_var.set("abc123")
    try:
        RequestContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = TextFormatter().format(record)
    assert line.endswith(" INFO apps.test [req=abc123] published post 7")


def test_the_log_format_is_json_or_text():
    assert logging_config(log_format="json", level="info")["handlers"]["console"]["formatter"] == (
        "json"
    )
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="yaml", level="INFO")
