import hashlib
import hmac
import json
import re
from functools import lru_cache

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.models import OutboundEmail
from apps.core.selectors import database_role_warning, platform_health


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "core/landing.html")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 or 503 for the load balancer. Which part failed, and how (database engine, cache
    class, broker, beat's age), only for staff or a caller with HEALTHZ_TOKEN: to anyone else
    it is a map of the platform.

    The same callers also get `warnings`: what works but should not be so, such as a
    database connection that row-level security does not bind. A warning leaves the status
    alone: a load balancer taking every web node out would turn it into an outage."""
    checks = platform_health()
    healthy = all(check.ok for check in checks.values())
    body: dict = {"status": "ok" if healthy else "unhealthy"}
    if _may_see_health_details(request):
        body["checks"] = {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}
        role_warning = database_role_warning()
        body["warnings"] = {"row_level_security": role_warning.text} if role_warning else {}
    return JsonResponse(body, status=200 if healthy else 503)


def _may_see_health_details(request: HttpRequest) -> bool:
    return _staff_or_token(request, settings.HEALTHZ_TOKEN)


def _bearer(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ").strip()


def _staff_or_token(request: HttpRequest, token: str) -> bool:
    sent = _bearer(request)
    if token and sent and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)


@require_GET
@never_cache
@transaction.non_atomic_requests
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape (apps/core/metrics.py), for staff and for a scraper sending
    METRICS_TOKEN. Without credentials it does not exist (404); wrong ones get 403."""
    if not _staff_or_token(request, settings.METRICS_TOKEN):
        if _bearer(request) or request.user.is_authenticated:
            raise PermissionDenied
        raise Http404
    from apps.core.metrics import exposition

    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)


# --- The installable app (PWA) ---------------------------------------------------------------

THEME_COLOR = "#14213d"  # --ink in static/css/app.css: the sidebar and the phone's top bar
BACKGROUND_COLOR = "#f6f7fb"  # --bg


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest. A view rather than a static file, so the icons are linked by their
    hashed names and the description follows the visitor's language."""
    icons = [
        {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("pwa/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    manifest = {
        "id": reverse("home"),
        "name": "TechLead AutoPilot",
        "short_name": "TechLead",
        "description": _("Turn your expertise into LinkedIn posts and the comments into leads."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js, served from the site root so that it may control every page."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    # The browser checks for a new worker on navigations; never let a cache answer for it.
    response["Cache-Control"] = "no-cache"
    return response


def _service_worker_config() -> dict:
    inbox = reverse("leads", kwargs={"workspace_slug": "SLUG"})
    config = {
        "shell": [
            reverse("offline"),
            reverse("web_manifest"),
            static("css/app.css"),
            static("js/app.js"),
            static("vendor/htmx-2.0.11.min.js"),
            static("pwa/icon-192.png"),
            static("pwa/icon-512.png"),
        ],
        "offlineUrl": reverse("offline"),
        "pushScript": static("js/sw-push.js"),
        "loginUrl": reverse("account_login"),
        "logoutUrl": reverse("account_logout"),
        "staticUrl": settings.STATIC_URL,
        "inboxPattern": "^" + re.escape(inbox).replace("SLUG", "[^/]+") + "$",
    }
    return config


def _read_service_worker() -> str:
    path = finders.find("js/sw.js")
    if path:
        with open(path, encoding="utf-8") as source:
            return source.read()
    from django.contrib.staticfiles.storage import staticfiles_storage

    with staticfiles_storage.open("js/sw.js") as source:
        return source.read().decode()


def _build_service_worker() -> str:
    config = _service_worker_config()
    code = _read_service_worker()
    # Any change to the shell's URLs or to the worker itself is a new version: a new worker
    # installs and the old caches go.
    fingerprint = json.dumps(config, sort_keys=True) + code
    config["version"] = hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
    return f"self.SW_CONFIG = {json.dumps(config)};\n{code}"


_cached_service_worker = lru_cache(maxsize=1)(_build_service_worker)


def _service_worker_source() -> str:
    return _build_service_worker() if settings.DEBUG else _cached_service_worker()


def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it cannot fetch. Cached by the worker for
    everyone on the device, so it holds nothing about the user."""
    return render(request, "core/offline.html")


@staff_member_required
def mail_list(request: HttpRequest) -> HttpResponse:
    emails = OutboundEmail.objects.only("id", "subject", "to", "created_at")[:200]
    return render(request, "core/mail_list.html", {"emails": emails})


@staff_member_required
def mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutboundEmail, pk=pk)
    return render(request, "core/mail_detail.html", {"email": email})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    # The page's own <style> carries the CSP nonce, so it looks right without app.css.
    nonce = getattr(request, "csp_nonce", None)
    return HttpResponse(
        loader.get_template("500.html").render({"csp_nonce": "" if nonce is None else str(nonce)}),
        status=500,
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon (a server error page, JSON,
    a file): the app's icon instead of a 404 in every log."""
    return redirect(static("pwa/icon-192.png"), permanent=True)
