"""Media through the REST API: the same services, checks and roles as the editor. Editors
attach, describe, reorder and remove; viewers read; another workspace's post or media: 404."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.tenancy import WorkspaceScopedViewSet, get_owned_or_404
from apps.api.access import WorkspaceApiAccess
from apps.content.models import Post

from . import services
from .models import PostMedia
from .validation import ALT_TEXT_MAX_LENGTH, MediaError

READ_LIMIT = 100 * 1024 * 1024 + 1


class PostMediaSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField(
        help_text=(
            "Where a member reads the file: the app checks the workspace, then streams it or, "
            "with an object store, redirects to a signed URL valid for a few minutes. Nothing "
            "is public."
        )
    )

    class Meta:
        model = PostMedia
        fields = [
            "id",
            "post",
            "kind",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "pages",
            "alt_text",
            "title",
            "position",
            "is_carousel",
            "linkedin_urn",
            "created_at",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, media: PostMedia) -> str:
        return reverse("media_file", args=[media.workspace.slug, media.pk])


class MediaFilterSerializer(serializers.Serializer):
    post = serializers.IntegerField(required=False, help_text="Only this post's media.")


class MediaUploadSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    file = serializers.FileField(help_text="A JPEG, PNG or GIF image, or a PDF document.")
    alt_text = serializers.CharField(
        required=False, allow_blank=True, max_length=ALT_TEXT_MAX_LENGTH
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MediaDescribeSerializer(serializers.Serializer):
    alt_text = serializers.CharField(
        required=False, allow_blank=True, max_length=ALT_TEXT_MAX_LENGTH
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MediaMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class CarouselSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    language = serializers.ChoiceField(choices=["en", "de"], default="en")


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="List media", parameters=[MediaFilterSerializer]),
    retrieve=extend_schema(summary="Read one image or document"),
)
@extend_schema(tags=["media"])
class MediaViewSet(
    WorkspaceApiAccess,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    WorkspaceScopedViewSet,
):
    queryset = PostMedia.objects.select_related("workspace").order_by("post_id", "position", "pk")
    serializer_class = PostMediaSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_value_converter = "int"

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = _valid(MediaFilterSerializer, self.request.query_params)
        if filters.get("post"):
            queryset = queryset.filter(post_id=filters["post"])
        return queryset

    def _post(self, pk: int) -> Post:
        return get_owned_or_404(Post, workspace=self.workspace, pk=pk)

    def _answer(self, media: PostMedia, code=status.HTTP_200_OK) -> Response:
        return Response(PostMediaSerializer(media).data, status=code)

    @extend_schema(
        summary="Attach an image or PDF to a post",
        description=(
            "Multipart upload. Checked by content as in the editor: JPEG, PNG or GIF images "
            "(up to 20 per post, at most 36 million pixels and 10 MB each) or one PDF (up to "
            "300 pages and 100 MB). A refused file is a 400 with the reason; the post is kept."
        ),
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: PostMediaSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = _valid(MediaUploadSerializer, request.data)
        post = self._post(data["post"])
        upload = data["file"]
        try:
            media = services.media_attach(
                post=post,
                actor=request.user,
                data=upload.read(READ_LIMIT),
                name=upload.name,
                alt_text=data.get("alt_text", ""),
                title=data.get("title", ""),
            )
        except MediaError as error:
            raise ValidationError({"file": [str(error)]}) from None
        return self._answer(media, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Set an image's alt text or a document's title",
        request=MediaDescribeSerializer,
        responses=PostMediaSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        media = self.get_object()
        data = _valid(MediaDescribeSerializer, request.data)
        try:
            media = services.media_describe(
                media=media,
                actor=request.user,
                alt_text=data.get("alt_text", media.alt_text),
                title=data.get("title", media.title),
            )
        except MediaError as error:
            raise ValidationError({"detail": [str(error)]}) from None
        return self._answer(media)

    @extend_schema(summary="Remove an image or document from its post", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        try:
            services.media_remove(media=self.get_object(), actor=request.user)
        except MediaError as error:
            raise ValidationError({"detail": [str(error)]}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move an image one place up or down",
        request=MediaMoveSerializer,
        responses=PostMediaSerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        media = self.get_object()
        data = _valid(MediaMoveSerializer, request.data)
        try:
            services.media_move(
                media=media, actor=request.user, offset=-1 if data["direction"] == "up" else 1
            )
        except MediaError as error:
            raise ValidationError({"detail": [str(error)]}) from None
        media.refresh_from_db()
        return self._answer(media)

    @extend_schema(
        summary="Make a PDF carousel from a post and attach it",
        description="A cover, one slide per point of the post, a closing question; in the "
        "workspace's colours, in English or German. Replaces an earlier carousel of the post.",
        request=CarouselSerializer,
        responses={201: PostMediaSerializer},
    )
    @action(detail=False, methods=["post"])
    def carousel(self, request, *args, **kwargs):
        data = _valid(CarouselSerializer, request.data)
        post = self._post(data["post"])
        try:
            media = services.carousel_attach(
                post=post, actor=request.user, language=data["language"]
            )
        except MediaError as error:
            raise ValidationError({"post": [str(error)]}) from None
        return self._answer(media, status.HTTP_201_CREATED)
