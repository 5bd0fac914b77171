"""The Content Security Policy middleware: django-csp's, plus LinkedIn's sign-in host.

"Connect LinkedIn" is a form that posts to us and is redirected to LinkedIn's OAuth page;
Chromium applies form-action to that redirect too. The host comes from LINKEDIN_OAUTH_BASE
when the response is made (not when settings are imported), so the sandbox on whatever port
a test or `make run` gave it is allowed, and nothing else.

With media in an S3-compatible store, images are redirected to URLs the store signs
(apps/media/storage.py): the store's origin joins img-src, and only then.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings

from apps.media.storage import signed_url_origin


def linkedin_oauth_origin() -> str | None:
    parts = urlsplit(settings.LINKEDIN_OAUTH_BASE)
    if not (parts.scheme and parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}"


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        origin = linkedin_oauth_origin()
        if origin and not report_only:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            parts.update = update
        if not report_only and (media_origin := signed_url_origin()):
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), media_origin]
            parts.update = update
        return parts
