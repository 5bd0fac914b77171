"""Charlie should have no access to Alice's stuff — on any URL, now or added later, whether
he knocks on Alice's workspace or sends Alice's ids to his own."""

import sys
import textwrap
import types
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.test import override_settings
from django.urls import include, path

from apps.accounts.models import Membership, Workspace
from apps.accounts.tenancy import workspace_view
from tests.security_world import OBJECT_ID, arm_victim, build_world, workspace_fingerprint
from tests.tenancy_guard import (
    CROSS_TENANT,
    NON_TENANT_ROUTES,
    NON_TENANT_URLCONFS,
    cross_workspace_references,
    find_cross_tenant_work_outside_across_workspaces,
    find_unscoped_queries,
    find_unscoped_queries_in_source,
    is_tenant_route,
    iter_routes,
    scanned_modules,
    stale_cross_tenant_entries,
    tenant_models,
    walk_as_member_of_another_workspace,
    walk_tenant_urls,
)

ROOT = Path(__file__).resolve().parent.parent


def alice_object_id(workspace) -> int:
    # A real id of Alice's, so a view that forgets the workspace would find something.
    return Membership.objects.filter(workspace=workspace).order_by("pk").first().pk


# --- Outsider: Charlie asks for Alice's workspace -----------------------------------------


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
    tenant_routes = [r.route for r in iter_routes() if is_tenant_route(r)]
    assert "w/<slug:workspace_slug>/settings/members/" in tenant_routes
    assert len(tenant_routes) >= 10


# --- Insider: Charlie sends Alice's ids to his own workspace ------------------------------


@pytest.fixture
def victim(alice, alice_workspace):
    """Alice's rows at OBJECT_ID, marked, and a fingerprint of everything she owns."""
    world = build_world(workspace=alice_workspace, owner=alice)
    markers = arm_victim(world)
    return markers, lambda: workspace_fingerprint(alice_workspace.pk)


def walk_as_charlie(client, victim, **kwargs):
    markers, fingerprint = victim
    charlie_co = Workspace.objects.get(slug="charlie-co")
    alice_co = Workspace.objects.get(slug="alice-co")
    return walk_as_member_of_another_workspace(
        client,
        own_slug="charlie-co",
        object_id=OBJECT_ID,
        victim_markers=markers,
        victim_fingerprint=fingerprint,
        references=lambda: cross_workspace_references(
            attacker_workspace_id=charlie_co.pk, victim_workspace_id=alice_co.pk
        ),
        **kwargs,
    )


def test_no_tenant_url_of_charlies_own_workspace_reaches_alices_rows_by_id(
    charlie_client, victim, first_wall_only
):
    # The first wall must hold by itself: with the database's policies on, a view's leak
    # would be hidden here (apps/core/tests/test_row_level_security.py proves that wall).
    leaks, sent = walk_as_charlie(charlie_client, victim)

    assert leaks == []
    assert sent > 300  # every tenant URL, each method, with and without Alice's ids


def planted_path_read(request, pk):
    from apps.content.models import Post

    return HttpResponse(Post.objects.get(pk=pk).text)


def planted_query_read(request):
    from apps.leads import models

    commenter = models.Commenter.objects.filter(pk=request.GET.get("commenter")).first()
    return HttpResponse(commenter.name if commenter else "")


def planted_body_write(request):
    from django.apps import apps

    if request.method == "POST":
        Lead = apps.get_model("leads", "Lead")
        Lead._default_manager.filter(pk=request.POST.get("lead")).update(notes="mine now")
    return HttpResponse("ok")


def planted_foreign_link(request):
    from apps.content.models import Post, PostTemplate

    if request.method == "POST":
        template = PostTemplate.objects.filter(pk=request.POST.get("template")).first()
        Post.objects.create(
            workspace=request.workspace, author=request.user, text="mine", template=template
        )
    return HttpResponse("ok")


def planted_existence_oracle(request, pk):
    from apps.content.models import PostTemplate

    get_object_or_404(PostTemplate, pk=pk)  # says nothing, but a 302 instead of a 404
    return redirect("/")


