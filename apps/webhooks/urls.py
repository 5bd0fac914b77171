from django.urls import path

from apps.webhooks import views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("settings/webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("settings/webhooks/<int:pk>/active/", views.webhook_set_active, name="webhook_set_active"),
    path("settings/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("settings/webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
    path(
        "settings/webhooks/deliveries/<int:pk>/redeliver/",
        views.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
