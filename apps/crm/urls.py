from django.urls import path

from apps.crm import views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("settings/crm/", views.crm_settings, name="crm_settings"),
    path("settings/crm/connect/", views.crm_connect, name="crm_connect"),
    path("settings/crm/stages/", views.crm_stages, name="crm_stages"),
    path("settings/crm/disconnect/", views.crm_disconnect, name="crm_disconnect"),
    path(
        "settings/crm/deliveries/<int:pk>/redeliver/",
        views.crm_redeliver,
        name="crm_redeliver",
    ),
]
