"""Row-level security (PostgreSQL): the database itself keeps workspaces apart, so a query
that forgets its workspace filter sees only the current workspace's rows, and nothing when no
workspace is set. The suite connects as a superuser, which row-level security never binds;
these tests take the app's role (SET LOCAL ROLE) inside their transaction to be bound."""

import pytest
from celery import shared_task
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from apps.accounts.tenancy import (
    across_workspaces,
    database_scope,
    database_workspace_set,
    workspace_for_task,
    workspace_view,
)
from apps.content.models import Post
from apps.core import rls
from conftest import service_required
from tests.security_world import OBJECT_ID, build_world, url_for
from tests.tenancy_guard import is_tenant_route, iter_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        # Skipped on SQLite; in CI (REQUIRE_SERVICES=1, PostgreSQL) it must run.
        service_required("PostgreSQL", "row-level security needs it (set DATABASE_URL)")


@pytest.fixture
def posts(alice, alice_workspace, charlie, charlie_workspace):
    return {
        "alice": Post.objects.create(workspace=alice_workspace, author=alice, text="Alice's"),
        "charlie": Post.objects.create(
            workspace=charlie_workspace, author=charlie, text="Charlie's"
        ),
    }


@pytest.fixture
def as_app_role(settings, posts, table_owner):
    """For the rest of the test's transaction (after the rows above are made as the owner):
    the app's role, bound by the policies, and tenancy naming the workspace to the
    database."""
    settings.DATABASE_ROW_LEVEL_SECURITY = True
    role = rls.ensure_app_role()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    with database_scope():  # as a request or a task starts: no workspace named
        yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def raw_post_texts() -> list[str]:
    # A raw, unscoped query: no ORM, no filter, nothing of tenancy.py.
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM content_post ORDER BY text")
        return [row[0] for row in cursor.fetchall()]


def test_every_table_with_a_workspace_column_is_under_a_forced_policy():
    tables = [table.table for table in rls.policy_tables()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
            "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.policyname = %s",
            [rls.POLICY],
        )
        protected = {row[0] for row in cursor.fetchall()}

    assert len(tables) >= 27
    assert {"content_post", "content_posttemplate", "accounts_auditevent"} <= set(tables)
    assert set(tables) <= protected


def test_the_app_role_owns_nothing_and_cannot_bypass_the_policies(as_app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [as_app_role]
        )
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [as_app_role])
        assert cursor.fetchone() == (0,)


def test_a_raw_unscoped_query_sees_only_the_current_workspaces_rows(
    as_app_role, posts, alice_workspace, charlie_workspace
):
    database_workspace_set(alice_workspace.pk)
    assert raw_post_texts() == ["Alice's"]

    database_workspace_set(charlie_workspace.pk)
    assert raw_post_texts() == ["Charlie's"]
    assert Post.objects.count() == 1  # the ORM, unfiltered: the same wall


def test_with_no_workspace_set_nothing_is_visible(as_app_role, posts):
    database_workspace_set(None)
    assert raw_post_texts() == []
    assert not Post.objects.filter(pk=posts["alice"].pk).exists()


def test_writing_a_row_into_another_workspace_is_refused(
    as_app_role, posts, alice, alice_workspace, charlie_workspace
):
    database_workspace_set(alice_workspace.pk)

    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        Post.objects.create(workspace=charlie_workspace, author=alice, text="planted")
    # Nor can an update move a row out of sight: Charlie's post is not even found.
    assert Post.objects.filter(pk=posts["charlie"].pk).update(text="mine") == 0


def test_work_across_workspaces_by_design_says_so_and_sees_all(as_app_role, posts):
    database_workspace_set(None)
    with across_workspaces(reason="a dispatcher over every workspace's posts"):
        assert raw_post_texts() == ["Alice's", "Charlie's"]
    assert raw_post_texts() == []


def planted_unscoped_view(request, pk):
    # Deliberately wrong: the ORM, no workspace filter. The database must refuse the row.
    post = Post.objects.filter(pk=pk).first()
    return HttpResponse(post.text if post else "nothing", status=200 if post else 404)


