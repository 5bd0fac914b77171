from django.contrib import admin

from apps.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: staff see which tokens exist and when they were used, never a secret."""

    list_display = ("name", "prefix", "workspace", "user", "role", "last_used_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("name", "prefix", "user__email", "workspace__slug")
    list_select_related = ("workspace", "user")
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False
