"""The past posts page: import by paste or Shares.csv, the style in words, delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Role
from apps.accounts.tests.factories import MembershipFactory, UserFactory
from apps.content.models import PastPost
from apps.content.voice import past_posts_import

pytestmark = pytest.mark.django_db

PASTED = (
    "Why do platform teams burn out?\n\nOn-call for 12 engineers, alerts nobody owned.\n"
    "---\n"
    "Is Kubernetes too much for a startup?\n\nOften, yes. Start with a managed service.\n"
)
SHARES = (
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    '2024-03-05 08:12:44,https://www.linkedin.com/feed/update/1,"We cut the EKS bill by 38%.\n\n'
    'The ""quick win"" was idle dev clusters.",,,MEMBER_NETWORK\n'
)


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/content/past-posts/{rest}"


def test_pasted_posts_are_imported_and_the_page_describes_the_style(
    alice_client, alice, alice_workspace
):
    response = alice_client.post(url(alice_workspace), {"kind": "paste", "text": PASTED})
    assert response.status_code == 302
    posts = PastPost.objects.filter(workspace=alice_workspace)
    assert sorted(post.text[:6] for post in posts) == ["Is Kub", "Why do"]
    assert {post.author for post in posts} == {alice}
    assert {post.source for post in posts} == {"paste"}
    page = alice_client.get(response.url)
    assert "2 posts imported." in page.text
    assert "Your posts: about " in page.text
    assert "often open with a question" in page.text


def test_a_shares_csv_file_is_imported_with_its_quotes_and_line_breaks(
    alice_client, alice_workspace
):
    upload = SimpleUploadedFile("Shares.csv", SHARES.encode("utf-8-sig"), "text/csv")
    response = alice_client.post(url(alice_workspace), {"kind": "paste", "file": upload})
    assert response.status_code == 302
    post = PastPost.objects.get(workspace=alice_workspace)
    assert post.text == 'We cut the EKS bill by 38%.\n\nThe "quick win" was idle dev clusters.'
    assert post.source == "csv"
    assert post.published_at.year == 2024


def test_the_exports_text_pasted_as_posts_is_read_as_csv(alice_client, alice_workspace):
    response = alice_client.post(url(alice_workspace), {"kind": "paste", "text": SHARES})
    assert response.status_code == 302
    post = PastPost.objects.get(workspace=alice_workspace)
    assert post.text.startswith("We cut the EKS bill by 38%.")
    assert post.source == "csv"


def test_a_malformed_csv_gets_a_clear_message_and_its_text_stays_in_the_box(
    alice_client, alice_workspace
):
    broken = "Name,Email\nAlice,alice@example.com\n"
    upload = SimpleUploadedFile("Shares.csv", broken.encode(), "text/csv")
    response = alice_client.post(url(alice_workspace), {"kind": "csv", "file": upload})
    assert response.status_code == 400
    assert "no ShareCommentary column" in response.text
    assert "alice@example.com" in response.text  # the file's text, kept for fixing
    assert not PastPost.objects.exists()


def test_the_whole_export_zip_gets_told_to_open_it(alice_client, alice_workspace):
    upload = SimpleUploadedFile(
        "Basic_LinkedInDataExport.zip", b"PK\x03\x04rest", "application/zip"
    )
    response = alice_client.post(url(alice_workspace), {"kind": "csv", "file": upload})
    assert response.status_code == 400
    assert "open it and choose Shares.csv inside" in response.text
    assert not PastPost.objects.exists()


def test_importing_the_same_posts_twice_skips_them_and_says_so(alice_client, alice_workspace):
    alice_client.post(url(alice_workspace), {"kind": "paste", "text": PASTED})
    response = alice_client.post(
        url(alice_workspace), {"kind": "paste", "text": PASTED}, follow=True
    )
    assert "0 posts imported. 2 were already here and were skipped." in response.text
    assert PastPost.objects.count() == 2


def test_a_post_can_be_deleted(alice_client, alice, alice_workspace):
    past_posts_import(workspace=alice_workspace, author=alice, posts=[PASTED], source="paste")
    post = PastPost.objects.get()
    response = alice_client.post(url(alice_workspace, f"{post.pk}/delete/"))
    assert response.status_code == 302
    assert not PastPost.objects.exists()


def test_charlie_cannot_see_or_delete_alices_past_posts(
    charlie_client, alice, alice_workspace, charlie_workspace
):
    past_posts_import(workspace=alice_workspace, author=alice, posts=[PASTED], source="paste")
    post = PastPost.objects.get()
    assert charlie_client.get(url(alice_workspace)).status_code == 404
    assert charlie_client.post(url(charlie_workspace, f"{post.pk}/delete/")).status_code == 404
    assert charlie_client.post(url(alice_workspace, f"{post.pk}/delete/")).status_code == 404
    assert PastPost.objects.filter(pk=post.pk).exists()
    page = charlie_client.get(url(charlie_workspace))
    assert "No past posts yet." in page.text
    assert "platform teams" not in page.text


def test_a_viewer_sees_the_posts_but_cannot_import_or_delete(client, alice, alice_workspace):
    viewer = UserFactory()
    MembershipFactory(workspace=alice_workspace, user=viewer, role=Role.VIEWER)
    past_posts_import(workspace=alice_workspace, author=alice, posts=[PASTED], source="paste")
    client.force_login(viewer)
    page = client.get(url(alice_workspace))
    assert "Why do platform teams burn out?" in page.text
    assert "Import posts" not in page.text
    assert client.post(url(alice_workspace), {"kind": "paste", "text": PASTED}).status_code == 403
    post = PastPost.objects.get()
    assert client.post(url(alice_workspace, f"{post.pk}/delete/")).status_code == 403
    assert PastPost.objects.count() == 1


def test_the_past_posts_page_runs_a_fixed_number_of_queries(
    alice_client, alice, alice_workspace, django_assert_num_queries
):
    posts = [f"Post number {n} about Kubernetes upgrades and on-call." for n in range(30)]
    past_posts_import(workspace=alice_workspace, author=alice, posts=posts, source="paste")
    # user (the session comes from the cache), memberships+workspaces (the switcher's too), past
    # posts; then base.html's unread notifications; savepoint and release (workspace_view's
    # transaction).
    with django_assert_num_queries(6):
        response = alice_client.get(url(alice_workspace))
    assert response.text.count('/delete/"') == 30  # one row, with its delete form, per post


def test_staff_see_past_posts_in_the_admin_but_cannot_add_or_rewrite_them(
    client, alice, alice_workspace
):
    from django.urls import reverse

    from apps.accounts.tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    past_posts_import(workspace=alice_workspace, author=alice, posts=[PASTED], source="paste")
    post = PastPost.objects.get()
    listing = client.get(reverse("admin:content_pastpost_changelist"))
    assert "Why do platform teams burn out?" in listing.text
    assert client.get(reverse("admin:content_pastpost_add")).status_code == 403
    client.post(reverse("admin:content_pastpost_change", args=[post.pk]), {"text": "Rewritten"})
    post.refresh_from_db()
    assert post.text.startswith("Why do platform teams burn out?")
