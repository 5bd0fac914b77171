from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from apps.accounts.models import AuditEvent, Membership
from apps.content import services
from apps.content.models import ApprovalLink, Post, PostTemplate, PostVersion

pytestmark = pytest.mark.django_db


def member(workspace, user):
    return Membership.objects.get(workspace=workspace, user=user)


def test_the_library_loads_twice_without_duplicates(library):
    from django.core.management import call_command

    count = PostTemplate.objects.count()
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PostTemplate.objects.count() == count >= 40
    assert PostTemplate.objects.values("framework").distinct().count() >= 10


def test_generating_stores_a_draft_with_its_template_lint_score_and_first_version(
    alice, alice_workspace, library
):
    post = services.post_generate(workspace=alice_workspace, author=alice, topic="Kafka lag")
    assert post.status == Post.Status.DRAFT
    assert post.backend == "template"
    assert post.template is not None
    assert post.template_key == post.template.key
    assert post.lint_score is not None
    assert "{" not in post.text
    assert list(post.versions.values_list("note", flat=True)) == ["generated"]


def test_planning_a_week_gives_distinct_drafts(alice, alice_workspace, library):
    posts = services.post_plan_week(workspace=alice_workspace, author=alice, count=5)
    assert len(posts) == 5
    assert len({p.template_key for p in posts}) == 5
    assert len({p.hook for p in posts}) == 5


def test_the_next_draft_rotates_away_from_recent_templates(alice, alice_workspace, library):
    first = services.post_generate(workspace=alice_workspace, author=alice)
    second = services.post_generate(workspace=alice_workspace, author=alice)
    assert first.template_key != second.template_key


def test_editing_keeps_every_version_and_restoring_one_makes_a_new_version(alice, draft):
    services.post_save(post=draft, actor=alice, text=draft.text + "\n\n#finops")
    first = draft.versions.order_by("created_at", "id").first()
    services.post_restore_version(post=draft, version=first, actor=alice)
    draft.refresh_from_db()
    assert draft.text == first.text
    assert list(draft.versions.order_by("created_at", "id").values_list("note", flat=True)) == [
        "written",
        "edited",
        "restored",
    ]


def test_an_empty_edit_is_refused_and_the_text_kept(alice, draft):
    before = draft.text
    with pytest.raises(services.ContentError, match="needs some text"):
        services.post_save(post=draft, actor=alice, text="   ")
    draft.refresh_from_db()
    assert draft.text == before


def test_an_editor_cannot_approve(alice_workspace, bob, draft):
    with pytest.raises(services.NotAllowed, match="only owners and admins"):
        services.post_approve(post=draft, membership=member(alice_workspace, bob))
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_an_owner_approves_and_it_is_audited(alice, alice_workspace, draft):
    services.post_approve(post=draft, membership=member(alice_workspace, alice))
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (Post.Status.APPROVED, alice)
    assert AuditEvent.objects.filter(action="post.approved", workspace=alice_workspace).exists()


def test_editing_an_approved_post_returns_it_to_draft(alice, alice_workspace, draft):
    services.post_approve(post=draft, membership=member(alice_workspace, alice))
    services.post_save(post=draft, actor=alice, text=draft.text + " Reply below.")
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (Post.Status.DRAFT, None)


def test_sending_back_needs_a_comment_and_keeps_it(alice, alice_workspace, bob, draft):
    services.post_submit_for_review(post=draft, actor=bob)
    with pytest.raises(services.ContentError, match="Say what should change"):
        services.post_send_back(post=draft, membership=member(alice_workspace, alice), comment=" ")
    services.post_send_back(
        post=draft, membership=member(alice_workspace, alice), comment="Lead with the number."
    )
    draft.refresh_from_db()
    assert (draft.status, draft.review_comment) == (Post.Status.DRAFT, "Lead with the number.")


# --- The one-click approval link ------------------------------------------------------------


def submit_and_get_link(draft, bob, django_capture_on_commit_callbacks) -> str:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit_for_review(post=draft, actor=bob)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    return next(word for word in message.body.split() if "/approve/" in word)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_a_review_request_emails_approvers_a_link_that_approves_once(
    alice, bob, draft, django_capture_on_commit_callbacks
):
    token = token_of(submit_and_get_link(draft, bob, django_capture_on_commit_callbacks))
    post = services.approval_link_use(token=token, user=alice)
    assert post.status == Post.Status.APPROVED
    with pytest.raises(services.ContentError, match="already been used"):
        services.approval_link_use(token=token, user=alice)


