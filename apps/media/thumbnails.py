"""Pictures of an uploaded PDF's first pages, rendered with PDFium (pypdfium2).

PDFium is the renderer of Chromium's PDF viewer, so a page looks here as it will in most
readers; pypdfium2 ships it inside its wheel, with no system library to install. It is not
thread-safe, hence one lock for the whole process (a gthread worker serves requests from
several threads). A PDF that pypdf read but PDFium cannot render keeps its upload and is
shown as a plain "PDF" tile.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# LinkedIn's document viewer opens on the first page with the next ones beside it.
PREVIEW_PAGES = 4
THUMBNAIL_WIDTH = 540
# A page more than three times as tall as it is wide (a receipt, a long web capture) is cut
# at that height: the preview shows its top.
MAX_ASPECT = 3

_pdfium_lock = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    number: int  # from 1
    png: bytes
    width: int
    height: int


def pdf_page_images(
    data: bytes, *, pages: int = PREVIEW_PAGES, width: int = THUMBNAIL_WIDTH
) -> list[PageImage]:
    """The first `pages` pages as PNGs `width` pixels wide; [] when PDFium cannot read it."""
    import pypdfium2 as pdfium

    images: list[PageImage] = []
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            logger.warning("PDFium cannot open an uploaded PDF: %s", error)
            return []
        try:
            for index in range(min(len(document), pages)):
                page = document[index]
                try:
                    page_width, page_height = page.get_size()
                    # Only the top of a very tall page is drawn at all: cut before rendering,
                    # so a 1 x 14,400 pt page cannot ask for a bitmap of millions of rows.
                    cut_bottom = max(0.0, page_height - page_width * MAX_ASPECT)
                    bitmap = page.render(
                        scale=width / max(page_width, 1.0), crop=(0, cut_bottom, 0, 0)
                    )
                    image = bitmap.to_pil()
                finally:
                    page.close()
                out = io.BytesIO()
                image.convert("RGB").save(out, "PNG")
                images.append(PageImage(index + 1, out.getvalue(), image.width, image.height))
        except pdfium.PdfiumError as error:
            logger.warning("PDFium cannot render a page of an uploaded PDF: %s", error)
        finally:
            document.close()
    return images
