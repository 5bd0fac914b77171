from django.urls import path

from apps.content import calendar_views

# Mounted under /w/<workspace_slug>/ by techlead/urls.py.
workspace_urlpatterns = [
    path("calendar/", calendar_views.calendar_week, name="calendar"),
    path("calendar/month/", calendar_views.calendar_month, name="calendar_month"),
    path(
        "calendar/<int:pk>/reschedule/",
        calendar_views.calendar_reschedule,
        name="calendar_reschedule",
    ),
]
