import pytest

from apps.content.models import Post

pytestmark = pytest.mark.django_db


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/content/{rest}"


def test_generating_from_the_content_page_opens_the_new_draft(
    alice_client, alice_workspace, library
):
    response = alice_client.post(
        url(alice_workspace, "generate/"), {"topic": "platform teams", "framework": "mistake"}
    )
    post = Post.objects.get()
    assert response.url == url(alice_workspace, f"{post.pk}/")
    assert post.framework == "mistake"
    page = alice_client.get(response.url)
    assert "A fresh draft" in page.text
    assert 'id="lint-panel"' in page.text


def test_planning_a_week_without_a_template_library_says_so_instead_of_zero_drafts(
    alice_client, alice_workspace
):
    from apps.content.models import PostTemplate

    PostTemplate.objects.filter(workspace__isnull=True).update(is_active=False)
    response = alice_client.post(url(alice_workspace, "plan-week/"), {"count": 5}, follow=True)

    assert "the template library is empty" in response.text
    assert "drafts are ready" not in response.text
    assert not Post.objects.exists()


def test_a_post_going_out_now_checks_back_by_itself_and_a_draft_does_not(
    alice_client, alice, alice_workspace
):
    from django.utils import timezone

    due = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Due now.",
        status=Post.Status.SCHEDULED,
        scheduled_at=timezone.now(),
    )
    draft = Post.objects.create(workspace=alice_workspace, author=alice, text="A draft.")

    watching = alice_client.get(url(alice_workspace, f"{due.pk}/")).text
    still = alice_client.get(url(alice_workspace, f"{draft.pk}/")).text

    assert 'hx-trigger="every 3s" hx-select="#next-step"' in watching
    assert 'id="next-step"' in still
    assert 'hx-trigger="every 3s"' not in still


def test_the_posting_times_page_says_where_to_change_the_time_zone(alice_client, alice_workspace):
    # A new workspace starts in UTC; a consultant in Berlin needs to find the setting.
    page = alice_client.get("/w/alice-co/settings/slots/").text
    assert '(Europe/Berlin, <a href="/w/alice-co/settings/">change</a>)' in page


def test_an_unknown_framework_is_a_clear_error(alice_client, alice_workspace, library):
    response = alice_client.post(
        url(alice_workspace, "generate/"), {"framework": "poetry"}, follow=True
    )
    assert "Choose a framework from the list." in response.text
    assert not Post.objects.exists()


def test_the_content_list_runs_a_fixed_number_of_queries(
    alice_client, alice, alice_workspace, library, django_assert_num_queries
):
    from apps.content.services import post_plan_week

    post_plan_week(workspace=alice_workspace, author=alice, count=6)
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # posts+authors, status counts, evergreen candidates, unread notifications; savepoint and
    # release.
    with django_assert_num_queries(8):
        response = alice_client.get(url(alice_workspace))
    assert response.text.count('class="card post-card"') == 6


def test_the_status_tabs_swap_only_the_list_over_htmx(alice_client, alice_workspace, draft):
    response = alice_client.get(
        url(alice_workspace, "?status=approved"), headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="post-list"')
    assert "Nothing approved yet" in response.text


def test_the_live_checker_answers_with_the_lint_panel(alice_client, alice_workspace, draft):
    response = alice_client.post(
        url(alice_workspace, "lint/"),
        {"text": "Read more at https://example.com", "post": draft.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="lint-panel"')
    assert "first comment" in response.text


def test_saving_an_edit_records_a_version(alice_client, alice_workspace, draft):
    alice_client.post(
        url(alice_workspace, f"{draft.pk}/"),
        {"text": draft.text + "\n\nDM me.", "first_comment": ""},
    )
    draft.refresh_from_db()
    assert draft.text.endswith("DM me.")
    assert draft.versions.count() == 2


def test_an_invalid_edit_shows_the_error_and_keeps_the_typed_text(
    alice_client, alice_workspace, draft
):
    response = alice_client.post(url(alice_workspace, f"{draft.pk}/"), {"text": "x" * 10_001})
    assert response.status_code == 400
    assert "at most 10000 characters" in response.text
    assert "x" * 200 in response.text


def test_an_editor_asking_to_approve_gets_403_with_a_message(bob_client, alice_workspace, draft):
    response = bob_client.post(url(alice_workspace, f"{draft.pk}/approve/"))
    assert response.status_code == 403
    assert "only owners and admins can approve" in response.text
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_a_viewer_reads_but_cannot_edit(client, alice_workspace, draft):
    from apps.accounts.models import Role
    from apps.accounts.tests.factories import MembershipFactory

    viewer = MembershipFactory(workspace=alice_workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    assert client.get(url(alice_workspace, f"{draft.pk}/")).status_code == 200
    assert client.post(url(alice_workspace, f"{draft.pk}/"), {"text": "hijack"}).status_code == 403
    assert client.post(url(alice_workspace, "generate/")).status_code == 403


def test_another_workspaces_post_is_a_404(charlie_client, alice_workspace, draft):
    assert charlie_client.get(url(alice_workspace, f"{draft.pk}/")).status_code == 404


def test_a_post_id_from_another_workspace_is_a_404_in_ones_own(
    charlie_client, charlie_workspace, draft
):
    assert charlie_client.get(url(charlie_workspace, f"{draft.pk}/")).status_code == 404
    assert charlie_client.post(url(charlie_workspace, f"{draft.pk}/archive/")).status_code == 404


def test_the_approval_link_page_approves_after_sign_in(
    client, alice, bob, draft, django_capture_on_commit_callbacks
):
    from django.core import mail

    from apps.content.services import post_submit_for_review

    with django_capture_on_commit_callbacks(execute=True):
        post_submit_for_review(post=draft, actor=bob)
    link = next(w for w in mail.outbox[-1].body.split() if "/approve/" in w)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 302  # sign in first
    client.force_login(alice)
    assert "Approve this post?" in client.get(path).text
    client.post(path)
    draft.refresh_from_db()
    assert draft.status == Post.Status.APPROVED


def test_importing_a_csv_previews_then_imports(alice_client, alice_workspace):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_bytes = b"text,topic\nWe halved deploy time. How? Fewer gates. What slows yours?,CI\n"
    preview = alice_client.post(
        url(alice_workspace, "import/"),
        {"file": SimpleUploadedFile("drafts.csv", csv_bytes, content_type="text/csv")},
    )
    assert "Import 1 draft" in preview.text
    assert not Post.objects.exists()
    alice_client.post(
        url(alice_workspace, "import/"), {"csv_text": csv_bytes.decode(), "confirm": "1"}
    )
    assert Post.objects.get().topic == "CI"


def test_old_posts_that_brought_leads_are_suggested_for_a_fresh_rewrite(
    alice_client, alice, alice_workspace, library
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.leads.models import Comment, Commenter, Lead

    old = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Old winner",
        hook="Old winner",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=120),
    )
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:q")
    lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=80)
    Comment.objects.create(
        workspace=alice_workspace,
        post=old,
        commenter=commenter,
        lead=lead,
        urn="c1",
        text="Can we talk?",
    )
    page = alice_client.get(url(alice_workspace))
    assert "Worth writing again" in page.text
    assert "Old winner" in page.text
    response = alice_client.post(url(alice_workspace, f"{old.pk}/similar/"))
    rewrite = Post.objects.exclude(pk=old.pk).get()
    assert response.url == url(alice_workspace, f"{rewrite.pk}/")
    assert rewrite.text != old.text
