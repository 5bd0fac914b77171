from django.contrib import admin

from apps.notifications.models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "workspace", "user", "event", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("title", "user__email", "workspace__name")
    raw_id_fields = ("workspace", "user")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "created_at")
    list_filter = ("channel", "status")
    readonly_fields = ("workspace", "notification", "channel", "status", "error", "created_at")
