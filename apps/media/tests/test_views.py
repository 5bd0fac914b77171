"""The media cards of the editor: attach, describe, reorder, remove, carousel, preview, and the
files served to members only."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from apps.accounts.data_rights import workspace_delete, workspace_export
from apps.content.models import Post
from apps.media.models import PostMedia

from .files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def upload(client, workspace, post, data, name, alt_text=""):
    return client.post(
        reverse("media_attach", args=[workspace.slug, post.pk]),
        {"file": _named(data, name), "alt_text": alt_text},
        follow=True,
    )


def _named(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def edit_page(client, workspace, post):
    return client.get(reverse("post_edit", args=[workspace.slug, post.pk]))


def test_an_editor_attaches_an_image_with_alt_text_and_sees_it_in_the_preview(
    bob_client, alice_workspace, draft
):
    page = upload(bob_client, alice_workspace, draft, image_bytes(), "chart.png", "A bar chart")
    assert page.status_code == 200
    media = PostMedia.objects.get(post=draft)
    assert (media.kind, media.content_type, media.width, media.height, media.alt_text) == (
        "image",
        "image/png",
        64,
        48,
        "A bar chart",
    )
    html = edit_page(bob_client, alice_workspace, draft).content.decode()
    assert 'data-testid="preview-images"' in html
    assert 'alt="A bar chart"' in html


def test_a_file_named_like_an_image_that_is_not_one_is_refused_and_the_post_kept(
    alice_client, alice_workspace, draft
):
    text_before = draft.text
    page = upload(alice_client, alice_workspace, draft, b"MZ\x90\x00 not a picture", "cat.png")
    assert "neither an image LinkedIn takes" in page.content.decode()
    assert not PostMedia.objects.exists()
    draft.refresh_from_db()
    assert draft.text == text_before


def test_a_pdf_is_read_for_its_pages_and_no_images_may_join_it(
    alice_client, alice_workspace, draft
):
    upload(alice_client, alice_workspace, draft, pdf_bytes(7), "deck.pdf")
    document = PostMedia.objects.get(post=draft)
    assert (document.kind, document.pages, document.title) == ("document", 7, "deck")
    page = upload(alice_client, alice_workspace, draft, image_bytes(), "chart.png")
    assert "already carries a PDF document" in page.content.decode()
    assert PostMedia.objects.count() == 1


def test_images_are_reordered_described_and_removed(alice_client, alice_workspace, draft):
    for name in ("a.png", "b.png", "c.png"):
        upload(alice_client, alice_workspace, draft, image_bytes(), name)
    a, b, c = PostMedia.objects.order_by("position")
    alice_client.post(reverse("media_move", args=[alice_workspace.slug, c.pk]), {"direction": "up"})
    assert [m.original_name for m in PostMedia.objects.order_by("position")] == [
        "a.png",
        "c.png",
        "b.png",
    ]
    alice_client.post(
        reverse("media_describe", args=[alice_workspace.slug, b.pk]), {"alt_text": "  Team photo "}
    )
    b.refresh_from_db()
    assert b.alt_text == "Team photo"
    alice_client.post(reverse("media_remove", args=[alice_workspace.slug, a.pk]))
    assert [(m.original_name, m.position) for m in PostMedia.objects.order_by("position")] == [
        ("c.png", 0),
        ("b.png", 1),
    ]


def test_a_removed_files_bytes_leave_storage_once_committed(
    alice, alice_workspace, draft, django_capture_on_commit_callbacks
):
    from apps.media.services import media_attach, media_remove

    media = media_attach(post=draft, actor=alice, data=image_bytes(), name="a.png")
    name = media.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        media_remove(media=media, actor=alice)
    assert not default_storage.exists(name)


def test_the_file_is_served_to_members_with_its_type_and_never_to_another_workspace(
    client, alice, charlie, alice_workspace, charlie_workspace, draft
):
    from apps.media.services import media_attach

    media = media_attach(post=draft, actor=alice, data=image_bytes(), name="a.png")
    client.force_login(alice)
    answer = client.get(reverse("media_file", args=[alice_workspace.slug, media.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert b"".join(answer.streaming_content) == image_bytes()
    client.force_login(charlie)
    for slug in (alice_workspace.slug, charlie_workspace.slug):
        assert client.get(reverse("media_file", args=[slug, media.pk])).status_code == 404
        assert client.post(reverse("media_remove", args=[slug, media.pk])).status_code == 404
    assert PostMedia.objects.filter(pk=media.pk).exists()


def test_the_stored_name_is_random_not_the_uploaded_one(alice, draft):
    from apps.media.services import media_attach

    media = media_attach(post=draft, actor=alice, data=image_bytes(), name="client-secret.png")
    assert "client-secret" not in media.file.name
    assert len(media.file.name) > 30


def test_a_viewer_cannot_attach(client, alice_workspace, draft):
    from apps.accounts.models import Membership, Role, User

    viewer = User.objects.create_user(email="vera@example.com", password="x" * 12)
    Membership.objects.create(user=viewer, workspace=alice_workspace, role=Role.VIEWER)
    client.force_login(viewer)
    answer = client.post(
        reverse("media_attach", args=[alice_workspace.slug, draft.pk]),
        {"file": _named(image_bytes(), "a.png")},
    )
    assert answer.status_code == 403
    assert not PostMedia.objects.exists()


def test_a_carousel_is_previewed_as_pages_then_attached_as_a_pdf(
    alice_client, alice_workspace, draft
):
    preview = alice_client.get(
        reverse("media_carousel", args=[alice_workspace.slug, draft.pk]), {"language": "de"}
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    pages = html.count('src="data:image/png;base64,')
    assert pages >= 3  # cover, at least one point, closing
    assert not PostMedia.objects.exists()  # nothing stored by looking
    alice_client.post(
        reverse("media_carousel", args=[alice_workspace.slug, draft.pk]), {"language": "de"}
    )
    document = PostMedia.objects.get(post=draft)
    assert document.is_carousel
    assert document.cover
    with document.file.open("rb") as handle:
        reader = PdfReader(handle)
        assert len(reader.pages) == pages
        last = reader.pages[-1].extract_text()
    assert "Kommentare" in last  # the closing call to action in German


def test_a_published_post_takes_no_new_media(alice_client, alice_workspace, draft):
    Post.objects.filter(pk=draft.pk).update(status=Post.Status.PUBLISHED)
    page = upload(alice_client, alice_workspace, draft, image_bytes(), "a.png")
    assert "can no longer be changed" in page.content.decode()
    assert not PostMedia.objects.exists()


def test_media_are_in_the_export_and_leave_storage_with_the_workspace(
    alice, alice_workspace, draft, django_capture_on_commit_callbacks
):
    from apps.media.services import media_attach

    media = media_attach(post=draft, actor=alice, data=pdf_bytes(2), name="deck.pdf")
    archive = zipfile.ZipFile(workspace_export(workspace=alice_workspace, actor=alice))
    names = archive.namelist()
    assert "media/postmedia.json" in names
    exported = [n for n in names if n.startswith(f"files/media/postmedia/{media.pk}-file-")]
    assert len(exported) == 1
    assert archive.read(exported[0]) == pdf_bytes(2)
    assert len([n for n in names if n.startswith("files/media/mediapage/")]) == 2
    stored = [media.file.name, media.cover.name, *(p.image.name for p in media.page_images.all())]
    with django_capture_on_commit_callbacks(execute=True):
        workspace_delete(workspace=alice_workspace, actor=alice, confirmation=alice_workspace.slug)
    assert not any(default_storage.exists(name) for name in stored)


def test_the_checker_flags_images_without_alt_text(alice_client, alice_workspace, draft):
    from apps.content.linter import lint_post

    assert "alt-text-missing" not in {f.rule for f in lint_post(draft.text).findings}
    flagged = lint_post(draft.text, images_without_alt=2)
    assert [f.message for f in flagged.findings if f.rule == "alt-text-missing"] == [
        "2 images have no alt text."
    ]
    upload(alice_client, alice_workspace, draft, image_bytes(), "a.png")
    answer = alice_client.post(
        reverse("post_lint", args=[alice_workspace.slug]), {"text": draft.text, "post": draft.pk}
    )
    assert "1 image has no alt text." in answer.content.decode()


def test_an_admin_sets_the_carousel_colours_and_logo_and_the_carousel_uses_them(
    client, alice, bob, alice_workspace, draft
):
    from apps.media.carousel import carousel_from_post
    from apps.media.models import CarouselStyle

    url = reverse("media_carousel_style", args=[alice_workspace.slug, draft.pk])
    style = {"background": "#112233", "accent": "#445566", "text": "#FAFAFA"}
    # Bob edits but does not run the workspace: the style is not his to change.
    client.force_login(bob)
    assert client.post(url, style).status_code == 403
    client.force_login(alice)
    client.post(url, {**style, "logo": _named(image_bytes(32, 32), "logo.png")})
    saved = CarouselStyle.objects.get(workspace=alice_workspace)
    assert (saved.background, saved.accent, saved.text) == ("#112233", "#445566", "#FAFAFA")
    made = carousel_from_post(post=draft, language="en")
    assert made.background == "#112233"
    assert made.logo == image_bytes(32, 32)
    assert made.name == "Alice Co"
    page = client.post(url, {**style, "text": "red"}, follow=True)
    assert "Enter a valid value." in page.content.decode()


def test_the_preview_partial_is_a_fixed_number_of_queries(
    alice, alice_client, alice_workspace, draft, django_assert_num_queries
):
    from apps.media.services import media_attach

    for name in ("a.png", "b.png", "c.png"):
        media_attach(post=draft, actor=alice, data=image_bytes(), name=name)
    url = reverse("media_post_preview", args=[alice_workspace.slug, draft.pk])
    # user (the session comes from the cache), (savepoint of the request's transaction), memberships
    # with their workspaces, the post with its workspace and author, the media, (release)
    with django_assert_num_queries(6):
        answer = alice_client.post(url, {"text": "Hello #world", "first_comment": "Link below"})
    html = answer.content.decode()
    assert html.count('data-testid="preview-images"') == 2  # phone and desktop
    assert "Link below" in html