urlpatterns = [
    path("w/<slug:workspace_slug>/planted/<int:pk>/", workspace_view()(planted_unscoped_view)),
    path("", include("techlead.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_that_forgets_its_workspace_filter_is_stopped_by_the_database(
    as_app_role, posts, charlie_client
):
    # Charlie, in his own workspace, asks for Alice's post by id through a leaky view.
    response = charlie_client.get(f"/w/charlie-co/planted/{posts['alice'].pk}/")
    own = charlie_client.get(f"/w/charlie-co/planted/{posts['charlie'].pk}/")

    assert response.status_code == 404
    assert "Alice's" not in response.content.decode()
    assert own.content.decode() == "Charlie's"  # the request named Charlie's workspace


def test_policies_are_idempotent_and_cover_a_table_added_later(table_owner):
    first = rls.apply_policies()
    again = rls.apply_policies()
    assert first == again == [table.table for table in rls.policy_tables()]


def test_a_partial_migrate_gets_policies_on_the_tables_it_has_made(table_owner):
    # `migrate leads 0014` on an empty database makes no table of the apps after it, and the
    # policies are applied after any migrate: the tables not there yet get theirs later.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE leads_leadhourlytotals RENAME TO leads_not_made_yet")
    applied = rls.apply_policies()
    assert "leads_leadhourlytotals" not in applied
    assert {"content_post", "leads_lead"} <= set(applied)


def test_every_tenant_page_works_as_the_app_role_under_the_policies(
    alice, alice_workspace, settings, table_owner
):
    """The app's own request paths name the workspace before they query: as the app role,
    with the policies binding, every tenant page and API list of Alice's (session-signed in)
    still answers, with her rows."""
    from django.test import Client

    world = build_world(workspace=alice_workspace, owner=alice)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    settings.DATABASE_ROW_LEVEL_SECURITY = True
    role = rls.ensure_app_role()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    try:
        broken = []
        for route in iter_routes():
            if not is_tenant_route(route):
                continue
            url = url_for(route, world)
            if url is None:
                continue
            with transaction.atomic():
                response = client.get(url)
            if response.status_code >= 500:
                broken.append((url, response.status_code))
        posts = client.get(f"/w/{alice_workspace.slug}/content/{OBJECT_ID}/")
        api = client.get(f"/api/v1/w/{alice_workspace.slug}/posts/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert broken == []
    assert posts.status_code == 200
    assert "Kubernetes migration" in posts.content.decode()
    assert api.status_code == 200
    assert [post["id"] for post in api.json()["results"]] == [OBJECT_ID]


def test_cross_workspace_work_ends_with_its_block_even_when_it_fails(as_app_role, posts):
    def dispatcher_that_fails_halfway():
        with across_workspaces(reason="a dispatcher over every workspace"):
            seen.append(len(raw_post_texts()))
            raise RuntimeError("the dispatcher failed")

    seen = []
    database_workspace_set(None)
    with pytest.raises(RuntimeError):
        dispatcher_that_fails_halfway()
    assert seen == [2]
    assert raw_post_texts() == []

    with across_workspaces(reason="outer"):
        with across_workspaces(reason="inner"):
            pass
        assert len(raw_post_texts()) == 2  # the inner block does not end the outer one


def test_a_personal_api_token_works_as_the_app_role_under_the_policies(
    alice, alice_workspace, charlie_workspace, settings, table_owner
):
    from rest_framework.test import APIClient

    from apps.accounts.models import Membership
    from apps.api.services import api_token_create

    build_world(workspace=alice_workspace, owner=alice)
    membership = Membership.objects.get(user=alice, workspace=alice_workspace)
    secret = api_token_create(membership=membership, name="script", role="editor").secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    settings.DATABASE_ROW_LEVEL_SECURITY = True
    role = rls.ensure_app_role()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    try:
        with transaction.atomic():
            response = client.get(f"/api/v1/w/{alice_workspace.slug}/posts/")
        with transaction.atomic():
            outsider = client.get("/api/v1/w/charlie-co/posts/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert response.status_code == 200
    assert [post["id"] for post in response.json()["results"]] == [OBJECT_ID]
    assert outsider.status_code == 404


@pytest.fixture
def suite_as_app_role():
    from conftest import row_level_security_in_tests

    if not row_level_security_in_tests():
        service_required("Row-level security", "set DATABASE_ROW_LEVEL_SECURITY=1 (CI does)")


def test_the_suite_connects_as_the_app_role_which_bypasses_nothing(suite_as_app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, r.rolbypassrls FROM pg_roles r "
            "WHERE r.rolname = current_user"
        )
        assert cursor.fetchone() == (rls.app_role(), False, False)


@override_settings(ROOT_URLCONF=__name__)
def test_a_planted_unscoped_view_answers_only_the_members_rows_in_the_suites_own_setup(
    suite_as_app_role, posts, charlie_client
):
    """No test-only role switch: the suite's own connection, as every other test uses it.
    The first wall (tenancy.py's scoping) is missing from the view; the second holds."""
    leaked = charlie_client.get(f"/w/charlie-co/planted/{posts['alice'].pk}/")
    own = charlie_client.get(f"/w/charlie-co/planted/{posts['charlie'].pk}/")

    assert leaked.status_code == 404
    assert own.content.decode() == "Charlie's"
    # After the request the test's own default (work across workspaces) is back.
    assert raw_post_texts() == ["Alice's", "Charlie's"]


def test_a_request_without_a_workspace_sees_no_workspaces_rows(suite_as_app_role, posts, client):
    """A page outside every workspace (here: the login page) runs with nothing named: a
    raw query there would see no post of anybody's."""
    from django.test.signals import template_rendered

    seen = []

    def count_posts(**kwargs):
        if not seen:
            seen.append(len(raw_post_texts()))

    template_rendered.connect(count_posts)
    try:
        response = client.get("/accounts/login/")
    finally:
        template_rendered.disconnect(count_posts)
    assert response.status_code == 200
    assert seen == [0]


@shared_task(name="tests.rls.posts_seen_by_a_task")
def posts_seen_by_a_task(workspace_id: int | None) -> list[str]:
    if workspace_id is not None:
        workspace_for_task(workspace_id)
    return raw_post_texts()


def test_a_task_sees_only_the_workspace_it_names_and_nothing_before(
    suite_as_app_role, posts, alice_workspace
):
    """Each task runs in its own scope (Celery's task signals), here run inline as a worker
    would: nothing until it names its workspace, then only that one's rows; afterwards the
    caller's own setting is back."""
    assert posts_seen_by_a_task.apply(args=[None]).get() == []
    assert posts_seen_by_a_task.apply(args=[alice_workspace.pk]).get() == ["Alice's"]
    assert raw_post_texts() == ["Alice's", "Charlie's"]
