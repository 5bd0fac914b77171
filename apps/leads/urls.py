from django.urls import path

from apps.leads import mail_views, views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("leads/", views.lead_inbox, name="leads"),
    path("leads/fresh/", views.leads_fresh, name="leads_fresh"),
    path("settings/leads/", views.lead_settings, name="lead_settings"),
    path("leads/import/", views.comment_import, name="comment_import"),
    path("leads/forwarding/", mail_views.inbound_setup, name="inbound_setup"),
    path("leads/forwarding/test/", mail_views.inbound_test, name="inbound_test"),
    path("leads/forwarding/regenerate/", mail_views.inbound_regenerate, name="inbound_regenerate"),
    path("leads/forwarding/<int:pk>/", mail_views.inbound_message, name="inbound_message"),
    path(
        "leads/forwarding/<int:pk>/retry/",
        mail_views.inbound_message_retry,
        name="inbound_message_retry",
    ),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/identify/", views.lead_identify, name="lead_identify"),
    path("leads/<int:pk>/export/", views.commenter_export, name="commenter_export"),
    path("leads/<int:pk>/erase/", views.commenter_erase, name="commenter_erase"),
    path("leads/<int:pk>/status/", views.lead_status, name="lead_status"),
    path("leads/comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("leads/comments/<int:pk>/feedback/", views.comment_feedback, name="comment_feedback"),
]

urlpatterns = [
    path("lead-status/<str:token>/", views.lead_status_link, name="lead_status_link"),
]
