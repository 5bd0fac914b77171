"""Posts and leads in the admin: staff look, they do not rewrite tenants' data."""

from django.urls import reverse

from apps.accounts.models import AuditEvent
from apps.content.models import Post
from apps.leads.models import Commenter, Lead


def test_posts_cannot_be_added_and_only_the_topic_is_editable(root_client, alice_workspace):
    post = Post.objects.create(workspace=alice_workspace, text="Original", topic="old")
    assert root_client.get(reverse("admin:content_post_add")).status_code == 403

    change = reverse("admin:content_post_change", args=[post.pk])
    response = root_client.post(
        change,
        {
            "topic": "cost",
            "text": "Rewritten",
            "status": "published",
            # the (read-only) versions inline's management form
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.topic, post.text, post.status) == ("cost", "Original", Post.Status.DRAFT)


def test_published_posts_cannot_be_deleted(root_client, alice_workspace):
    published = Post.objects.create(
        workspace=alice_workspace, text="Live", status=Post.Status.PUBLISHED
    )
    draft = Post.objects.create(workspace=alice_workspace, text="Draft")

    url = reverse("admin:content_post_delete", args=[published.pk])
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    assert Post.objects.filter(pk=published.pk).exists()
    root_client.post(reverse("admin:content_post_delete", args=[draft.pk]), {"post": "yes"})
    assert not Post.objects.filter(pk=draft.pk).exists()


def test_no_bulk_delete_of_posts(root_client, alice_workspace):
    published = Post.objects.create(
        workspace=alice_workspace, text="Live", status=Post.Status.PUBLISHED
    )
    root_client.post(
        reverse("admin:content_post_changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    assert Post.objects.filter(pk=published.pk).exists()


def test_post_admin_retries_a_selected_failed_post(root_client, superuser, alice_workspace):
    failed = Post.objects.create(workspace=alice_workspace, text="x", status=Post.Status.FAILED)
    root_client.post(
        reverse("admin:content_post_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == Post.Status.SCHEDULED
    assert AuditEvent.objects.get(action="staff.failed_post_retried").actor == superuser


def test_leads_are_read_only(root_client, alice_workspace):
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:1")
    lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=70)

    assert root_client.get(reverse("admin:leads_lead_changelist")).status_code == 200
    change = reverse("admin:leads_lead_change", args=[lead.pk])
    assert root_client.get(change).status_code == 200  # view only
    assert root_client.post(change, {"status": "converted"}).status_code == 403
    assert root_client.get(reverse("admin:leads_lead_add")).status_code == 403
    url = reverse("admin:leads_lead_delete", args=[lead.pk])
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
