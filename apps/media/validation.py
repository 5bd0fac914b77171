"""What a file really is, read from its content (never from its name or the browser's say),
and whether LinkedIn will take it (linkedin-api.md, "Images and documents"; DOC Images API,
Documents API).

`inspect_upload` reads an uploaded file and returns its facts, or raises MediaError with a
message the person can act on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
}
# LinkedIn's Images API: at most 36,152,320 pixels; GIFs at most 250 frames.
IMAGE_MAX_PIXELS = 36_152_320
GIF_MAX_FRAMES = 250
# Our own ceiling for one image: large enough for any photo or slide, small enough to upload
# quickly from a phone connection.
IMAGE_MAX_BYTES = 10 * 1024 * 1024
# LinkedIn's Documents API: up to 100 MB and 300 pages.
DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
DOCUMENT_MAX_PAGES = 300
# A multi-image post has 2 to 20 images; a post has at most one document and then no images.
MAX_IMAGES = 20
ALT_TEXT_MAX_LENGTH = 1000  # what LinkedIn's composer allows for alt text


class MediaError(Exception):
    """A file or an attachment LinkedIn would not take; the message says what to do."""


@dataclass(frozen=True)
class Inspected:
    kind: str  # "image" or "document"
    content_type: str
    extension: str
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def inspect_upload(data: bytes, *, name: str = "") -> Inspected:
    """The facts of an uploaded image or PDF, from its bytes."""
    if not data:
        raise MediaError(_("The file %(name)s is empty.") % {"name": name or ""})
    if data.startswith(b"%PDF-"):
        return _inspect_pdf(data, name)
    return _inspect_image(data, name)


def _inspect_image(data: bytes, name: str) -> Inspected:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            if width * height <= IMAGE_MAX_PIXELS:
                frames = getattr(image, "n_frames", 1)
                image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MediaError(
            _(
                "%(name)s is neither an image LinkedIn takes (JPEG, PNG or GIF) nor a PDF. "
                "Export it as one of those and attach it again."
            )
            % {"name": name or _("The file")}
        ) from None
    if image_format not in IMAGE_TYPES:
        raise MediaError(
            _("%(name)s is a %(format)s image; LinkedIn takes JPEG, PNG or GIF.")
            % {"name": name or _("The file"), "format": image_format}
        )
    if width * height > IMAGE_MAX_PIXELS:
        raise MediaError(
            _(
                "%(name)s is %(width)d by %(height)d pixels; LinkedIn takes at most 36 million "
                "pixels. Scale it down and attach it again."
            )
            % {"name": name or _("The image"), "width": width, "height": height}
        )
    if len(data) > IMAGE_MAX_BYTES:
        raise MediaError(
            _("%(name)s is %(size)s; an image may be at most %(limit)s.")
            % {
                "name": name or _("The image"),
                "size": filesizeformat(len(data)),
                "limit": filesizeformat(IMAGE_MAX_BYTES),
            }
        )
    if image_format == "GIF" and frames > GIF_MAX_FRAMES:
        raise MediaError(
            _("%(name)s has %(frames)d frames; LinkedIn takes GIFs of at most 250.")
            % {"name": name or _("The GIF"), "frames": frames}
        )
    content_type, extension = IMAGE_TYPES[image_format]
    return Inspected("image", content_type, extension, len(data), width=width, height=height)


def _inspect_pdf(data: bytes, name: str) -> Inspected:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if len(data) > DOCUMENT_MAX_BYTES:
        raise MediaError(
            _("%(name)s is %(size)s; LinkedIn takes documents of at most 100 MB.")
            % {"name": name or _("The PDF"), "size": filesizeformat(len(data))}
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise MediaError(
                _(
                    "%(name)s is password-protected; LinkedIn cannot show it. "
                    "Save it without a password."
                )
                % {"name": name or _("The PDF")}
            )
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError, TypeError):
        raise MediaError(
            _("%(name)s could not be read as a PDF. Export it again and attach the new file.")
            % {"name": name or _("The file")}
        ) from None
    if pages == 0:
        raise MediaError(_("%(name)s has no pages.") % {"name": name or _("The PDF")})
    if pages > DOCUMENT_MAX_PAGES:
        raise MediaError(
            _("%(name)s has %(pages)d pages; LinkedIn takes documents of at most 300.")
            % {"name": name or _("The PDF"), "pages": pages}
        )
    return Inspected("document", "application/pdf", ".pdf", len(data), pages=pages)
