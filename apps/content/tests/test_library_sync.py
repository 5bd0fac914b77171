"""The shared template library is in the database after every migrate, matching the files."""

import pytest
from django.core.management import call_command

from apps.content.generation import load_library
from apps.content.models import PostTemplate
from apps.content.services import library_sync

pytestmark = pytest.mark.django_db


def test_a_fresh_database_has_the_whole_library_after_migrate():
    # The test database was built by `migrate`, which is what a fresh deployment runs.
    keys = {spec.key for spec in load_library()}
    active = set(
        PostTemplate.objects.filter(workspace__isnull=True, is_active=True).values_list(
            "key", flat=True
        )
    )
    assert active == keys
    assert len(keys) >= 48


def test_a_new_consultant_can_plan_a_week_without_any_setup_step(alice_client, alice_workspace):
    from apps.content.models import Post

    response = alice_client.post("/w/alice-co/content/plan-week/", {"count": 3}, follow=True)
    assert response.status_code == 200
    assert Post.objects.filter(workspace=alice_workspace).count() == 3


def test_syncing_again_changes_nothing_and_brings_back_edited_wording():
    template = PostTemplate.objects.filter(workspace__isnull=True).first()
    PostTemplate.objects.filter(pk=template.pk).update(name="Edited by hand")

    result = library_sync()

    assert result.created == 0
    assert result.retired == 0
    template.refresh_from_db()
    assert template.name != "Edited by hand"


def test_a_template_that_left_the_library_is_retired_and_workspace_templates_stay(
    alice_workspace,
):
    gone = PostTemplate.objects.create(
        workspace=None, key="story/gone", name="Gone", framework="story", body=["x"]
    )
    own = PostTemplate.objects.create(
        workspace=alice_workspace, key="own/mine", name="Mine", framework="story", body=["x"]
    )

    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115

    gone.refresh_from_db()
    own.refresh_from_db()
    assert not gone.is_active
    assert own.is_active
