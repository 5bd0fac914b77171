from django.urls import path

from apps.analytics import import_views, views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py. The dashboard is the workspace's
# home page.
workspace_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("analytics/", views.dashboard, name="analytics"),
    path("analytics/export/posts.csv", views.export_posts, name="export_posts"),
    path("analytics/export/leads.csv", views.export_leads, name="export_leads"),
    path("analytics/posts/<int:pk>/", views.post_metrics, name="post_metrics"),
    path("analytics/import/", import_views.analytics_import, name="analytics_import"),
]
