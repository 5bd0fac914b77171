"""Staff pages. Across tenants by design: staff only, never linked from a workspace."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.selectors import database_role_warning
from apps.linkedin import check as linkedin_check
from apps.staffops import selectors


# Reads only, and may ask LinkedIn (the cached check): no transaction around the request
# (there is none since ATOMIC_REQUESTS is off; staff pages are not tenant views).
@staff_member_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staffops/overview.html",
        {
            "overview": selectors.overview(),
            "linkedin_check": linkedin_check.cached_check(),
            "heartbeat_limit": settings.HEARTBEAT_MAX_AGE_SECONDS,
            "role_warning": database_role_warning(),
            # The admin's base template expects these from admin.site.each_context.
            **_admin_context(request),
        },
    )


def _admin_context(request: HttpRequest) -> dict:
    from django.contrib import admin

    return admin.site.each_context(request)
