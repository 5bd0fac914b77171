from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.notifications import outbox
from apps.notifications.models import Delivery, Notification, OutboxEvent


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "workspace", "user", "event", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("title", "user__email", "workspace__name")
    raw_id_fields = ("workspace", "user")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "created_at", "error")
    list_filter = ("channel", "status")
    readonly_fields = (
        "workspace",
        "notification",
        "channel",
        "status",
        "error",
        "attempts",
        "next_attempt_at",
        "created_at",
    )


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Recorded events and how delivering them went: stuck ones (pending long after they
    were recorded, or failed after every retry) show their error; send them again here."""

    list_display = ("event", "key", "workspace", "status", "attempts", "created_at", "last_error")
    list_filter = ("status", "event")
    search_fields = ("key", "workspace__name")
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed events again"))
    def send_again(self, request, queryset):
        from apps.notifications.tasks import dispatch_event

        sent = 0
        for row in queryset.filter(status=OutboxEvent.Status.FAILED).select_related("workspace"):
            if outbox.redeliver(row=row):
                dispatch_event.delay(row.pk, row.workspace_id)
                sent += 1
        messages.success(request, _("%(n)d events are being sent again.") % {"n": sent})
