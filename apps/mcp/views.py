"""/mcp/: the streamable HTTP transport, inside the (sync, WSGI) Django app.

Each POST is one JSON-RPC message, answered in one JSON response: the SDK's session manager
runs stateless with JSON responses, driven for this one request through an ASGI scope made
from the Django request. Nothing lives between requests, so any worker can answer any call.
GET (a server-to-client event stream) and DELETE (ending a session) are not offered: a
stateless server has no session to stream or end, and the protocol lets it say 405.

The bearer personal API token is checked here (401 otherwise) and counted by the API's own
throttles (429 with Retry-After), before the SDK sees the body."""

import math

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from apps.api.throttles import TokenRateThrottle, UserRateThrottle
from apps.core.http import client_ip
from apps.mcp.access import McpAuthError, current_caller, principal_for_secret
from apps.mcp.server import Caller, shared_server

# Host and Origin are checked by Django (ALLOWED_HOSTS) and the bearer token; a browser page
# cannot send the Authorization header cross-site without CORS, which this app never grants.
SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)


def _error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse(
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": message}},
        status=status,
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class _ThrottleRequest:
    """What the API's throttles read from a DRF request: the token and its user."""

    def __init__(self, principal, request: HttpRequest):
        self.auth = principal.token
        self.user = principal.user
        self.META = request.META


def _throttle_wait(principal, request: HttpRequest) -> float | None:
    throttled = _ThrottleRequest(principal, request)
    waits = []
    for throttle in (TokenRateThrottle(), UserRateThrottle()):
        if not throttle.allow_request(throttled, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


def _scope(request: HttpRequest) -> dict:
    headers = [
        (name[5:].replace("_", "-").lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.META.items()
        if name.startswith("HTTP_")
    ]
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if request.META.get(name):
            headers.append((name.replace("_", "-").lower().encode(), request.META[name].encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.path.encode(),
        "root_path": "",
        "query_string": request.META.get("QUERY_STRING", "").encode(),
        "headers": headers,
        "server": (request.get_host(), int(request.get_port() or 80)),
        "client": (client_ip(request) or "", 0),
    }


async def _serve(scope: dict, body: bytes, caller: Caller) -> tuple[int, list, bytes]:
    current_caller.set(caller)
    manager = StreamableHTTPSessionManager(
        # The low-level server, as the SDK's own MCPServer.streamable_http_app() passes it.
        app=shared_server()._lowlevel_server,
        json_response=True,
        stateless=True,
        security_settings=SECURITY,
    )
    sent = {"body": False}
    answer = {"status": 500, "headers": [], "body": b""}

    async def receive():
        if sent["body"]:
            return {"type": "http.disconnect"}
        sent["body"] = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


@csrf_exempt
def mcp_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _error(405, _("This MCP server answers POST requests only."))
        response["Allow"] = "POST"
        return response
    keyword, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if keyword.lower() != "bearer":
        return _error(
            401,
            _("Send a personal API token: Authorization: Bearer tl_…"),
            WWW_Authenticate='Bearer realm="mcp"',
        )
    try:
        principal = principal_for_secret(secret, transport="http")
    except McpAuthError as error:
        return _error(401, str(error), WWW_Authenticate='Bearer realm="mcp"')
    wait = _throttle_wait(principal, request)
    if wait is not None:
        return _error(
            429,
            _("Too many requests. Try again in %(seconds)s seconds.")
            % {"seconds": math.ceil(wait)},
            Retry_After=str(math.ceil(wait)),
        )
    caller = Caller(secret=secret.strip(), transport="http", ip_address=client_ip(request))
    status, headers, body = async_to_sync(_serve)(_scope(request), request.body, caller)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        if name.lower() not in (b"content-length",):
            response[name.decode("latin-1")] = value.decode("latin-1")
    return response
