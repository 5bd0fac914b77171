"""Leads and comments for staff: read-mostly. Status, value and notes belong to the
workspace's people (the app's pipeline keeps history and feedback); erasing a commenter's
data is a workspace action in the app, so nothing is added or deleted here."""

import csv
import io

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from apps.leads.models import Comment, Commenter, Feedback, InboundMessage, Lead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = (
        "commenter",
        "workspace",
        "status",
        "score",
        "intent",
        "value_eur",
        "created_at",
    )
    list_filter = ("status", "intent")
    search_fields = ("commenter__name", "workspace__name", "workspace__slug")
    list_select_related = ("workspace", "commenter")
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "workspace", "commenter", "intent", "score", "commented_at")
    list_filter = ("intent", "source")
    search_fields = ("text", "workspace__name", "urn")
    list_select_related = ("workspace", "commenter")


@admin.register(Commenter)
class CommenterAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "workspace", "headline", "first_seen_at", "last_seen_at")
    search_fields = ("name", "actor_urn", "workspace__name")
    list_select_related = ("workspace",)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """Forwarded e-mails, for support: what arrived and what became of it."""

    list_display = ("subject", "workspace", "status", "provider", "received_at")
    list_filter = ("status", "provider")
    search_fields = ("subject", "sender", "workspace__slug")
    list_select_related = ("workspace",)
    date_hierarchy = "received_at"


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    """Members' "lead / not a lead" answers. The export action gives staff the labelled texts
    of workspaces that opted in (LeadSettings.share_labelled_comments) to grow the corpus."""

    list_display = ("__str__", "workspace", "is_lead", "intent", "created_at")
    list_filter = ("is_lead",)
    list_select_related = ("workspace",)
    actions = ["export_labelled_comments"]

    @admin.action(description=_("Export labelled comments (CSV, text only, opted-in workspaces)"))
    def export_labelled_comments(self, request, queryset):
        from apps.leads.selectors import labelled_comments_for_export

        rows = labelled_comments_for_export(feedback=queryset)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["text", "label", "intent"])
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="labelled-comments.csv"'
        return response