planted_urlpatterns = [
    path(
        "w/<slug:workspace_slug>/planted/",
        include(
            [
                path("path/<int:pk>/", workspace_view()(planted_path_read)),
                path("query/", workspace_view()(planted_query_read)),
                path("body/", workspace_view()(planted_body_write)),
                path("link/", workspace_view()(planted_foreign_link)),
                path("oracle/<int:pk>/", workspace_view()(planted_existence_oracle)),
            ]
        ),
    ),
    path("", include("techlead.urls")),
]


@override_settings(ROOT_URLCONF=__name__ + "_planted")
def test_the_insider_walk_catches_views_that_trust_an_id_from_path_query_or_body(
    charlie_client, victim, first_wall_only
):
    leaks, _ = walk_as_charlie(charlie_client, victim, only=lambda route: "planted" in route.route)

    caught = {(leak.url.split("/planted/")[1].split("/")[0], leak.method) for leak in leaks}
    assert {
        ("path", "GET"),
        ("query", "GET"),
        ("body", "POST"),
        ("link", "POST"),
        ("oracle", "GET"),
    } <= caught
    reasons = " ".join(leak.why for leak in leaks)
    assert "shows" in reasons
    assert "changed ['leads/lead']" in reasons
    assert "links to the victim's ['content.Post.template']" in reasons
    assert "answers differently from a missing id" in reasons


# --- Routes: non-tenant only when listed by name, with a reason ---------------------------


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
    # Beside declared routes, under prefixes that used to be waved through as a whole.
    path("app/exports/<int:pk>/", leaky_view, name="app_export"),
    path("staff/exports/", leaky_view, name="staff_export"),
    path("api/v1/auth/whoever/", leaky_view, name="auth_whoever"),
    path("", include("techlead.urls")),
]


@override_settings(ROOT_URLCONF=__name__ + "_undeclared")
def test_the_url_walk_rejects_a_new_url_without_a_workspace_wherever_it_is(
    charlie_client, alice_workspace
):
    _, undeclared = walk_tenant_urls(
        charlie_client, workspace_slug=alice_workspace.slug, object_id=1
    )
    assert undeclared == [
        "exports/<int:pk>/",
        "app/exports/<int:pk>/",
        "staff/exports/",
        "api/v1/auth/whoever/",
    ]


def test_every_declared_non_tenant_route_exists_and_says_why():
    names = {route.name for route in iter_routes() if not is_tenant_route(route)}
    assert set(NON_TENANT_ROUTES) <= names
    assert all(reason.strip() for reason in NON_TENANT_ROUTES.values())
    assert all(reason.strip() for reason in NON_TENANT_URLCONFS.values())


# --- The source scan ----------------------------------------------------------------------


def test_no_module_under_apps_queries_a_workspace_model_unscoped(db):
    assert find_unscoped_queries(ROOT) == []


def test_every_cross_tenant_excuse_is_still_needed_and_says_why(db):
    assert stale_cross_tenant_entries(ROOT) == []
    assert all(reason.strip() for entries in CROSS_TENANT.values() for reason in entries.values())


def test_every_declared_cross_tenant_query_runs_inside_across_workspaces(db):
    """Under row-level security the database answers a query across workspaces only inside
    tenancy.across_workspaces(); a dispatcher that forgets it would silently do nothing."""
    assert find_cross_tenant_work_outside_across_workspaces(ROOT) == []


DISPATCHERS = """
from apps.accounts.tenancy import across_workspaces
from apps.content.models import Post

def forgetful_dispatcher(now):
    return list(Post.objects.filter(scheduled_at__lte=now))

def careful_dispatcher(now):
    with across_workspaces(reason="beat dispatcher"):
        return list(Post.objects.filter(scheduled_at__lte=now))

def _due(now):
    return list(Post.objects.filter(scheduled_at__lte=now))

def dispatcher_that_calls_a_helper(now):
    with across_workspaces(reason="beat dispatcher"):
        return _due(now)
"""

