"""Data rights screens: export and delete a workspace (owners), delete one's own account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import data_rights
from apps.accounts.data_forms import AccountDeleteForm, WorkspaceDeleteForm
from apps.accounts.models import Role
from apps.accounts.tenancy import workspace_view
from apps.core.http import client_ip


@workspace_view(min_role=Role.OWNER)
def workspace_data(request: HttpRequest) -> HttpResponse:
    form = WorkspaceDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = request.workspace.name
        try:
            data_rights.workspace_delete(
                workspace=request.workspace,
                actor=request.user,
                confirmation=form.cleaned_data["confirmation"],
                ip_address=client_ip(request),
            )
        except data_rights.DataRightsError as error:
            form.add_error("confirmation", str(error))
        else:
            messages.success(request, _("The workspace “%(name)s” is deleted.") % {"name": name})
            return redirect("home")
    return render(request, "accounts/data_workspace.html", {"form": form})


@workspace_view(min_role=Role.OWNER)
@require_POST
def workspace_export(request: HttpRequest) -> FileResponse:
    archive = data_rights.workspace_export(
        workspace=request.workspace, actor=request.user, ip_address=client_ip(request)
    )
    return FileResponse(
        archive,
        as_attachment=True,
        filename=data_rights.export_filename(request.workspace),
        content_type="application/zip",
    )


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    plan = data_rights.account_deletion_plan(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data_rights.account_delete(
                user=request.user,
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except data_rights.DataRightsError as error:
            form.add_error("password" if plan.allowed else None, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Goodbye."))
            return redirect("landing")
    return render(request, "accounts/data_account_delete.html", {"form": form, "plan": plan})
