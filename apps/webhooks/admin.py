from django.contrib import admin

from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "workspace", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "workspace__name")
    raw_id_fields = ("workspace",)
    # The secret is not a staff member's to read.
    exclude = ("secret",)
    readonly_fields = ("consecutive_failures", "disabled_at", "disabled_reason", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event")
    search_fields = ("event_id", "endpoint__url")
    raw_id_fields = ("workspace", "endpoint")
    readonly_fields = (
        "workspace",
        "endpoint",
        "event",
        "event_id",
        "payload",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    )
