from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.accounts import urls as accounts_urls
from apps.analytics import urls as analytics_urls
from apps.api import urls as api_urls
from apps.content import calendar_urls
from apps.content import urls as content_urls
from apps.core import views as core_views
from apps.crm import urls as crm_urls
from apps.leads import urls as leads_urls
from apps.linkedin import urls as linkedin_urls
from apps.media import urls as media_urls
from apps.notifications import urls as notification_urls
from apps.staffops import urls as staffops_urls
from apps.webhooks import urls as webhook_urls

# Every tenant screen lives under /w/<workspace_slug>/; apps/accounts/tenancy.py checks it.
workspace_urlpatterns = [
    *accounts_urls.workspace_urlpatterns,
    *linkedin_urls.workspace_urlpatterns,
    *content_urls.workspace_urlpatterns,
    *calendar_urls.workspace_urlpatterns,
    *notification_urls.workspace_urlpatterns,
    *leads_urls.workspace_urlpatterns,
    *analytics_urls.workspace_urlpatterns,
    *webhook_urls.workspace_urlpatterns,
    *api_urls.workspace_urlpatterns,
    *crm_urls.workspace_urlpatterns,
    *media_urls.workspace_urlpatterns,
]

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("sw.js", core_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", core_views.web_manifest, name="web_manifest"),
    path("offline/", core_views.offline, name="offline"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (error pages from the
    # server, JSON, files); the app's icon instead of a 404 in every log.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("dev/mail/", include("apps.core.mail_urls")),
    path("admin/", admin.site.urls),
    path("", include(staffops_urls.urlpatterns)),
    # The REST API; workspace data under /api/v1/w/<workspace_slug>/ (apps/api/urls.py).
    path("api/", include(api_urls)),
    # The MCP server for AI assistants (streamable HTTP; bearer personal API token).
    path("mcp/", include("apps.mcp.urls")),
    path("", include(accounts_urls.urlpatterns)),
    path("", include(linkedin_urls.urlpatterns)),
    path("", include(content_urls.urlpatterns)),
    path("", include(leads_urls.urlpatterns)),
    path("w/<slug:workspace_slug>/", include(workspace_urlpatterns)),
]
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # Inbound mail webhooks (forwarded LinkedIn notifications); basic auth is required.
    urlpatterns.append(path("anymail/", include("apps.leads.mail_urls")))

handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
