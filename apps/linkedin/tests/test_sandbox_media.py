"""The Images and Documents APIs, client and sandbox together (linkedin-api.md, "Images and
documents"): initialize, PUT, status, limits, and the URN in the post's content."""

import io

import pytest
import requests
from PIL import Image
from pypdf import PdfWriter

from apps.linkedin import client as linkedin_client
from apps.linkedin.client import (
    LinkedInTransientError,
    LinkedInValidationError,
    document_content,
    image_content,
    multi_image_content,
)

from .conftest import VERSION, rest_headers


def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 80, 160)).save(out, "PNG")
    return out.getvalue()


def pdf(pages=3) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=540, height=675)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def member(linkedin):
    return linkedin.sandbox.config.member.urn


@pytest.fixture
def client(linkedin, make_client):
    return make_client(linkedin.sandbox.issue_token(), version=VERSION)


def test_an_image_is_initialized_uploaded_and_available(client, member):
    upload = client.initialize_upload("image", member)
    assert upload.urn.startswith("urn:li:image:")
    assert client.media_status(upload.urn) == "WAITING_UPLOAD"
    client.upload_bytes(upload.upload_url, png())
    assert client.media_status(upload.urn) == "AVAILABLE"


def test_a_post_with_one_image_carries_its_urn_and_alt_text(linkedin, client, member):
    urn = client.upload_media("image", member, png())
    post_urn = client.create_post(
        member, "A diagram of the rollout.", content=image_content(urn, "Three boxes in a row")
    )
    stored = linkedin.sandbox.post(post_urn)
    assert stored["content"] == {"media": {"id": urn, "altText": "Three boxes in a row"}}


def test_a_multi_image_post_needs_two_to_twenty_images(client, member):
    first = client.upload_media("image", member, png())
    second = client.upload_media("image", member, png(60, 60))
    assert client.create_post(
        member, "Before and after.", content=multi_image_content([(first, "a"), (second, "b")])
    ).startswith("urn:li:")
    with pytest.raises(LinkedInValidationError):
        multi_image_content([(first, "a")])


def test_a_document_post_needs_a_title(linkedin, client, member):
    urn = client.upload_media("document", member, pdf(5))
    assert urn.startswith("urn:li:document:")
    assert linkedin.sandbox.state.media(urn)["pages"] == 5
    with pytest.raises(LinkedInValidationError) as refused:
        client.create_post(member, "Slides.", content={"media": {"id": urn}})
    assert refused.value.status == 422
    assert client.create_post(member, "Slides.", content=document_content(urn, "Five lessons"))


def test_a_post_naming_media_that_was_never_uploaded_is_refused_and_not_made(
    linkedin, client, member
):
    upload = client.initialize_upload("image", member)
    with pytest.raises(LinkedInValidationError) as refused:
        client.create_post(member, "No picture yet.", content=image_content(upload.urn))
    assert "WAITING_UPLOAD" in str(refused.value)
    assert linkedin.sandbox.posts() == []


def test_bytes_that_are_not_an_image_are_refused_and_the_asset_fails(linkedin, client, member):
    upload = client.initialize_upload("image", member)
    with pytest.raises(LinkedInValidationError) as refused:
        client.upload_bytes(upload.upload_url, b"%PDF-1.7 not an image")
    assert refused.value.status == 400
    assert client.media_status(upload.urn) == "PROCESSING_FAILED"


def test_a_pdf_over_three_hundred_pages_is_refused(client, member):
    upload = client.initialize_upload("document", member)
    with pytest.raises(LinkedInValidationError, match="300"):
        client.upload_bytes(upload.upload_url, pdf(301))


def test_an_image_over_linkedins_pixel_limit_is_refused(client, member, monkeypatch):
    from apps.linkedin.sandbox import media

    monkeypatch.setattr(media, "IMAGE_MAX_PIXELS", 1000)
    upload = client.initialize_upload("image", member)
    with pytest.raises(LinkedInValidationError, match="pixels"):
        client.upload_bytes(upload.upload_url, png(40, 30))


def test_an_upload_needs_the_members_token(linkedin, client, member):
    upload = client.initialize_upload("image", member)
    answer = requests.put(upload.upload_url, data=png(), timeout=5)
    assert answer.status_code == 401


def test_initializing_an_upload_for_someone_else_is_refused(client):
    with pytest.raises(linkedin_client.LinkedInPermissionError):
        client.initialize_upload("image", "urn:li:person:someoneElse")


def test_an_upload_that_fails_between_upload_and_post_leaves_no_post(linkedin, client, member):
    upload = client.initialize_upload("document", member)
    linkedin.sandbox.faults.fail_next(status=500, path_prefix="/dms-uploads/")
    with pytest.raises(LinkedInTransientError):
        client.upload_bytes(upload.upload_url, pdf())
    assert client.media_status(upload.urn) == "WAITING_UPLOAD"
    with pytest.raises(LinkedInValidationError):
        client.create_post(member, "Slides.", content=document_content(upload.urn, "Deck"))
    assert linkedin.sandbox.posts() == []
    # The same upload URL still works within its hour: the retry uploads, then posts once.
    client.upload_bytes(upload.upload_url, pdf())
    client.create_post(member, "Slides.", content=document_content(upload.urn, "Deck"))
    assert len(linkedin.sandbox.posts()) == 1


def test_initialize_upload_without_the_action_is_a_bad_request(linkedin, member):
    token = linkedin.sandbox.issue_token()
    answer = requests.post(
        f"{linkedin.api_base}/rest/images",
        json={"initializeUploadRequest": {"owner": member}},
        headers=rest_headers(token),
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "ILLEGAL_ARGUMENT"
