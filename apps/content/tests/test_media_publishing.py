# ruff: noqa: F811 - the publishing fixtures are imported from test_publishing
"""Publishing posts with images and PDF documents against the sandbox: the media go up
first, each exactly once, and a post never goes out without them."""

import pytest

from apps.content.models import Post
from apps.media.models import PostMedia
from apps.media.services import carousel_attach, media_attach
from apps.media.tests.files import image_bytes, pdf_bytes

from .test_publishing import (  # noqa: F401 - fixtures
    connected,
    dispatch_and_publish,
    due_post,
    enqueued,
    linkedin,
)

pytestmark = pytest.mark.django_db


def attach(post, actor, data, name, alt_text=""):
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    post.refresh_from_db()
    media = media_attach(post=post, actor=actor, data=data, name=name, alt_text=alt_text)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED)
    return media


def test_a_post_with_one_image_goes_out_with_the_image_and_its_alt_text(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    media = attach(post, alice, image_bytes(), "chart.png", alt_text="Deploy time, 40 to 8 min")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    media.refresh_from_db()
    (live,) = linkedin.sandbox.posts()
    assert media.linkedin_urn.startswith("urn:li:image:")
    assert live["content"] == {
        "media": {"id": media.linkedin_urn, "altText": "Deploy time, 40 to 8 min"}
    }


def test_several_images_go_out_as_one_multi_image_post_in_their_order(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    first = attach(post, alice, image_bytes(colour=(1, 2, 3)), "a.png", "first")
    second = attach(post, alice, image_bytes(colour=(3, 2, 1)), "b.jpg", "second")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    first.refresh_from_db()
    second.refresh_from_db()
    (live,) = linkedin.sandbox.posts()
    assert live["content"]["multiImage"]["images"] == [
        {"id": first.linkedin_urn, "altText": "first"},
        {"id": second.linkedin_urn, "altText": "second"},
    ]


def test_a_carousel_goes_out_as_a_document_with_its_title(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    post.refresh_from_db()
    document = carousel_attach(post=post, actor=alice, language="en")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    document.refresh_from_db()
    (live,) = linkedin.sandbox.posts()
    assert live["content"] == {"media": {"id": document.linkedin_urn, "title": document.title}}
    assert linkedin.sandbox.state.media(document.linkedin_urn)["pages"] == document.pages


def test_an_upload_failure_publishes_nothing_and_a_retry_never_uploads_twice(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    post = due_post(alice_workspace, alice)
    attach(post, alice, image_bytes(colour=(1, 1, 1)), "a.png", "a")
    attach(post, alice, image_bytes(colour=(2, 2, 2)), "b.png", "b")
    # An outage at the first upload: no post without its images, tried again later.
    linkedin.sandbox.faults.fail_next(1, status=500, path_prefix="/rest/images")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["retry"]
    assert linkedin.sandbox.posts() == []
    assert set(PostMedia.objects.filter(post=post).values_list("linkedin_urn", flat=True)) == {""}

    # Both images go up, then the post create meets an outage: the URNs stay on the rows.
    Post.objects.filter(pk=post.pk).update(next_attempt_at=None)
    linkedin.sandbox.faults.fail_next(1, status=500, path_prefix="/rest/posts")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["retry"]
    urns = list(
        PostMedia.objects.filter(post=post)
        .order_by("position")
        .values_list("linkedin_urn", flat=True)
    )
    assert all(urn.startswith("urn:li:image:") for urn in urns)
    assert linkedin.sandbox.posts() == []

    # The retry names the same images and uploads nothing again.
    Post.objects.filter(pk=post.pk).update(next_attempt_at=None)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    assert linkedin.sandbox.state.media_count("image") == 2
    (live,) = linkedin.sandbox.posts()
    assert [image["id"] for image in live["content"]["multiImage"]["images"]] == urns


def test_a_post_whose_answer_was_lost_is_published_once_and_its_media_uploaded_once(
    alice, alice_workspace, connected, linkedin, enqueued, django_capture_on_commit_callbacks
):
    from apps.content import publishing

    post = due_post(alice_workspace, alice)
    media = attach(post, alice, pdf_bytes(4), "deck.pdf")
    linkedin.sandbox.faults.drop_connection_after_create(1)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["needs_check"]
    post.refresh_from_db()
    publishing.resolve_needs_check(post=post, appeared=False, actor=alice)
    enqueued.clear()

    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"]
    media.refresh_from_db()
    assert len(linkedin.sandbox.posts()) == 1
    assert linkedin.sandbox.state.media_count("document") == 1
    assert linkedin.sandbox.posts()[0]["content"]["media"]["id"] == media.linkedin_urn
