from django.urls import path

from apps.accounts import data_views, views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("settings/", views.workspace_settings, name="workspace_settings"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/members/", views.members, name="members"),
    path("settings/members/invite/", views.member_invite, name="member_invite"),
    path("settings/members/<int:pk>/role/", views.member_change_role, name="member_change_role"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path(
        "settings/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("settings/data/", data_views.workspace_data, name="workspace_data"),
    path("settings/data/export/", data_views.workspace_export, name="workspace_export"),
]

urlpatterns = [
    path("app/", views.home, name="home"),
    path("app/workspaces/new/", views.workspace_create, name="workspace_create"),
    path("app/preferences/", views.preferences, name="preferences"),
    path("app/account/delete/", data_views.account_delete, name="account_delete"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
