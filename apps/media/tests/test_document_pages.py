"""An uploaded PDF is previewed with pictures of its real first pages (PDFium), stored as
derivatives beside it and served like the document itself."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from apps.media.models import MediaPage, PostMedia
from apps.media.services import media_attach, media_remove
from apps.media.thumbnails import PREVIEW_PAGES, THUMBNAIL_WIDTH, pdf_page_images

from .files import painted_pdf_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

BLACK, RED, BLUE, GREEN = (0, 0, 0), (255, 0, 0), (0, 0, 255), (0, 255, 0)


def centre_colour(png: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def test_each_page_is_drawn_as_it_is_printed_at_the_previews_width():
    pages = pdf_page_images(painted_pdf_bytes())
    assert [page.number for page in pages] == [1, 2, 3, 4]  # the first few, not all five
    assert [centre_colour(page.png) for page in pages] == [BLACK, RED, BLUE, GREEN]
    first = Image.open(io.BytesIO(pages[0].png))
    assert (first.width, pages[0].width) == (THUMBNAIL_WIDTH, THUMBNAIL_WIDTH)
    assert first.height == pages[0].height == round(THUMBNAIL_WIDTH * 842 / 595)  # A4


def test_only_the_top_of_a_very_tall_page_is_drawn():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    tall = canvas.Canvas(out, pagesize=(100, 14_400))  # 77,760 rows at the width of the preview
    tall.setFillColorRGB(1, 0, 0)
    tall.rect(0, 14_400 - 50, 100, 50, stroke=0, fill=1)  # a red band at the very top
    tall.showPage()
    tall.save()
    (page,) = pdf_page_images(out.getvalue())
    image = Image.open(io.BytesIO(page.png)).convert("RGB")
    assert (image.width, image.height) == (THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 3)
    assert image.getpixel((THUMBNAIL_WIDTH // 2, 5)) == RED


def test_a_pdf_pdfium_cannot_read_has_no_pictures_rather_than_an_error():
    assert pdf_page_images(b"%PDF-1.4\n nothing a renderer can use") == []


def test_an_uploaded_pdf_keeps_pictures_of_its_first_pages_and_shows_them_in_the_preview(
    alice, alice_client, alice_workspace, draft
):
    document = media_attach(post=draft, actor=alice, data=painted_pdf_bytes(), name="deck.pdf")
    stored = list(MediaPage.objects.filter(media=document).order_by("number"))
    assert [page.number for page in stored] == list(range(1, PREVIEW_PAGES + 1))
    assert document.cover  # the first page, for the editor's list
    assert centre_colour(document.cover.read()) == BLACK

    html = alice_client.get(reverse("post_edit", args=[alice_workspace.slug, draft.pk])).content
    html = html.decode()
    assert 'data-testid="preview-document-pages"' in html
    second = reverse("media_page", args=[alice_workspace.slug, document.pk, 2])
    assert f'src="{second}"' in html
    answer = alice_client.get(second)
    assert answer["Content-Type"] == "image/png"
    assert centre_colour(b"".join(answer.streaming_content)) == RED


def test_a_page_picture_is_not_served_to_another_workspace(
    alice, charlie_client, alice_workspace, charlie_workspace, draft
):
    document = media_attach(post=draft, actor=alice, data=pdf_bytes(2), name="deck.pdf")
    for slug in (alice_workspace.slug, charlie_workspace.slug):
        url = reverse("media_page", args=[slug, document.pk, 1])
        assert charlie_client.get(url).status_code == 404


def test_the_page_pictures_leave_storage_with_the_document(
    alice, alice_workspace, draft, django_capture_on_commit_callbacks
):
    document = media_attach(post=draft, actor=alice, data=pdf_bytes(2), name="deck.pdf")
    names = [page.image.name for page in MediaPage.objects.filter(media=document)]
    assert len(names) == 2
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        media_remove(media=document, actor=alice)
    assert not PostMedia.objects.exists()
    assert not MediaPage.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
