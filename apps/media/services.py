"""Writes of post media: attach, describe, reorder, remove, and make a carousel.

A post carries either up to 20 images (LinkedIn's single- and multi-image posts) or one PDF
document, never both. Every rule is checked before anything is stored; a refused file leaves
the post and its other media exactly as they were.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.accounts.services import audit_record

from . import selectors
from .models import MediaPage, PostMedia
from .thumbnails import pdf_page_images
from .validation import ALT_TEXT_MAX_LENGTH, MAX_IMAGES, Inspected, MediaError, inspect_upload


def _require_editable(post) -> None:
    if post.archived_at is not None or not post.is_editable:
        raise MediaError(
            _("A %(status)s post can no longer be changed, so its media cannot either.")
            % {"status": post.get_status_display().lower()}
        )


def _clean_alt_text(alt_text: str) -> str:
    alt_text = " ".join((alt_text or "").split())
    if len(alt_text) > ALT_TEXT_MAX_LENGTH:
        raise MediaError(
            _("Alt text may be at most %(n)d characters.") % {"n": ALT_TEXT_MAX_LENGTH}
        )
    return alt_text


def _check_room(post, inspected: Inspected, *, replacing_carousel: bool = False) -> None:
    existing = list(selectors.post_media(workspace=post.workspace, post=post))
    if replacing_carousel:
        existing = [media for media in existing if not media.is_carousel]
    documents = [media for media in existing if media.kind == PostMedia.Kind.DOCUMENT]
    images = [media for media in existing if media.kind == PostMedia.Kind.IMAGE]
    if inspected.kind == "document" and existing:
        raise MediaError(
            _(
                "A LinkedIn post carries either images or one PDF document. Remove the "
                "attached media first to attach a PDF."
            )
        )
    if inspected.kind == "image" and documents:
        raise MediaError(
            _(
                "This post already carries a PDF document; LinkedIn does not mix documents "
                "and images. Remove the PDF first to attach images."
            )
        )
    if inspected.kind == "image" and len(images) >= MAX_IMAGES:
        raise MediaError(_("A LinkedIn post carries at most %(n)d images.") % {"n": MAX_IMAGES})


def _store(
    *,
    post,
    actor,
    data: bytes,
    name: str,
    inspected: Inspected,
    alt_text="",
    title="",
    is_carousel=False,
    cover: bytes | None = None,
    page_images=(),
) -> PostMedia:
    last = selectors.post_media(workspace=post.workspace, post=post).aggregate(
        last=Max("position")
    )["last"]
    media = PostMedia(
        workspace=post.workspace,
        post=post,
        kind=inspected.kind,
        original_name=(name or "")[:200],
        content_type=inspected.content_type,
        size=inspected.size,
        width=inspected.width,
        height=inspected.height,
        pages=inspected.pages,
        alt_text=alt_text,
        title=title[:200],
        position=0 if last is None else last + 1,
        is_carousel=is_carousel,
    )
    media.file.save(f"upload{inspected.extension}", ContentFile(data), save=False)
    if cover:
        media.cover.save("cover.png", ContentFile(cover), save=False)
    media.save()
    for page in page_images:
        derivative = MediaPage(
            workspace=post.workspace,
            media=media,
            number=page.number,
            width=page.width,
            height=page.height,
        )
        derivative.image.save(f"page-{page.number}.png", ContentFile(page.png), save=False)
        derivative.save()
    audit_record(
        action="post.media_attached",
        actor=actor,
        workspace=post.workspace,
        target=post.hook[:200],
        kind=inspected.kind,
        name=media.original_name,
    )
    return media


@transaction.atomic
def media_attach(
    *, post, actor, data: bytes, name: str = "", alt_text: str = "", title: str = ""
) -> PostMedia:
    """Attach one image or PDF to an editable post, checked by its content."""
    _require_editable(post)
    inspected = inspect_upload(data, name=name)
    alt_text = _clean_alt_text(alt_text)
    _check_room(post, inspected)
    page_images = []
    if inspected.kind == "document":
        if not title.strip():
            title = (name.rsplit(".", 1)[0] if name else "") or post.hook[:80]
        page_images = pdf_page_images(data)
    return _store(
        post=post,
        actor=actor,
        data=data,
        name=name,
        inspected=inspected,
        alt_text=alt_text if inspected.kind == "image" else "",
        title=title.strip(),
        cover=page_images[0].png if page_images else None,
        page_images=page_images,
    )


@transaction.atomic
def media_describe(*, media: PostMedia, actor, alt_text: str = "", title: str = "") -> PostMedia:
    """Set an image's alt text or a document's title."""
    _require_editable(media.post)
    if media.is_image:
        media.alt_text = _clean_alt_text(alt_text)
    else:
        title = " ".join((title or "").split())[:200]
        if not title:
            raise MediaError(_("LinkedIn shows a document with its title; give it one."))
        media.title = title
    media.save(update_fields=["alt_text", "title"])
    return media


@transaction.atomic
def media_move(*, media: PostMedia, actor, offset: int) -> None:
    """Move an image one place earlier (offset -1) or later (+1) in the post."""
    _require_editable(media.post)
    ordered = list(selectors.post_media(workspace=media.workspace, post=media.post))
    index = next(i for i, item in enumerate(ordered) if item.pk == media.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)


def _renumber(ordered: list[PostMedia]) -> None:
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def media_remove(*, media: PostMedia, actor) -> None:
    """Remove an attachment; its file leaves storage once this commits."""
    post = media.post
    _require_editable(post)
    media.delete()
    _renumber(list(selectors.post_media(workspace=post.workspace, post=post)))
    audit_record(
        action="post.media_removed",
        actor=actor,
        workspace=post.workspace,
        target=post.hook[:200],
        name=media.original_name,
    )


@transaction.atomic
def carousel_attach(*, post, actor, language: str) -> PostMedia:
    """Make a branded PDF carousel from the draft's points and attach it, replacing an
    earlier carousel of the same post."""
    from .carousel import carousel_from_post, render_pdf, render_thumbnails

    _require_editable(post)
    carousel = carousel_from_post(post=post, language=language)
    data = render_pdf(carousel)
    inspected = inspect_upload(data, name="carousel.pdf")
    _check_room(post, inspected, replacing_carousel=True)
    for earlier in selectors.post_media(workspace=post.workspace, post=post).filter(
        is_carousel=True
    ):
        earlier.delete()
    return _store(
        post=post,
        actor=actor,
        data=data,
        name=f"{carousel.file_stem}.pdf",
        inspected=inspected,
        title=carousel.title,
        is_carousel=True,
        cover=render_thumbnails(carousel, width=540, pages=1)[0],
    )


@transaction.atomic
def carousel_style_save(
    *,
    workspace,
    actor,
    background: str,
    accent: str,
    text: str,
    logo: bytes | None = None,
    logo_name: str = "",
    remove_logo: bool = False,
):
    """Set the workspace's carousel colours and logo (an image, checked like any other)."""
    style = selectors.carousel_style(workspace=workspace)
    if logo:
        inspected = inspect_upload(logo, name=logo_name)
        if inspected.kind != "image":
            raise MediaError(_("The logo must be an image (PNG, JPEG or GIF)."))
    old_logo = style.logo.name if style.logo and (logo or remove_logo) else ""
    style.background, style.accent, style.text = background, accent, text
    if logo:
        style.logo.save(f"logo{inspected.extension}", ContentFile(logo), save=False)
    elif remove_logo:
        style.logo = ""
    style.save()  # the default style, unsaved until now, is created here
    if old_logo:
        storage = style.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    audit_record(action="carousel.style_changed", actor=actor, workspace=workspace)
    return style
