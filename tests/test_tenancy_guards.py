"""Charlie should have no access to Alice's stuff — on any URL, now or added later."""

from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from apps.accounts.models import Membership, Workspace
from tests.tenancy_guard import (
    find_unscoped_queries,
    find_unscoped_queries_in_source,
    walk_tenant_urls,
    workspace_owned_model_names,
)

ROOT = Path(__file__).resolve().parent.parent


def alice_object_id(workspace) -> int:
    # A real id of Alice's, so a view that forgets the workspace would find something.
    return Membership.objects.filter(workspace=workspace).order_by("pk").first().pk


def test_every_tenant_url_is_a_404_for_a_member_of_another_workspace(
    charlie_client, alice_workspace
):
    leaks, undeclared = walk_tenant_urls(
        charlie_client,
        workspace_slug=alice_workspace.slug,
        object_id=alice_object_id(alice_workspace),
    )
    assert leaks == []
    assert undeclared == [], "URLs without a workspace slug must be declared non-tenant"


def test_the_walk_covers_the_workspace_urls(charlie_client, alice_workspace):
    from tests.tenancy_guard import is_tenant_route, iter_routes

    tenant_routes = [r.route for r in iter_routes() if is_tenant_route(r)]
    assert "w/<slug:workspace_slug>/settings/members/" in tenant_routes
    assert len(tenant_routes) >= 10


# --- The guards bite -----------------------------------------------------------------------


def leaky_view(request, workspace_slug):
    # Deliberately wrong: looks the workspace up without asking whether the user belongs.
    workspace = Workspace.objects.get(slug=workspace_slug)
    return HttpResponse(workspace.name)


leaky_urlpatterns = [
    path("w/<slug:workspace_slug>/leak/", leaky_view),
    path("", include("techlead.urls")),
]


@override_settings(ROOT_URLCONF=__name__ + "_leaky")
def test_the_url_walk_catches_a_deliberately_unscoped_view(charlie_client, alice_workspace):
    leaks, _ = walk_tenant_urls(
        charlie_client,
        workspace_slug=alice_workspace.slug,
        object_id=alice_object_id(alice_workspace),
    )
    assert [(leak.url, leak.status) for leak in leaks if "leak" in leak.url] == [
        ("/w/alice-co/leak/", 200),
        ("/w/alice-co/leak/", 200),
    ]


undeclared_urlpatterns = [
    path("exports/<int:pk>/", leaky_view),
    path("", include("techlead.urls")),
]


@override_settings(ROOT_URLCONF=__name__ + "_undeclared")
def test_the_url_walk_rejects_a_new_url_without_a_workspace(charlie_client, alice_workspace):
    _, undeclared = walk_tenant_urls(
        charlie_client, workspace_slug=alice_workspace.slug, object_id=1
    )
    assert undeclared == ["exports/<int:pk>/"]


def test_no_view_or_api_module_queries_a_workspace_owned_model_unscoped(db):
    assert find_unscoped_queries(ROOT) == []


def test_the_source_scan_catches_an_unscoped_query(db):
    source = (
        "from apps.accounts.models import Membership\n"
        "from apps.accounts.tenancy import get_owned_or_404\n"
        "def ok(request, pk):\n"
        "    return get_owned_or_404(Membership.objects.select_related('user'),\n"
        "                            workspace=request.workspace, pk=pk)\n"
        "def leaky(request, pk):\n"
        "    return Membership.objects.get(pk=pk)\n"
    )
    problems = find_unscoped_queries_in_source(
        source, "apps/example/views.py", workspace_owned_model_names()
    )
    assert problems == ["apps/example/views.py:7: Membership.objects"]


@pytest.fixture(autouse=True)
def _register_test_urlconfs():
    # override_settings(ROOT_URLCONF=...) needs importable modules; register these lists.
    import sys
    import types

    for suffix, patterns in (
        ("_leaky", leaky_urlpatterns),
        ("_undeclared", undeclared_urlpatterns),
    ):
        module = types.ModuleType(__name__ + suffix)
        module.urlpatterns = patterns
        sys.modules[__name__ + suffix] = module
    yield
    for suffix in ("_leaky", "_undeclared"):
        sys.modules.pop(__name__ + suffix, None)


def test_the_source_scan_reads_every_kind_of_view_module():
    from tests.tenancy_guard import view_and_api_modules

    names = {str(p.relative_to(ROOT)) for p in view_and_api_modules(ROOT)}
    assert {
        "apps/accounts/views.py",
        "apps/content/views.py",
        "apps/linkedin/views.py",
        "apps/content/calendar_views.py",  # *_views.py modules too
        "apps/accounts/data_views.py",
        "apps/api/content_api.py",  # *_api.py modules
    } <= names
    assert not any("/tests/" in name for name in names)
