"""Images and PDF documents attached to posts, and a workspace's carousel style.

Files live in Django's default storage (the filesystem in development, any S3-compatible
store in production) under random names; they are never served from a public path, only
through `views.media_file`, which checks the workspace first.
"""

import secrets
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned


def media_upload_to(instance, filename: str) -> str:
    """A random, unguessable name; the original name is kept on the row, not in the path."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"media/{secrets.token_urlsafe(24)}{suffix}"


class PostMedia(WorkspaceOwned):
    """One image or PDF document of a post, in the order LinkedIn shows them."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        DOCUMENT = "document", _("PDF document")

    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, related_name="media", verbose_name=_("post")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=media_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    alt_text = models.CharField(_("alt text"), max_length=1000, blank=True)
    title = models.CharField(_("document title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_carousel = models.BooleanField(_("made as a carousel"), default=False)
    # The first page as a PNG, for the preview: drawn with the slides for a carousel, rendered
    # from the PDF (apps/media/thumbnails.py) for one someone attached.
    cover = models.FileField(_("first page"), upload_to=media_upload_to, max_length=200, blank=True)
    # Set once the bytes are on LinkedIn, before the post that names them is created: a
    # retried publish reuses it and never uploads the file again.
    linkedin_urn = models.CharField(_("LinkedIn media URN"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("position", "pk")
        verbose_name = _("post media")
        verbose_name_plural = _("post media")
        indexes = [models.Index(fields=("post", "position"))]

    def __str__(self) -> str:
        return self.original_name or self.get_kind_display()

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE


class MediaPage(WorkspaceOwned):
    """One of the first pages of an attached PDF as a PNG (a derivative made on upload), so
    the preview shows the document's real pages the way LinkedIn's document viewer opens."""

    media = models.ForeignKey(
        PostMedia, on_delete=models.CASCADE, related_name="page_images", verbose_name=_("media")
    )
    number = models.PositiveSmallIntegerField(_("page number"))
    image = models.FileField(_("page image"), upload_to=media_upload_to, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))

    class Meta:
        ordering = ("media", "number")
        verbose_name = _("document page")
        verbose_name_plural = _("document pages")
        constraints = [
            models.UniqueConstraint(fields=("media", "number"), name="media_one_image_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.media} p. {self.number}"


class CarouselStyle(WorkspaceOwned):
    """The colours and logo a workspace's carousels are made with (one per workspace)."""

    background = models.CharField(_("background colour"), max_length=7, default="#0B3D60")
    accent = models.CharField(_("accent colour"), max_length=7, default="#F2A900")
    text = models.CharField(_("text colour"), max_length=7, default="#FFFFFF")
    logo = models.FileField(_("logo"), upload_to=media_upload_to, max_length=200, blank=True)

    class Meta:
        verbose_name = _("carousel style")
        constraints = [
            models.UniqueConstraint(fields=("workspace",), name="media_one_style_per_workspace")
        ]
