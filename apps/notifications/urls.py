from django.urls import path

from apps.notifications import views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    # Short, for text messages.
    path("n/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "settings/notifications/", views.notification_preferences, name="notification_preferences"
    ),
    path("settings/notifications/log/", views.delivery_log, name="delivery_log"),
    path("settings/notifications/push/", views.push_subscribe, name="push_subscribe"),
    path(
        "settings/notifications/push/<int:pk>/delete/",
        views.push_device_delete,
        name="push_device_delete",
    ),
    path("settings/notifications/phone/", views.phone_set, name="phone_set"),
    path("settings/notifications/phone/resend/", views.phone_resend, name="phone_resend"),
    path("settings/notifications/phone/verify/", views.phone_verify, name="phone_verify"),
    path("settings/notifications/phone/sms/", views.phone_sms_settings, name="phone_sms_settings"),
    path("settings/notifications/phone/delete/", views.phone_delete, name="phone_delete"),
]
