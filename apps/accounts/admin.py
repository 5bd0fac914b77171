from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import (
    AuditEvent,
    ExpertiseProfile,
    Invitation,
    Membership,
    User,
    Workspace,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal"), {"fields": ("full_name", "timezone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "plan",
        "subscription_status",
        "member_count",
        "posting_paused",
        "created_at",
    )
    list_filter = ("plan", "subscription_status", "posting_paused")
    search_fields = ("name", "slug", "membership__user__email")
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]
    actions = ["pause_posting", "resume_posting"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("membership"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    @admin.action(description=_("Pause posting"))
    def pause_posting(self, request, queryset):
        self._set_paused(request, queryset, True)

    @admin.action(description=_("Resume posting"))
    def resume_posting(self, request, queryset):
        self._set_paused(request, queryset, False)

    def _set_paused(self, request, queryset, paused):
        from apps.accounts.services import workspace_update
        from apps.core.http import client_ip

        for workspace in queryset:
            workspace_update(
                workspace=workspace,
                actor=request.user,
                ip_address=client_ip(request),
                posting_paused=paused,
            )
        self.message_user(request, _("%(n)d workspace(s) updated.") % {"n": queryset.count()})


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "workspace", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "workspace__name")
    raw_id_fields = ("workspace", "invited_by")
    exclude = ("token",)


@admin.register(ExpertiseProfile)
class ExpertiseProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "headline", "language", "updated_at")
    search_fields = ("user__email", "workspace__name", "headline")
    raw_id_fields = ("workspace", "user")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence, and evidence is not edited."""

    list_display = ("created_at", "actor_email", "action", "workspace", "target", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_email", "target", "workspace__name", "action")
    date_hierarchy = "created_at"
    list_select_related = ("workspace",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
