"""The webhook pages ahead of the project's URLs, so tests run before and after they are
mounted in techlead/urls.py."""

from django.urls import include, path

from apps.webhooks import urls as webhook_urls

urlpatterns = [
    path("w/<slug:workspace_slug>/", include(webhook_urls.workspace_urlpatterns)),
    path("", include("techlead.urls")),
]
