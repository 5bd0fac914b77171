"""A draft with a visible gap ("[your example: …]") is the consultant's to finish: it cannot be
approved, scheduled or published until every gap is filled in or removed."""

import pytest

from apps.accounts.models import ExpertiseProfile, Membership
from apps.content import facts, scheduling, services
from apps.content.models import Post

GAP = "[your example: a Kubernetes project of yours: the client, the result with a number]"
TEXT = f"Cost cuts start with requests.\n\n{GAP}\n\nWhat did your last cost review find?"


@pytest.fixture
def gapped(alice, alice_workspace):
    return services.post_create_manual(workspace=alice_workspace, author=alice, text=TEXT)


def owner(workspace, user):
    return Membership.objects.get(workspace=workspace, user=user)


def test_a_draft_with_a_gap_cannot_be_approved_and_the_message_names_the_gap(
    alice, alice_workspace, gapped
):
    with pytest.raises(services.ContentError, match="Fill in or remove the gap") as error:
        services.post_approve(post=gapped, membership=owner(alice_workspace, alice))
    assert GAP in str(error.value)
    gapped.refresh_from_db()
    assert gapped.status == Post.Status.DRAFT


def test_filling_the_gap_lets_the_draft_be_approved(alice, alice_workspace, gapped):
    filled = TEXT.replace(GAP, "A payments client: compute spend down 38% once requests fit.")
    services.post_save(post=gapped, actor=alice, text=filled)
    services.post_approve(post=gapped, membership=owner(alice_workspace, alice))
    gapped.refresh_from_db()
    assert gapped.status == Post.Status.APPROVED


def test_a_german_gap_blocks_approval_too(alice, alice_workspace):
    post = services.post_create_manual(
        workspace=alice_workspace,
        author=alice,
        text="Kosten senken.\n\n[Ihr Beispiel: ein eigenes Projekt]\n\nWas sagen Sie?",
    )
    with pytest.raises(services.ContentError, match="Ihr Beispiel"):
        services.post_approve(post=post, membership=owner(alice_workspace, alice))


def test_a_post_approved_with_a_gap_before_the_check_cannot_be_scheduled(
    alice, alice_workspace, gapped
):
    Post.objects.filter(pk=gapped.pk).update(status=Post.Status.APPROVED)
    gapped.refresh_from_db()
    with pytest.raises(services.ContentError, match="Fill in or remove the gap"):
        scheduling.post_publish_now(post=gapped, actor=alice)
    gapped.refresh_from_db()
    assert gapped.status == Post.Status.APPROVED


def test_the_editor_lists_the_gaps_and_the_approve_button_explains_the_block(
    alice_client, alice_workspace, gapped
):
    page = alice_client.get(f"/w/{alice_workspace.slug}/content/{gapped.pk}/")
    assert 'data-testid="gaps"' in page.text
    assert f'data-select-gap="{GAP}"' in page.text
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/content/{gapped.pk}/approve/", follow=True
    )
    assert "Fill in or remove the gap" in response.text
    gapped.refresh_from_db()
    assert gapped.status == Post.Status.DRAFT


def test_the_live_checker_stops_listing_a_gap_once_it_is_removed(alice_client, alice_workspace):
    url = f"/w/{alice_workspace.slug}/content/lint/"
    assert 'data-testid="gaps"' in alice_client.post(url, {"text": TEXT}).text
    assert 'data-testid="gaps"' not in alice_client.post(url, {"text": "No gap here."}).text


def test_a_new_user_without_case_studies_plans_a_week_and_approves_once_gaps_are_removed(
    alice, alice_workspace, library
):
    week = services.post_plan_week(workspace=alice_workspace, author=alice, count=7)
    gapped = [post for post in week if facts.find_gaps(post.text)]
    assert gapped, [p.framework for p in week]  # story frameworks ask for her own example
    post = gapped[0]
    with pytest.raises(services.ContentError, match="Fill in or remove"):
        services.post_approve(post=post, membership=owner(alice_workspace, alice))

    text = post.text
    for gap in facts.find_gaps(text):
        text = text.replace(gap, "")
    services.post_save(post=post, actor=alice, text=text)
    services.post_approve(post=post, membership=owner(alice_workspace, alice))
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    for other in week:
        if other is not post and not facts.find_gaps(other.text):
            services.post_approve(post=other, membership=owner(alice_workspace, alice))


def test_a_week_planned_from_a_profile_with_a_case_study_has_no_gap(
    alice, alice_workspace, library
):
    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(
        case_studies=[
            {
                "client_type": "payments scale-up",
                "action": "Moved a payments platform to Kubernetes",
                "results": "cut cloud spend 38% in 4 months",
            }
        ]
    )
    week = services.post_plan_week(workspace=alice_workspace, author=alice, count=7)
    assert [facts.find_gaps(post.text) for post in week] == [[]] * 7
    assert any("cut cloud spend 38% in 4 months" in post.text for post in week)