def test_an_expired_link_is_refused(alice, bob, draft, django_capture_on_commit_callbacks):
    token = token_of(submit_and_get_link(draft, bob, django_capture_on_commit_callbacks))
    with (
        time_machine.travel(timezone.now() + timedelta(hours=73)),
        pytest.raises(services.ContentError, match="expired"),
    ):
        services.approval_link_use(token=token, user=alice)
    draft.refresh_from_db()
    assert draft.status == Post.Status.IN_REVIEW


def test_a_tampered_link_is_refused(alice, bob, draft, django_capture_on_commit_callbacks):
    token = token_of(submit_and_get_link(draft, bob, django_capture_on_commit_callbacks))
    link = ApprovalLink.objects.get()
    forged = signing.dumps({"l": link.pk, "n": "guessed"}, salt="wrong-salt")
    for bad in (token[:-2] + "xx", forged):
        with pytest.raises(services.ContentError, match="not valid"):
            services.approval_link_use(token=bad, user=alice)
    draft.refresh_from_db()
    assert draft.status == Post.Status.IN_REVIEW


def test_a_link_works_only_for_the_approver_it_was_sent_to(
    alice, bob, charlie, draft, django_capture_on_commit_callbacks
):
    token = token_of(submit_and_get_link(draft, bob, django_capture_on_commit_callbacks))
    for someone_else in (bob, charlie):
        with pytest.raises(services.ContentError, match="sent to someone else"):
            services.approval_link_use(token=token, user=someone_else)


def test_editing_the_post_voids_outstanding_links(
    alice, bob, draft, django_capture_on_commit_callbacks
):
    token = token_of(submit_and_get_link(draft, bob, django_capture_on_commit_callbacks))
    services.post_save(post=draft, actor=bob, text=draft.text + " Changed.")
    with pytest.raises(services.ContentError, match="already been used"):
        services.approval_link_use(token=token, user=alice)


# --- CSV import ------------------------------------------------------------------------------

GOOD_CSV = (
    "text,first_comment,topic\n"
    '"We halved deploy time.\n\nHow? Fewer gates.",https://example.com/notes,CI\n'
    "Second post about Kafka consumer lag. What is yours?,,Kafka\n"
)


def test_a_csv_preview_lists_rows_and_saves_nothing(alice_workspace):
    rows = services.posts_import_preview(csv_text=GOOD_CSV)
    assert [(r.line, r.topic, r.errors) for r in rows] == [(2, "CI", []), (3, "Kafka", [])]
    assert not Post.objects.exists()


def test_a_csv_with_a_bad_row_imports_nothing(alice, alice_workspace):
    bad = GOOD_CSV + ",,empty\n" + '"' + "(x) " * 900 + '",,too long\n'
    rows = services.posts_import_preview(csv_text=bad)
    assert [bool(r.errors) for r in rows] == [False, False, True, True]
    with pytest.raises(services.ContentError, match="nothing was imported"):
        services.posts_import(workspace=alice_workspace, author=alice, csv_text=bad)
    assert not Post.objects.exists()


def test_a_csv_without_a_text_column_is_explained(alice_workspace):
    with pytest.raises(services.ContentError, match="text"):
        services.posts_import_preview(csv_text="body,topic\nhello,x\n")


def test_a_good_csv_imports_drafts_with_versions(alice, alice_workspace):
    posts = services.posts_import(workspace=alice_workspace, author=alice, csv_text=GOOD_CSV)
    assert [p.backend for p in posts] == ["import", "import"]
    assert posts[0].first_comment == "https://example.com/notes"
    assert PostVersion.objects.filter(post__in=posts).count() == 2


def test_a_post_saved_as_a_template_joins_the_workspaces_rotation(
    alice, alice_workspace, charlie_workspace, draft
):
    from apps.content.selectors import templates_for

    template = services.template_save_from_post(post=draft, actor=alice, name="Cost review")
    assert template.workspace == alice_workspace
    assert template.hooks == [draft.text.split("\n\n")[0]]
    assert template in templates_for(workspace=alice_workspace)
    assert template not in templates_for(workspace=charlie_workspace)


def test_a_one_paragraph_post_cannot_become_a_template(alice, alice_workspace, library):
    post = services.post_create_manual(workspace=alice_workspace, author=alice, text="Short.")
    with pytest.raises(services.ContentError, match="three paragraphs"):
        services.template_save_from_post(post=post, actor=alice, name="x")


def test_a_german_profile_gets_german_drafts_from_the_stored_library(
    alice, alice_workspace, library
):
    from apps.accounts.models import ExpertiseProfile

    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(language="de")
    posts = services.post_plan_week(workspace=alice_workspace, author=alice, count=4)
    german = [p for p in posts if any(w in p.text for w in (" die ", " der ", " und "))]
    assert len(german) >= 2
