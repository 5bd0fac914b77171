"""/api/: the schema, its docs page, signing in, and each workspace's data under
/api/v1/w/<workspace_slug>/. The token settings page is a workspace screen, mounted with the
others under /w/<workspace_slug>/ (workspace_urlpatterns)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from apps.api import analytics_api, auth_api, content_api, leads_api, notifications_api, views
from apps.media import api as media_api

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("posts", content_api.PostViewSet, basename="post")
router.register("slots", content_api.PostingSlotViewSet, basename="slot")
router.register("templates", content_api.PostTemplateViewSet, basename="template")
router.register("leads", leads_api.LeadViewSet, basename="lead")
router.register("analytics", analytics_api.AnalyticsViewSet, basename="analytics")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("media", media_api.MediaViewSet, basename="media")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("v1/auth/token/", auth_api.TokenObtainView.as_view(), name="token"),
    path("v1/auth/token/refresh/", auth_api.TokenRefreshView.as_view(), name="token-refresh"),
    path("v1/auth/token/revoke/", auth_api.TokenRevokeView.as_view(), name="token-revoke"),
    path("v1/me/", auth_api.MeView.as_view(), name="me"),
    path(
        "v1/w/<slug:workspace_slug>/",
        include(
            [
                # The workspace's API root has no resource of its own: a JSON 404 like any
                # other unknown path, not the site's HTML page.
                path("", views.api_not_found, name="workspace-root"),
                *router.urls,
                # Anything else under a workspace (a malformed id, say) is a JSON 404 too.
                path("<path:unknown>", views.api_not_found, name="not-found"),
            ]
        ),
    ),
]

# Mounted under /w/<workspace_slug>/ by techlead/urls.py: the settings page for tokens.
workspace_urlpatterns = [
    path("settings/api-tokens/", views.api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("settings/api-tokens/sign-out-apps/", views.api_sign_out_apps, name="api_sign_out_apps"),
]
