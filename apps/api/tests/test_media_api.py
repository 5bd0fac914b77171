"""Media through the API: attach with the editor's checks, describe, move, remove, carousel;
roles as on the screens; another workspace's post or media is a 404."""

import io

import pytest
from django.urls import reverse

from apps.media.models import PostMedia
from apps.media.tests.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def media_url(workspace, pk=None, action=None):
    if action:
        return reverse(f"api:media-{action}", args=[workspace.slug, pk] if pk else [workspace.slug])
    if pk:
        return reverse("api:media-detail", args=[workspace.slug, pk])
    return reverse("api:media-list", args=[workspace.slug])


def named(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def attach(api, workspace, post, data, name, **extra):
    return api.post(
        media_url(workspace),
        {"post": post.pk, "file": named(data, name), **extra},
        format="multipart",
    )


def test_an_editor_attaches_an_image_with_alt_text(bob_api, alice_workspace, draft):
    answer = attach(bob_api, alice_workspace, draft, image_bytes(), "a.png", alt_text="A chart")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["kind"], body["width"], body["alt_text"]) == ("image", 64, "A chart")
    listed = bob_api.get(media_url(alice_workspace), {"post": draft.pk}).json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]


def test_a_file_that_is_not_what_it_says_is_a_400_with_the_reason(
    alice_api, alice_workspace, draft
):
    answer = attach(alice_api, alice_workspace, draft, b"not an image at all", "photo.jpg")
    assert answer.status_code == 400
    assert "neither an image LinkedIn takes" in answer.json()["fields"]["file"][0]
    assert not PostMedia.objects.exists()


def test_alt_text_is_set_images_move_and_are_removed(alice_api, alice_workspace, draft):
    first = attach(alice_api, alice_workspace, draft, image_bytes(), "a.png").json()
    second = attach(alice_api, alice_workspace, draft, image_bytes(), "b.png").json()
    answer = alice_api.patch(
        media_url(alice_workspace, first["id"]), {"alt_text": "Team"}, format="json"
    )
    assert answer.json()["alt_text"] == "Team"
    moved = alice_api.post(
        media_url(alice_workspace, second["id"], "move"), {"direction": "up"}, format="json"
    )
    assert moved.json()["position"] == 0
    assert alice_api.delete(media_url(alice_workspace, first["id"])).status_code == 204
    assert list(PostMedia.objects.values_list("original_name", flat=True)) == ["b.png"]


def test_a_carousel_is_made_and_attached(alice_api, alice_workspace, draft):
    answer = alice_api.post(
        media_url(alice_workspace, action="carousel"),
        {"post": draft.pk, "language": "en"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["kind"] == "document"
    assert answer.json()["is_carousel"] is True
    assert answer.json()["pages"] >= 3


def test_a_viewer_reads_but_cannot_attach(alice_viewer_api, alice_workspace, draft):
    answer = attach(alice_viewer_api, alice_workspace, draft, pdf_bytes(), "deck.pdf")
    assert answer.status_code == 403
    assert alice_viewer_api.get(media_url(alice_workspace)).status_code == 200


def test_another_workspaces_post_and_media_are_404(
    alice, alice_api, charlie_api, alice_workspace, charlie_workspace, draft
):
    own = attach(alice_api, alice_workspace, draft, image_bytes(), "a.png").json()
    # Charlie, in his own workspace, naming Alice's post or media.
    answer = attach(charlie_api, charlie_workspace, draft, image_bytes(), "x.png")
    assert answer.status_code == 404
    assert charlie_api.get(media_url(charlie_workspace, own["id"])).status_code == 404
    assert charlie_api.delete(media_url(charlie_workspace, own["id"])).status_code == 404
    assert charlie_api.get(media_url(alice_workspace, own["id"])).status_code == 404
    assert PostMedia.objects.count() == 1


def test_the_schema_documents_the_media_upload(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/w/{workspace_slug}/media/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
