"""The API tokens settings page, and the JSON 404 for unknown API paths."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, owned, workspace_view
from apps.api import services
from apps.api.forms import ApiTokenForm
from apps.api.models import ApiToken
from apps.core.http import client_ip


@csrf_exempt  # it changes nothing; without this a stray POST would get the HTML CSRF page
def api_not_found(request: HttpRequest, unknown: str = "", **kwargs) -> JsonResponse:
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


@workspace_view()
def api_tokens(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = ApiTokenForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.api_token_create(
                membership=membership, ip_address=client_ip(request), **form.cleaned_data
            )
        except services.ApiTokenError as error:
            form.add_error(None, str(error))
        else:
            # Shown in this response and never again; it is not kept anywhere, not even in
            # the session.
            return render(
                request, "api/token_created.html", {"token": new.token, "secret": new.secret}
            )
    tokens = owned(ApiToken, workspace=request.workspace).select_related("user")
    can_manage = membership.has_role(Role.ADMIN)
    if not can_manage:
        tokens = tokens.filter(user=request.user)
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": tokens,
            "can_manage": can_manage,
            "app_sessions": services.jwt_sessions_count(user=request.user),
        },
        status=400 if form.errors else 200,
    )


@workspace_view()
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_owned_or_404(
        ApiToken.objects.select_related("user"), workspace=request.workspace, pk=pk
    )
    # Everyone revokes their own tokens; owners and admins anyone's in the workspace.
    if token.user_id != request.user.pk and not request.membership.has_role(Role.ADMIN):
        return render(request, "403.html", status=403)
    services.api_token_revoke(token=token, actor=request.user, ip_address=client_ip(request))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens", workspace_slug=request.workspace.slug)


@workspace_view()
@require_POST
def api_sign_out_apps(request: HttpRequest) -> HttpResponse:
    count = services.jwt_revoke_all(
        user=request.user, reason="signed out of apps", ip_address=client_ip(request)
    )
    messages.success(
        request,
        ngettext(
            "Signed out of %(count)d app. It must sign in again.",
            "Signed out of %(count)d apps. They must sign in again.",
            count,
        )
        % {"count": count},
    )
    return redirect("api_tokens", workspace_slug=request.workspace.slug)
