from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.tenancy import workspace_view
from apps.notifications import selectors, services
from apps.notifications.models import Event


@workspace_view()
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_read(workspace=request.workspace, user=request.user)
        return redirect("notifications", workspace_slug=request.workspace.slug)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "notifications": selectors.notifications_for(
                workspace=request.workspace, user=request.user
            ),
        },
    )


@workspace_view()
def notification_preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = {event for event in request.POST.getlist("email") if event in Event.values}
        services.preferences_save(
            workspace=request.workspace, user=request.user, email_events=chosen
        )
        messages.success(request, _("Notification preferences saved."))
        return redirect("notification_preferences", workspace_slug=request.workspace.slug)
    return render(
        request,
        "notifications/preferences.html",
        {
            "choices": selectors.email_choices(workspace=request.workspace, user=request.user),
        },
    )
