from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.content.models import ApprovalLink, PastPost, Post, PostTemplate, PostVersion
from apps.core.http import client_ip
from apps.staffops import services as staff_services
from apps.staffops.admin_messages import report_retried


@admin.register(PostTemplate)
class PostTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "goal", "workspace", "is_active", "updated_at")
    list_select_related = ("workspace",)
    list_filter = ("framework", "goal", "is_active", ("workspace", admin.EmptyFieldListFilter))
    search_fields = ("name", "key")
    raw_id_fields = ("workspace",)


class PostVersionInline(admin.TabularInline):
    model = PostVersion
    extra = 0
    fields = ("created_at", "note", "created_by", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-mostly: staff look at posts to help, they do not write them. Text and status
    change only through the services (the app, or the retry action here), so the lifecycle,
    versions and audit stay true; a published post is never deleted from here."""

    # The one field staff may correct: a label, with no effect on publishing.
    editable_fields = ("topic",)

    list_display = (
        "__str__",
        "workspace",
        "status",
        "scheduled_at",
        "published_at",
        "publish_attempts",
        "framework",
        "updated_at",
    )
    list_filter = ("status", "framework", "backend")
    search_fields = ("text", "workspace__name", "workspace__slug", "linkedin_urn")
    list_select_related = ("workspace",)
    raw_id_fields = ("workspace", "author", "approved_by", "template")
    inlines = [PostVersionInline]
    actions = ["retry_failed"]

    def get_readonly_fields(self, request, obj=None):
        return [
            field.name
            for field in Post._meta.concrete_fields
            if field.name not in self.editable_fields and field.name != "id"
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status in (Post.Status.PUBLISHED, Post.Status.PUBLISHING):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete would sweep published posts along; delete drafts one at a time.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Retry the selected failed posts now"))
    def retry_failed(self, request, queryset):
        retried = sum(
            staff_services.failed_post_retry(
                post=post, actor=request.user, ip_address=client_ip(request)
            )
            for post in queryset.filter(status=Post.Status.FAILED)
        )
        report_retried(self, request, retried)


@admin.register(ApprovalLink)
class ApprovalLinkAdmin(admin.ModelAdmin):
    list_display = ("post", "approver", "created_at", "used_at")
    list_select_related = ("post", "approver")
    readonly_fields = ("workspace", "post", "approver", "nonce_hash", "created_at", "used_at")

    def has_add_permission(self, request):
        return False


@admin.register(PastPost)
class PastPostAdmin(admin.ModelAdmin):
    """Read-only: a consultant's own past posts, imported on the past posts page."""

    list_display = ("__str__", "workspace", "author", "source", "published_at", "created_at")
    list_select_related = ("workspace", "author")
    list_filter = ("source",)
    search_fields = ("text", "workspace__name", "workspace__slug")
    readonly_fields = (
        "workspace",
        "author",
        "text",
        "text_hash",
        "published_at",
        "source",
        "created_at",
    )

    def has_add_permission(self, request):
        return False
