"""Just enough HTTP on top of WSGI for the sandbox: a parsed request and a response."""

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl


@dataclass
class Request:
    method: str
    path: str  # percent-decoded, as UTF-8
    raw_query: str  # still encoded: Rest.li values are parsed before decoding
    headers: dict[str, str]  # lower-case names
    body: bytes
    environ: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict) -> "Request":
        # WSGI hands the decoded path over as latin-1; the bytes are really UTF-8.
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_query = environ.get("QUERY_STRING", "")
        if method == "POST" and headers.get("x-http-method-override", "").upper() == "GET":
            # Query tunnelling (contract §0): a long query travels as a form body.
            method, raw_query, body = "GET", body.decode("utf-8"), b""
        return cls(method, path or "/", raw_query, headers, body, environ)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    def json(self):
        """The JSON body; raises ValueError when it is not a JSON object."""
        data = json.loads(self.body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def json_response(status: int, payload, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json"), *(headers or [])])


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])


def redirect_response(location: str) -> Response:
    return Response(302, b"", [("Location", location)])


class ApiError(Exception):
    """Raised anywhere in a handler to answer with this status and JSON body."""

    def __init__(self, status: int, payload: dict, headers: list[tuple[str, str]] | None = None):
        super().__init__(payload.get("message") or payload.get("error"))
        self.response = json_response(status, payload, headers)
