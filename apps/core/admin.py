from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.models import Heartbeat, OutboundEmail


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """The scheduler's pulse: beat and the dispatcher write here every minute, and each
    queue's workers ("worker:<queue>") when they take beat's ping. The staff overview reads
    them as beat or a queue's workers gone silent, with what to do."""

    list_display = ("name", "last_seen_at", "age", "means")
    readonly_fields = ("name", "last_seen_at", "age", "means")
    ordering = ("name",)

    class Media:
        css = {"all": ("staffops/staff.css",)}

    @admin.display(description=_("age"))
    def age(self, obj):
        seconds = (timezone.now() - obj.last_seen_at).total_seconds()
        stale = seconds > settings.HEARTBEAT_MAX_AGE_SECONDS
        return format_html(
            '<span class="staff-state {}">{}</span>',
            "bad" if stale else "ok",
            _("%(seconds)d s ago") % {"seconds": seconds},
        )

    @admin.display(description=_("when silent"))
    def means(self, obj):
        if obj.name.startswith("worker:"):
            return _(
                "No worker takes the %(queue)s queue (or beat is down): restart that worker."
            ) % {"queue": obj.name.removeprefix("worker:")}
        if obj.name == "dispatcher":
            return _("Due posts are not being claimed: check beat and the publishing workers.")
        return _("Beat or the default queue's worker is down: see the staff overview.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "created_at")
    search_fields = ("subject", "to")
    readonly_fields = ("subject", "from_email", "to", "body_text", "body_html", "created_at")

    def has_add_permission(self, request):
        return False
