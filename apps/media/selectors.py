"""Reads of post media, always inside one workspace."""

from django.db.models import QuerySet

from apps.accounts.tenancy import owned

from .models import CarouselStyle, MediaPage, PostMedia


def post_media(*, workspace, post) -> QuerySet[PostMedia]:
    """The post's media in the order LinkedIn shows them."""
    return owned(PostMedia, workspace=workspace).filter(post=post).order_by("position", "pk")


def document_pages(*, workspace, media) -> QuerySet[MediaPage]:
    """The rendered first pages of a PDF document, in order (none for an image)."""
    return owned(MediaPage, workspace=workspace).filter(media=media).order_by("number")


def images_without_alt(*, workspace, post) -> int:
    """How many of the post's images have no alt text (0 for no post), for the checker."""
    if post is None:
        return 0
    return (
        post_media(workspace=workspace, post=post)
        .filter(kind=PostMedia.Kind.IMAGE, alt_text="")
        .count()
    )


def carousel_style(*, workspace) -> CarouselStyle:
    """The workspace's carousel style, or the default one (unsaved) when it has none."""
    return owned(CarouselStyle, workspace=workspace).first() or CarouselStyle(workspace=workspace)
