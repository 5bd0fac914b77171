from django.urls import path

from apps.linkedin import views

workspace_urlpatterns = [
    path("settings/linkedin/", views.linkedin_settings, name="linkedin_settings"),
    path("settings/linkedin/connect/", views.linkedin_connect, name="linkedin_connect"),
    path("settings/linkedin/disconnect/", views.linkedin_disconnect, name="linkedin_disconnect"),
]

urlpatterns = [
    path("linkedin/callback", views.linkedin_callback, name="linkedin_callback"),
]
