from django.urls import path

from apps.content import views, voice_views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("content/", views.content_list, name="content"),
    path("content/generate/", views.post_generate, name="post_generate"),
    path("content/plan-week/", views.post_plan_week, name="post_plan_week"),
    path("content/drafting/<int:pk>/", views.drafting_job, name="drafting_job"),
    path(
        "content/drafting/<int:pk>/resume/",
        views.drafting_job_resume,
        name="drafting_job_resume",
    ),
    path("content/new/", views.post_new, name="post_new"),
    path("content/lint/", views.post_lint, name="post_lint"),
    path("content/import/", views.post_import, name="post_import"),
    path("content/past-posts/", voice_views.past_posts, name="past_posts"),
    path(
        "content/past-posts/<int:pk>/delete/",
        voice_views.past_post_delete,
        name="past_post_delete",
    ),
    path("content/<int:pk>/", views.post_edit, name="post_edit"),
    path("content/<int:pk>/submit/", views.post_submit, name="post_submit"),
    path("content/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("content/<int:pk>/send-back/", views.post_send_back, name="post_send_back"),
    path("content/<int:pk>/archive/", views.post_archive, name="post_archive"),
    path("content/<int:pk>/unarchive/", views.post_unarchive, name="post_unarchive"),
    path(
        "content/<int:pk>/save-as-template/",
        views.post_save_as_template,
        name="post_save_as_template",
    ),
    path("content/<int:pk>/similar/", views.post_generate_similar, name="post_similar"),
    path("content/<int:pk>/queue/", views.post_queue, name="post_queue"),
    path("content/<int:pk>/schedule/", views.post_schedule_at, name="post_schedule_at"),
    path("content/<int:pk>/publish-now/", views.post_publish_now, name="post_publish_now"),
    path("content/<int:pk>/unschedule/", views.post_unschedule, name="post_unschedule"),
    path("content/<int:pk>/check/", views.post_resolve_check, name="post_resolve_check"),
    path("settings/slots/", views.posting_slots, name="posting_slots"),
    path(
        "settings/slots/suggested/",
        views.posting_slot_add_suggested,
        name="posting_slot_add_suggested",
    ),
    path("settings/slots/<int:pk>/remove/", views.posting_slot_remove, name="posting_slot_remove"),
    path("health/", views.health, name="health"),
    path(
        "content/<int:pk>/versions/<int:version_pk>/restore/",
        views.post_restore_version,
        name="post_restore_version",
    ),
]

urlpatterns = [
    path("approve/<str:token>/", views.approval_link, name="approval_link"),
    path("staff/health/", views.staff_health, name="staff_health"),
]
