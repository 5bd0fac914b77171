"""Log lines that say which request or task they belong to.

`LOG_FORMAT=json` (production's default) writes one JSON object per line, for a log shipper
to parse; `LOG_FORMAT=text` (development's) writes the same fields for a person to read.
Each line carries `request_id` and `workspace` (the slug in the URL) while a request is being
answered, and `task_id` and `task` while a Celery task runs.

This module imports neither Django nor Celery at load time: gunicorn's master process loads
it from deploy/gunicorn.conf.py before any Django settings exist.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
workspace_var: ContextVar[str | None] = ContextVar("workspace", default=None)

# A proxy's or load balancer's id is kept when it looks like one (nginx's $request_id, a
# UUID, AWS's Root=1-...); anything else, such as a header stuffed with newlines or a
# kilobyte of text, is replaced so it cannot forge or bloat log lines.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")

# LogRecord's own attributes: whatever else a record carries came from `extra=` and is
# written out as a field of its own.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "workspace",
    "task_id",
    "task",
}


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token, otherwise a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _current_task():
    # Only where Celery is already loaded (a worker, or a web process that sends tasks): a
    # filter must never import it, and the gunicorn master does not have it.
    if "celery" not in sys.modules:
        return None
    from celery import current_task

    return current_task if current_task else None  # a proxy: false outside a task


class RequestContextFilter(logging.Filter):
    """Adds request_id, workspace, task_id and task to every record (None when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "workspace", None) is None:
            record.workspace = workspace_var.get()
        if getattr(record, "task_id", None) is None:
            task = _current_task()
            request = getattr(task, "request", None)
            record.task_id = getattr(request, "id", None)
            record.task = getattr(task, "name", None) if record.task_id else None
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ("request_id", "workspace", "task_id", "task"):
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra that JSON cannot hold (a datetime, a model) still logs.
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`2026-04-07T09:12:03.120Z INFO apps.content.publishing [req 3f2a… alice-co] message`."""

    def format(self, record: logging.LogRecord) -> str:
        context = [
            f"{label}={value}"
            for label, value in (
                ("req", getattr(record, "request_id", None)),
                ("ws", getattr(record, "workspace", None)),
                ("task", getattr(record, "task_id", None)),
            )
            if value
        ]
        line = f"{_timestamp(record)} {record.levelname} {record.name}"
        if context:
            line += " [" + " ".join(context) + "]"
        line += " " + record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: one console handler on stderr, in `log_format`, with the context."""
    if log_format not in FORMATTERS:
        raise ValueError(f"LOG_FORMAT must be one of {sorted(FORMATTERS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContextFilter}},
        "formatters": {name: {"()": cls} for name, cls in FORMATTERS.items()},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
