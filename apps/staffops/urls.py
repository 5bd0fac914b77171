from django.urls import include, path

from apps.staffops import views

# Mounted at the root: staff-only routes, each declared by name in tests/tenancy_guard.py.
urlpatterns = [
    path("staff/overview/", views.overview, name="staff_overview"),
    # django-hijack's acquire and release; who may is apps/staffops/permissions.py.
    path("staff/impersonate/", include("hijack.urls")),
]
