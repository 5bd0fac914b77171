"""A member's in-app notifications in one workspace: only their own, never a colleague's."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.accounts.tenancy import WorkspaceScopedViewSet
from apps.api.access import WorkspaceApiAccess
from apps.api.content_api import valid
from apps.api.serializers import (
    MarkedSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
)
from apps.notifications import services
from apps.notifications.models import Notification


@extend_schema_view(
    list=extend_schema(
        summary="List your notifications", parameters=[NotificationFilterSerializer]
    ),
    retrieve=extend_schema(summary="Read a notification"),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(
    WorkspaceApiAccess,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = Notification.objects.order_by("-created_at", "-id")
    serializer_class = NotificationSerializer
    lookup_value_converter = "int"
    # Marking one's own notifications read is open to every role, viewers included.
    write_role = Role.VIEWER

    def filter_queryset(self, queryset):
        queryset = queryset.filter(user=self.request.user)
        if (
            self.action == "list"
            and valid(NotificationFilterSerializer, self.request.query_params)["unread"]
        ):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(summary="Mark a notification read", request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = self.get_object()
        services.mark_read(
            workspace=self.workspace, user=request.user, notification_ids=[notification.pk]
        )
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read", request=None, responses=MarkedSerializer
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request, *args, **kwargs):
        marked = services.mark_read(workspace=self.workspace, user=request.user)
        return Response({"marked": marked})
