"""A post's lead totals (Post.attributed_leads, attributed_value) are written by the
database's triggers on leads_lead only: saving a post never writes them back."""

from decimal import Decimal

import pytest

from apps.content.models import Post

pytestmark = pytest.mark.django_db


def _post(workspace):
    return Post.objects.create(workspace=workspace, text="A post", status=Post.Status.PUBLISHED)


def test_a_post_saved_whole_leaves_the_lead_totals_as_the_database_has_them(alice_workspace):
    post = _post(alice_workspace)
    stale = Post.objects.get(pk=post.pk)
    # What the triggers do when a lead arrives (SQLite has none: written here by hand).
    Post.objects.filter(pk=post.pk).update(attributed_leads=3, attributed_value=Decimal("900"))

    stale.text = "Edited"
    stale.save()

    post.refresh_from_db()
    assert (post.text, post.attributed_leads, post.attributed_value) == (
        "Edited",
        3,
        Decimal("900"),
    )


def test_a_post_read_with_columns_deferred_saves_what_it_read_and_not_the_totals(
    alice_workspace,
):
    post = _post(alice_workspace)
    partial = Post.objects.only("id", "text").get(pk=post.pk)
    Post.objects.filter(pk=post.pk).update(attributed_leads=2, topic="Kept")

    partial.text = "Edited"
    partial.save()

    post.refresh_from_db()
    assert (post.text, post.topic, post.attributed_leads) == ("Edited", "Kept", 2)


def test_naming_the_lead_totals_in_update_fields_is_refused(alice_workspace):
    post = _post(alice_workspace)
    post.attributed_leads = 5

    with pytest.raises(ValueError, match="written by the database"):
        post.save(update_fields=["attributed_leads"])


def test_a_new_post_starts_without_leads(alice_workspace):
    post = _post(alice_workspace)

    post.refresh_from_db()
    assert (post.attributed_leads, post.attributed_value) == (0, Decimal(0))


def test_a_copy_of_a_post_with_leads_starts_without_leads(alice_workspace):
    post = _post(alice_workspace)
    Post.objects.filter(pk=post.pk).update(attributed_leads=4, attributed_value=Decimal("50"))
    copy = Post.objects.get(pk=post.pk)

    copy.pk = None
    copy.save()

    copy.refresh_from_db()
    assert copy.pk != post.pk
    assert (copy.attributed_leads, copy.attributed_value) == (0, Decimal(0))
