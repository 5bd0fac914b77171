"""No transaction around every request (ATOMIC_REQUESTS is off): a tenant view runs in the one
`workspace_view` opens (the workspace named to the database inside it), the API's workspace
endpoints in the one WorkspaceTransaction opens, a view that calls the network holds none
while it runs, and pages outside a workspace hold none at all.

These tests use real transactions (no test-case transaction around them), so what a view
sees is what it would see when served."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.accounts import tenancy
from apps.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def named(monkeypatch):
    """Each time the workspace is named to the database: (workspace id, inside a transaction)."""
    calls = []
    name = tenancy.database_workspace_set

    def record(workspace_id, **kwargs):
        calls.append((workspace_id, connection.in_atomic_block))
        return name(workspace_id, **kwargs)

    monkeypatch.setattr(tenancy, "database_workspace_set", record)
    return calls


def test_a_tenant_view_runs_in_one_transaction_that_names_its_workspace(
    alice, alice_workspace, named
):
    seen = []

    @tenancy.workspace_view()
    def page(request):
        seen.append(connection.in_atomic_block)
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = alice
    page(request, workspace_slug=alice_workspace.slug)
    assert seen == [True]
    assert (alice_workspace.pk, True) in named
    assert not connection.in_atomic_block  # committed and closed when the view returned


def test_a_view_that_calls_the_network_holds_no_transaction_and_names_the_workspace_per_block(
    alice, alice_workspace, named
):
    seen = []

    @tenancy.workspace_view(atomic=False)
    def reply(request):
        seen.append(connection.in_atomic_block)  # here it would call LinkedIn
        with tenancy.workspace_atomic(request.workspace.pk, user_id=request.user.pk):
            seen.append(connection.in_atomic_block)
        return HttpResponse()

    request = RequestFactory().post("/")
    request.user = alice
    reply(request, workspace_slug=alice_workspace.slug)
    assert seen == [False, True]
    # Once for the membership, once for the write block: each inside its own transaction.
    assert named.count((alice_workspace.pk, True)) == 2
    assert all(inside for _, inside in named)


def test_the_health_check_holds_no_transaction(client, monkeypatch):
    from apps.core import views

    seen = []

    def health():
        seen.append(connection.in_atomic_block)
        return {}

    monkeypatch.setattr(views, "platform_health", health)
    assert client.get("/healthz").status_code == 200
    assert seen == [False]


def test_an_api_endpoint_runs_in_a_transaction_and_an_error_answer_rolls_it_back(
    alice, alice_workspace
):
    seen = []

    class Probe(tenancy.WorkspaceTransaction, APIView):
        def post(self, request):
            seen.append(connection.in_atomic_block)
            AuditEvent.objects.create(workspace=alice_workspace, action="probe.written")
            if request.data.get("fail"):
                raise ValidationError("refused")
            return Response({})

    factory = APIRequestFactory()
    for fail, status in ((True, 400), (False, 200)):
        request = factory.post("/", {"fail": fail}, format="json")
        force_authenticate(request, user=alice)
        assert Probe.as_view()(request).status_code == status
    assert seen == [True, True]
    assert AuditEvent.objects.filter(action="probe.written").count() == 1  # the 400 left none
