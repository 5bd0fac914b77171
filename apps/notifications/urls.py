from django.urls import path

from apps.notifications import views

workspace_urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "settings/notifications/", views.notification_preferences, name="notification_preferences"
    ),
]
