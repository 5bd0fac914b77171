from django.contrib import admin

from apps.core.models import Heartbeat, OutboundEmail


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen_at")
    readonly_fields = ("name", "last_seen_at")

    def has_add_permission(self, request):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "created_at")
    search_fields = ("subject", "to")
    readonly_fields = ("subject", "from_email", "to", "body_text", "body_html", "created_at")

    def has_add_permission(self, request):
        return False
