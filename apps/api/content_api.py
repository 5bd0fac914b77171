"""Posts, posting slots and templates. Every write goes through the content services, so the
API follows the same rules as the screens: editors draft and submit, owners and admins
approve, schedule and publish."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.accounts.tenancy import WorkspaceScopedViewSet
from apps.api.access import WorkspaceApiAccess
from apps.api.exceptions import Conflict
from apps.api.serializers import (
    PostFilterSerializer,
    PostingSlotSerializer,
    PostSerializer,
    PostTemplateSerializer,
    PostWriteSerializer,
    ScheduleSerializer,
)
from apps.content import scheduling, selectors, services
from apps.content.models import Post, PostingSlot, PostTemplate
from apps.core.http import client_ip

PUBLISHING_ROLE_MESSAGE = _(
    "Editors can draft and submit posts, but only owners and admins can schedule and publish them."
)


def valid(serializer_class, data, **kwargs) -> dict:
    """The validated input, or a 400 naming each field. A query parameter given twice is an
    error too, rather than one of its values picked silently."""
    serializer = serializer_class(data=data, **kwargs)
    if hasattr(data, "getlist"):
        repeated = {
            name: [_("Give this parameter once.")]
            for name in serializer.fields
            if len(data.getlist(name)) > 1
        }
        if repeated:
            raise ValidationError(repeated)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PostActionsMixin:
    """Run a content service and say what happened the way the API does: 403 with the
    service's message for a role rule, 409 for a post whose state does not allow it."""

    def run(self, service, *args, **kwargs) -> Response:
        try:
            post = service(*args, **kwargs)
        except services.NotAllowed as error:
            raise PermissionDenied(str(error)) from None
        except services.ContentError as error:
            raise Conflict(str(error)) from None
        return Response(PostSerializer(post).data)


@extend_schema_view(
    list=extend_schema(summary="List posts", parameters=[PostFilterSerializer], tags=["posts"]),
    retrieve=extend_schema(summary="Read a post", tags=["posts"]),
)
@extend_schema(tags=["posts"])
class PostViewSet(
    WorkspaceApiAccess,
    PostActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = Post.objects.select_related("author", "approved_by").order_by("-updated_at", "-id")
    serializer_class = PostSerializer
    lookup_value_converter = "int"

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = valid(PostFilterSerializer, self.request.query_params)
        queryset = queryset.filter(archived_at__isnull=not filters["archived"])
        if filters.get("status"):
            queryset = queryset.filter(status=filters["status"])
        return queryset

    @extend_schema(
        summary="Write a draft", request=PostWriteSerializer, responses={201: PostSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = valid(PostWriteSerializer, request.data)
        try:
            post = services.post_create_manual(
                workspace=self.workspace, author=request.user, **data
            )
        except services.ContentError as error:
            raise ValidationError({"text": [str(error)]}) from None
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a post's text",
        description="An approved or in-review post goes back to draft, as in the editor.",
        request=PostWriteSerializer,
        responses=PostSerializer,
    )
    def update(self, request, *args, **kwargs):
        return self._save(request, partial=False)

    @extend_schema(
        summary="Change a post's text or first comment",
        request=PostWriteSerializer,
        responses=PostSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool) -> Response:
        post = self.get_object()
        data = valid(PostWriteSerializer, request.data, partial=partial)
        return self.run(
            services.post_save,
            post=post,
            actor=request.user,
            text=data.get("text", post.text),
            first_comment=data.get("first_comment", post.first_comment),
        )

    @extend_schema(
        summary="Archive a post",
        description="Posts are archived, not deleted: their results stay in analytics.",
        responses={204: None},
    )
    def destroy(self, request, *args, **kwargs):
        self.run(services.post_archive, post=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Send a draft for review", request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self.run(
            services.post_submit_for_review,
            post=self.get_object(),
            actor=request.user,
            ip_address=client_ip(request),
        )

    @extend_schema(
        summary="Approve a post",
        description="Owners and admins only; editors get a 403 that says so.",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self.run(
            services.post_approve,
            post=self.get_object(),
            membership=self.membership,
            ip_address=client_ip(request),
        )

    @extend_schema(
        summary="Schedule an approved post",
        description="At the given time, or in the next free posting slot. Owners and admins.",
        request=ScheduleSerializer,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, *args, **kwargs):
        self.require_role(Role.ADMIN, PUBLISHING_ROLE_MESSAGE)
        post = self.get_object()
        data = valid(ScheduleSerializer, request.data)
        if data.get("at"):
            return self.run(scheduling.post_schedule, post=post, at=data["at"], actor=request.user)
        return self.run(scheduling.post_add_to_queue, post=post, actor=request.user)

    @extend_schema(
        summary="Publish an approved post now",
        description="The dispatcher picks it up within a minute. Owners and admins.",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"], url_path="publish-now", url_name="publish-now")
    def publish_now(self, request, *args, **kwargs):
        self.require_role(Role.ADMIN, PUBLISHING_ROLE_MESSAGE)
        return self.run(scheduling.post_publish_now, post=self.get_object(), actor=request.user)

    @extend_schema(
        summary="Take a scheduled post off the schedule",
        description="It goes back to approved. Owners and admins.",
        request=None,
        responses=PostSerializer,
    )
    @action(detail=True, methods=["post"])
    def unschedule(self, request, *args, **kwargs):
        self.require_role(Role.ADMIN, PUBLISHING_ROLE_MESSAGE)
        return self.run(scheduling.post_unschedule, post=self.get_object(), actor=request.user)


@extend_schema_view(
    list=extend_schema(summary="List posting slots"),
    retrieve=extend_schema(summary="Read a posting slot"),
    create=extend_schema(summary="Add a weekly posting slot (owners and admins)"),
    destroy=extend_schema(summary="Remove a posting slot (owners and admins)"),
)
@extend_schema(tags=["posting slots"])
class PostingSlotViewSet(
    WorkspaceApiAccess,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = PostingSlot.objects.order_by("weekday", "local_time", "id")
    serializer_class = PostingSlotSerializer
    lookup_value_converter = "int"
    write_role = Role.ADMIN

    def create(self, request, *args, **kwargs):
        data = valid(PostingSlotSerializer, request.data)
        try:
            slot = scheduling.slot_add(
                workspace=self.workspace,
                weekday=data["weekday"],
                local_time=data["local_time"],
                actor=request.user,
            )
        except services.ContentError as error:  # that slot exists already
            raise Conflict(str(error)) from None
        return Response(PostingSlotSerializer(slot).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        scheduling.slot_remove(slot=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List the templates posts are written from"),
    retrieve=extend_schema(summary="Read a template"),
)
@extend_schema(tags=["templates"])
class PostTemplateViewSet(WorkspaceApiAccess, viewsets.ReadOnlyModelViewSet):
    """The shared library and the workspace's own templates, read-only."""

    queryset = PostTemplate.objects.none()  # for the schema's types; get_queryset scopes
    serializer_class = PostTemplateSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.templates_for(workspace=self.workspace).order_by("framework", "name", "id")
