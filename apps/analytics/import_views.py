"""Uploading LinkedIn's own analytics export (XLSX) where the API may not read analytics."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.tenancy import workspace_view
from apps.analytics import importing


@workspace_view(min_role=Role.EDITOR)
def analytics_import(request: HttpRequest) -> HttpResponse:
    rows, error, stored = None, "", None
    upload = request.FILES.get("file")
    if request.method == "POST":
        try:
            if upload is None:
                raise importing.AnalyticsImportError(_("Choose the exported .xlsx file first."))
            if upload.size > importing.MAX_BYTES:
                raise importing.AnalyticsImportError(_("The file is larger than 5 MB."))
            rows = importing.match_rows(
                workspace=request.workspace, rows=importing.read_export(upload.read())
            )
            stored = importing.import_figures(workspace=request.workspace, rows=rows)
            messages.success(
                request,
                _("Figures imported for %(n)d of %(total)d posts in the file.")
                % {"n": len(stored), "total": len(rows)},
            )
        except importing.AnalyticsImportError as problem:
            error = str(problem)
    return render(
        request,
        "analytics/analytics_import.html",
        {"rows": rows, "error": error, "stored": stored},
        status=400 if error else 200,
    )
