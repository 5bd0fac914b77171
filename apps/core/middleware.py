"""Every request gets an id: the one the reverse proxy sent in X-Request-ID when it is sane,
a new one otherwise. It is echoed in the response's X-Request-ID, written on every log line
made while the request is answered (apps/core/logging.py), and tagged on Sentry events, so
one id finds the proxy's line, the app's lines and the error report.
"""

from __future__ import annotations

import sys

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from apps.core.logging import request_id_from, request_id_var, workspace_var

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """First in MIDDLEWARE, so redirects and errors from later middleware carry the id too.

    The id stays set until the response is closed (request_finished), not just until this
    middleware returns: Django logs 4xx and 5xx answers ("Not Found: ...") after the whole
    middleware chain, and a streamed body is read after that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        # Set, not reset later by token: a gthread worker's thread keeps its context from one
        # request to the next, so each request overwrites and request_finished clears.
        request_id_var.set(request_id)
        workspace_var.set(None)
        if "sentry_sdk" in sys.modules:  # only where prod settings initialised it
            import sentry_sdk

            sentry_sdk.set_tag("request_id", request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The slug as the URL names it: known from here on, before the view checks membership,
        # so a 404 for a stranger's workspace is logged with the slug that was asked for.
        slug = view_kwargs.get("workspace_slug")
        if slug:
            workspace_var.set(slug)
        return None


def _forget_request(**kwargs) -> None:
    request_id_var.set(None)
    workspace_var.set(None)


request_finished.connect(_forget_request, dispatch_uid="apps.core.middleware.forget_request")
