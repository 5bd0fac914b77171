from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import FileResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from hijack.contrib.admin import HijackUserAdminMixin

from apps.accounts import data_rights
from apps.accounts.models import (
    AuditEvent,
    ExpertiseProfile,
    Invitation,
    Membership,
    User,
    Workspace,
)
from apps.core.http import client_ip
from apps.linkedin.models import LinkedInConnection
from apps.staffops import selectors as staff_selectors
from apps.staffops import services as staff_services
from apps.staffops.admin_messages import report_retried


@admin.register(User)
class UserAdmin(HijackUserAdminMixin, DjangoUserAdmin):
    """Impersonation buttons show only for a superuser looking at someone they may
    impersonate (apps/staffops/permissions.py)."""

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


class LinkedInStateFilter(admin.SimpleListFilter):
    title = _("LinkedIn")
    parameter_name = "linkedin"

    def lookups(self, request, model_admin):
        return [*LinkedInConnection.Status.choices, ("none", _("Never connected"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(linkedin_status__isnull=True)
        if self.value() in LinkedInConnection.Status.values:
            return queryset.filter(linkedin_status=self.value())
        return queryset


class ProblemsFilter(admin.SimpleListFilter):
    title = _("problems")
    parameter_name = "problems"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Has failed posts")),
            ("needs_check", _("Has posts to check")),
            ("stuck", _("Has posts stuck in publishing")),
            ("scans_overdue", _("Has comment scans overdue")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(failed_posts__gt=0)
        if self.value() == "needs_check":
            return queryset.filter(needs_check_posts__gt=0)
        if self.value() == "stuck":
            return queryset.filter(stuck_posts__gt=0)
        if self.value() == "scans_overdue":
            return queryset.filter(scans_overdue__gt=0)
        return queryset


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    """Tenants with their health at a glance. The columns come from annotations
    (apps/staffops/selectors.with_health): the changelist costs the same few queries for
    one workspace or a hundred."""

    # Problems first: on a laptop screen the last columns scroll out of view.
    list_display = (
        "name",
        "stuck",
        "failed",
        "needs_check",
        "scans_late",
        "linkedin",
        "token_expires",
        "last_published",
        "leads_week",
        "plan",
        "subscription_status",
        "members",
        "posting_paused",
    )
    list_filter = (
        "plan",
        "subscription_status",
        "posting_paused",
        LinkedInStateFilter,
        ProblemsFilter,
    )
    search_fields = ("name", "slug", "membership__user__email")
    readonly_fields = ("created_at", "posting_paused")
    fields = (
        "name",
        "slug",
        "timezone",
        "plan",
        "subscription_status",
        "posting_paused",
        "created_at",
    )
    inlines = [MembershipInline]
    actions = [
        "pause_posting",
        "resume_posting",
        "retry_failed_posts",
        "refresh_linkedin_token",
        "export_data",
    ]

    class Media:
        css = {"all": ("staffops/staff.css",)}

    def get_queryset(self, request):
        return staff_selectors.with_health(super().get_queryset(request))

    def has_delete_permission(self, request, obj=None):
        # Deleting a tenant is the owner's decision (data rights), not an admin action; without
        # the permission Django also leaves out the bulk "delete selected" action.
        return False

    # --- Health columns --------------------------------------------------------------------

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, obj):
        return obj.member_count

    @admin.display(description=_("LinkedIn"), ordering="linkedin_status")
    def linkedin(self, obj):
        if obj.linkedin_status is None:
            return "—"
        label = LinkedInConnection.Status(obj.linkedin_status).label
        css = "ok" if obj.linkedin_status == LinkedInConnection.Status.CONNECTED else "bad"
        return format_html('<span class="staff-state {}">{}</span>', css, label)

    @admin.display(description=_("token expires"), ordering="linkedin_expires_at")
    def token_expires(self, obj):
        expires = obj.linkedin_expires_at
        if expires is None:
            return "—"
        days = (expires - timezone.now()).days
        css = "bad" if days < 1 else "warn" if days < 7 else "ok"
        return format_html(
            '<span class="staff-state {}" title="{}">{}</span>',
            css,
            expires.isoformat(),
            ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
            if days >= 0
            else _("expired"),
        )

    @admin.display(description=_("last published"), ordering="last_published_at")
    def last_published(self, obj):
        if obj.last_published_at is None:
            return "—"
        return date_format(timezone.localtime(obj.last_published_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("failed"), ordering="failed_posts")
    def failed(self, obj):
        return obj.failed_posts

    @admin.display(description=_("needs check"), ordering="needs_check_posts")
    def needs_check(self, obj):
        return obj.needs_check_posts

    @admin.display(description=_("stuck"), ordering="stuck_posts")
    def stuck(self, obj):
        """Posts in "publishing" past the reaper's window: beat or the workers are down."""
        return obj.stuck_posts

    @admin.display(description=_("scans overdue"), ordering="scans_overdue")
    def scans_late(self, obj):
        """Published posts not scanned for comments past twice their interval: beat or the
        scans workers are down (the staff overview says which), or LinkedIn keeps failing."""
        return obj.scans_overdue

    @admin.display(description=_("leads 7 d"), ordering="leads_this_week")
    def leads_week(self, obj):
        return obj.leads_this_week

    # --- Actions ---------------------------------------------------------------------------

    @admin.action(description=_("Pause posting"))
    def pause_posting(self, request, queryset):
        self._set_paused(request, queryset, paused=True)

    @admin.action(description=_("Resume posting"))
    def resume_posting(self, request, queryset):
        self._set_paused(request, queryset, paused=False)

    def _set_paused(self, request, queryset, *, paused):
        changed = sum(
            staff_services.posting_set_paused(
                workspace=workspace,
                paused=paused,
                actor=request.user,
                ip_address=client_ip(request),
            )
            for workspace in queryset
        )
        message = (
            ngettext(
                "Posting paused in %(n)d workspace.", "Posting paused in %(n)d workspaces.", changed
            )
            if paused
            else ngettext(
                "Posting resumed in %(n)d workspace.",
                "Posting resumed in %(n)d workspaces.",
                changed,
            )
        )
        self.message_user(request, message % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Retry failed posts now"))
    def retry_failed_posts(self, request, queryset):
        retried = 0
        for workspace in queryset:
            retried += len(
                staff_services.failed_posts_retry(
                    workspace=workspace, actor=request.user, ip_address=client_ip(request)
                )
            )
        report_retried(self, request, retried)

    @admin.action(description=_("Refresh the LinkedIn token now"))
    def refresh_linkedin_token(self, request, queryset):
        queued = sum(
            staff_services.linkedin_refresh_enqueue(
                workspace=workspace, actor=request.user, ip_address=client_ip(request)
            )
            for workspace in queryset
        )
        skipped = queryset.count() - queued
        self.message_user(
            request,
            _(
                "Token refresh queued for %(queued)d workspace(s); %(skipped)d have no "
                "connection with a refresh token (LinkedIn gives those to partner apps only)."
            )
            % {"queued": queued, "skipped": skipped},
            messages.SUCCESS if queued else messages.WARNING,
        )

    @admin.action(description=_("Export the workspace's data (zip)"))
    def export_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one workspace to export."), messages.WARNING
            )
            return None
        workspace = queryset.get()
        archive = data_rights.workspace_export(
            workspace=workspace, actor=request.user, ip_address=client_ip(request)
        )
        return FileResponse(
            archive,
            as_attachment=True,
            filename=data_rights.export_filename(workspace),
            content_type="application/zip",
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "workspace", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "workspace__name")
    raw_id_fields = ("workspace", "invited_by")
    exclude = ("token_hash",)  # never shown: only the secret's hash is stored


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
