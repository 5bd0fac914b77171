from django.contrib import admin

from apps.content.models import ApprovalLink, Post, PostTemplate, PostVersion


@admin.register(PostTemplate)
class PostTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "goal", "workspace", "is_active", "updated_at")
    list_filter = ("framework", "goal", "is_active", ("workspace", admin.EmptyFieldListFilter))
    search_fields = ("name", "key")
    raw_id_fields = ("workspace",)


class PostVersionInline(admin.TabularInline):
    model = PostVersion
    extra = 0
    fields = ("created_at", "note", "created_by", "text")
    readonly_fields = fields
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-mostly: staff look at posts to help, they do not write them."""

    list_display = (
        "__str__",
        "workspace",
        "status",
        "framework",
        "backend",
        "lint_score",
        "updated_at",
    )
    list_filter = ("status", "framework", "backend")
    search_fields = ("text", "workspace__name")
    list_select_related = ("workspace",)
    raw_id_fields = ("workspace", "author", "approved_by", "template")
    readonly_fields = (
        "workspace",
        "author",
        "text",
        "first_comment",
        "topic",
        "framework",
        "template",
        "template_key",
        "hook",
        "backend",
        "generation_note",
        "lint_score",
        "submitted_at",
        "approved_at",
        "approved_by",
        "created_at",
        "updated_at",
    )
    inlines = [PostVersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(ApprovalLink)
class ApprovalLinkAdmin(admin.ModelAdmin):
    list_display = ("post", "approver", "created_at", "used_at")
    readonly_fields = ("workspace", "post", "approver", "nonce_hash", "created_at", "used_at")

    def has_add_permission(self, request):
        return False
