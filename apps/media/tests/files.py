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


def painted_pdf_bytes(colours=((0, 0, 0), (1, 0, 0), (0, 0, 1), (0, 1, 0), (1, 1, 0))) -> bytes:
    """A PDF whose pages are each filled with one colour (RGB, 0 to 1), made with reportlab,
    so a rendering of each page can be told from the others and from a blank page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for red, green, blue in colours:
        page.setFillColorRGB(red, green, blue)
        page.rect(0, 0, A4[0], A4[1], stroke=0, fill=1)
        page.showPage()
    page.save()
    return out.getvalue()