A_CALLER_OUTSIDE = """
from apps.content import dispatchers

def a_view_that_calls_the_helper_directly(request):
    return dispatchers._due(None)
"""


def test_the_scan_catches_a_declared_dispatcher_that_forgets_across_workspaces(
    db, tmp_path, monkeypatch
):
    module = tmp_path / "apps" / "content" / "dispatchers.py"
    module.parent.mkdir(parents=True)
    module.write_text(DISPATCHERS)
    monkeypatch.setitem(
        CROSS_TENANT,
        "apps/content/dispatchers.py",
        dict.fromkeys(("forgetful_dispatcher", "careful_dispatcher", "_due"), "beat dispatcher"),
    )

    problems = find_cross_tenant_work_outside_across_workspaces(tmp_path)
    assert [problem.split(": ", 2)[-1] for problem in problems] == [
        "Post.objects in forgetful_dispatcher runs outside across_workspaces()"
    ]

    # A helper is fine only while every caller enters the block: one more caller that does
    # not, anywhere under apps/, and the helper's query is reported too.
    (tmp_path / "apps" / "content" / "views.py").write_text(A_CALLER_OUTSIDE)
    problems = find_cross_tenant_work_outside_across_workspaces(tmp_path)
    assert [problem.split(": ", 2)[-1] for problem in problems] == [
        "Post.objects in forgetful_dispatcher runs outside across_workspaces()",
        "Post.objects in _due runs outside across_workspaces()",
    ]


def test_the_scan_knows_every_model_with_a_workspace_column(db):
    labels = {model.label for model in tenant_models().values()}
    # Not WorkspaceOwned, but they carry a workspace: the scan must see them.
    assert {"content.PostTemplate", "accounts.AuditEvent", "accounts.Workspace"} <= labels
    assert {"content.Post", "leads.Lead", "webhooks.WebhookEndpoint"} <= labels


def test_the_scan_reads_every_module_under_apps():
    names = {str(p.relative_to(ROOT)) for p in scanned_modules(ROOT)}
    assert {
        "apps/accounts/views.py",
        "apps/content/calendar_views.py",
        "apps/api/content_api.py",
        "apps/content/selectors.py",
        "apps/leads/services.py",
        "apps/accounts/forms.py",
        "apps/api/serializers.py",
        "apps/content/tasks.py",
    } <= names
    assert not any("/tests/" in name or "/migrations/" in name for name in names)


PLANTED = {
    "direct": "from apps.content.models import Post\n"
    "def leaky(request, pk):\n"
    "    return Post.objects.get(pk=pk)\n",
    "shortcut": "from django.shortcuts import get_object_or_404\n"
    "from apps.content.models import Post\n"
    "def leaky(request, pk):\n"
    "    return get_object_or_404(Post, pk=pk)\n",
    "import alias": "from apps.content.models import Post as P\n"
    "def leaky(request, pk):\n"
    "    return P.objects.filter(pk=pk)\n",
    "module attribute": "from apps.content import models\n"
    "def leaky(request, pk):\n"
    "    return models.Post.objects.get(pk=pk)\n",
    "module alias": "import apps.content.models as cm\n"
    "def leaky(request, pk):\n"
    "    return cm.Post.objects.get(pk=pk)\n",
    "relative import": "from .models import Post\n"
    "def leaky(request, pk):\n"
    "    return Post.objects.get(pk=pk)\n",
    "meta manager": "from apps.content.models import Post\n"
    "def leaky(request, pk):\n"
    "    return Post._meta.default_manager.get(pk=pk)\n",
    "default manager": "from apps.content.models import Post\n"
    "def leaky(request):\n"
    "    return Post._default_manager.filter(pk=request.GET['post'])\n",
    "get_model": "from django.apps import apps\n"
    "def leaky(request, pk):\n"
    "    return apps.get_model('content', 'Post').objects.get(pk=pk)\n",
    "get_model label": "from django.apps import apps\n"
    "def leaky(request, pk):\n"
    "    return apps.get_model('content.Post')\n",
    "local alias": "from apps.content.models import Post\n"
    "Model = Post\n"
    "def leaky(request, pk):\n"
    "    return Model.objects.get(pk=pk)\n",
    "not WorkspaceOwned": "from apps.content.models import PostTemplate\n"
    "from apps.accounts.models import AuditEvent\n"
    "def leaky(request, pk):\n"
    "    return PostTemplate.objects.get(pk=pk), AuditEvent.objects.all()\n",
    "workspace itself": "from apps.accounts.models import Workspace\n"
    "def leaky(request, slug):\n"
    "    return Workspace.objects.get(slug=slug)\n",
}


