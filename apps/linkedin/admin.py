from django.contrib import admin

from apps.linkedin.models import LinkedInConnection


@admin.register(LinkedInConnection)
class LinkedInConnectionAdmin(admin.ModelAdmin):
    list_display = (
        "workspace",
        "name",
        "status",
        "access_token_expires_at",
        "has_refresh_token",
        "last_refreshed_at",
    )
    list_filter = ("status",)
    search_fields = ("workspace__name", "name", "member_urn", "email")
    raw_id_fields = ("workspace", "connected_by")
    # Tokens never appear in admin: not even staff read them.
    exclude = ("access_token", "refresh_token")
    readonly_fields = (
        "member_sub",
        "member_urn",
        "scopes",
        "access_token_expires_at",
        "refresh_token_expires_at",
        "connected_at",
        "last_refreshed_at",
        "last_refresh_error",
        "expiry_reminders_sent",
    )

    @admin.display(boolean=True, description="refresh token")
    def has_refresh_token(self, obj):
        return bool(obj.refresh_token)
