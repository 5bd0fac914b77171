"""Media in an S3-compatible store, tried against a real S3 API: moto's server on a local
port (no internet). Files go to a private bucket under random keys, reach members only as a
redirect to a short-lived signed URL, and are in the export and gone with the workspace."""

import datetime
import logging
import zipfile
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.urls import reverse
from moto.server import ThreadedMotoServer

from apps.accounts.data_rights import workspace_delete, workspace_export
from apps.media.models import MediaPage, PostMedia
from apps.media.services import media_attach

from .files import image_bytes, painted_pdf_bytes

pytestmark = pytest.mark.django_db

BUCKET = "techlead-media-test"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket, and the app's default storage pointed at it as production's
    MEDIA_STORAGE=s3 settings would (techlead/settings/base.py)."""
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    s3.create_bucket(Bucket=BUCKET)
    settings.MEDIA_URL_EXPIRY = 120
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.MEDIA_URL_EXPIRY,
                "file_overwrite": False,
                "custom_domain": None,
            },
        },
    }
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def keys(s3) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_an_upload_lands_in_the_private_bucket_under_a_random_key(bucket, alice, draft):
    media = media_attach(post=draft, actor=alice, data=image_bytes(), name="client-secret.png")
    assert keys(bucket) == {media.file.name}
    assert "client-secret" not in media.file.name
    assert bucket.get_object(Bucket=BUCKET, Key=media.file.name)["Body"].read() == image_bytes()
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=media.file.name)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]


def test_a_member_is_sent_to_a_short_lived_signed_url_that_serves_the_file(
    bucket, s3_endpoint, alice, alice_client, alice_workspace, draft
):
    media = media_attach(post=draft, actor=alice, data=image_bytes(), name="chart.png")
    answer = alice_client.get(reverse("media_file", args=[alice_workspace.slug, media.pk]))
    assert answer.status_code == 302
    assert answer["Cache-Control"] == "private, max-age=60"
    signed = answer["Location"]
    assert signed.startswith(f"{s3_endpoint}/{BUCKET}/{media.file.name}?")
    query = parse_qs(urlsplit(signed).query)
    # Valid for MEDIA_URL_EXPIRY seconds from now. (moto serves an expired URL all the same,
    # so the store's refusal after expiry is AWS's and MinIO's to keep, not tested here.)
    assert query["X-Amz-Expires"] == ["120"]
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert abs((now - signed_at).total_seconds()) < 30
    assert query["X-Amz-Signature"][0]
    fetched = requests.get(signed, timeout=5)
    assert fetched.status_code == 200
    assert fetched.content == image_bytes()
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["Content-Disposition"] == 'inline; filename="chart.png"'


def test_the_page_lets_images_load_from_the_store_and_nowhere_else(
    bucket, s3_endpoint, alice_client, alice_workspace, draft
):
    page = alice_client.get(reverse("post_edit", args=[alice_workspace.slug, draft.pk]))
    img_src = next(
        part
        for part in page["Content-Security-Policy"].split(";")
        if part.strip().startswith("img-src")
    )
    assert img_src.split() == ["img-src", "'self'", "data:", s3_endpoint]


def test_another_workspace_gets_a_404_not_a_signed_url(
    bucket, alice, charlie_client, alice_workspace, charlie_workspace, draft
):
    media = media_attach(post=draft, actor=alice, data=painted_pdf_bytes(), name="deck.pdf")
    for slug in (alice_workspace.slug, charlie_workspace.slug):
        for url in (
            reverse("media_file", args=[slug, media.pk]),
            reverse("media_cover", args=[slug, media.pk]),
            reverse("media_page", args=[slug, media.pk, 1]),
        ):
            answer = charlie_client.get(url)
            assert answer.status_code == 404
            assert "Location" not in answer


def test_media_in_the_store_are_exported_and_deleted_with_the_workspace(
    bucket, alice, alice_workspace, draft, django_capture_on_commit_callbacks
):
    pdf = painted_pdf_bytes()
    document = media_attach(post=draft, actor=alice, data=pdf, name="deck.pdf")
    pages = MediaPage.objects.filter(media=document).count()
    assert len(keys(bucket)) == 1 + 1 + pages  # the PDF, its cover, its page pictures

    archive = zipfile.ZipFile(workspace_export(workspace=alice_workspace, actor=alice))
    names = archive.namelist()
    exported = [n for n in names if n.startswith(f"files/media/postmedia/{document.pk}-file-")]
    assert archive.read(exported[0]) == pdf
    assert len([n for n in names if n.startswith("files/media/mediapage/")]) == pages

    with django_capture_on_commit_callbacks(execute=True):
        workspace_delete(workspace=alice_workspace, actor=alice, confirmation=alice_workspace.slug)
    assert not PostMedia.objects.filter(pk=document.pk).exists()
    assert keys(bucket) == set()