@pytest.mark.parametrize("form", PLANTED)
@pytest.mark.parametrize(
    "module",
    [
        "apps/content/views.py",
        "apps/content/selectors.py",
        "apps/leads/services.py",
        "apps/content/forms.py",
        "apps/api/serializers.py",
    ],
)
def test_the_source_scan_catches_an_unscoped_query_in_any_form_in_any_module(db, form, module):
    problems = find_unscoped_queries_in_source(PLANTED[form], module)

    assert problems, f"{form} in {module} went unnoticed"
    assert all(problem.startswith(f"{module}:") for problem in problems)


def test_the_source_scan_lets_scoped_queries_through(db):
    source = textwrap.dedent(
        """
        from apps.accounts.tenancy import get_owned_or_404, owned
        from apps.content.models import Post, PostTemplate
        from django.db.models import Q

        def ok(request, pk):
            a = get_owned_or_404(Post.objects.select_related("author"),
                                 workspace=request.workspace, pk=pk)
            b = owned(Post, workspace=request.workspace).get(pk=pk)
            c = Post.objects.filter(workspace=request.workspace).get(pk=pk)
            d = Post.objects.select_related("author").filter(workspace_id=1, pk=pk)
            e = Post.objects.filter(pk=a.pk).update(status="draft")  # a row already held
            f = PostTemplate.objects.filter(Q(workspace=request.workspace) | Q(workspace=None))
            g = Post.objects.bulk_create([])
            return a, b, c, d, e, f, g
        """
    )
    assert find_unscoped_queries_in_source(source, "apps/content/views.py") == []


def test_a_planted_module_in_any_app_fails_the_scan(db, tmp_path):
    for app in ("leads", "webhooks"):
        planted = tmp_path / "apps" / app / "planted.py"
        planted.parent.mkdir(parents=True)
        planted.write_text(PLANTED["import alias"])

    assert [problem.split(":")[0] for problem in find_unscoped_queries(tmp_path)] == [
        "apps/leads/planted.py",
        "apps/webhooks/planted.py",
    ]


def test_a_declared_cross_tenant_function_is_let_through_and_nothing_else(db, monkeypatch):
    source = (
        "from apps.content.models import Post\n"
        "def dispatch(now):\n"
        "    return Post.objects.filter(scheduled_at__lte=now)\n"
        "def leaky(request, pk):\n"
        "    return Post.objects.get(pk=pk)\n"
    )
    monkeypatch.setitem(CROSS_TENANT, "apps/content/example.py", {"dispatch": "beat dispatcher"})

    problems = find_unscoped_queries_in_source(source, "apps/content/example.py")

    assert problems == ["apps/content/example.py:5: Post.objects in leaky"]


@pytest.fixture(autouse=True)
def _register_test_urlconfs():
    # override_settings(ROOT_URLCONF=...) needs importable modules; register these lists.
    lists = {
        "_leaky": leaky_urlpatterns,
        "_undeclared": undeclared_urlpatterns,
        "_planted": planted_urlpatterns,
    }
    for suffix, patterns in lists.items():
        module = types.ModuleType(__name__ + suffix)
        module.urlpatterns = patterns
        sys.modules[__name__ + suffix] = module
    yield
    for suffix in lists:
        sys.modules.pop(__name__ + suffix, None)
