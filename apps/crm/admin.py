from django.contrib import admin

from apps.crm.models import CrmConnection, CrmDelivery


@admin.register(CrmConnection)
class CrmConnectionAdmin(admin.ModelAdmin):
    list_display = ["workspace", "provider", "status", "created_at"]
    list_filter = ["provider", "status"]
    list_select_related = ["workspace"]
    exclude = ["token"]  # staff never see a customer's CRM token
    readonly_fields = ["workspace", "provider", "status", "status_reason", "connected_by"]


@admin.register(CrmDelivery)
class CrmDeliveryAdmin(admin.ModelAdmin):
    list_display = ["workspace", "event_key", "status", "attempts", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["workspace"]
    readonly_fields = [f.name for f in CrmDelivery._meta.fields]
