"""Small real files for tests: images made with Pillow, PDFs with pypdf."""

import io

from PIL import Image
from pypdf import PdfWriter


def image_bytes(width=64, height=48, image_format="PNG", colour=(20, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, image_format)
    return out.getvalue()


def pdf_bytes(pages=3) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=540, height=675)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
