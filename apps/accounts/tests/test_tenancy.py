import pytest
from django.http import Http404
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.accounts.models import Membership, Role
from apps.accounts.tenancy import (
    WorkspaceScopedViewSet,
    get_owned_or_404,
    owned_for_task,
    workspace_for_task,
)

pytestmark = pytest.mark.django_db


def test_a_member_of_another_workspace_gets_404(charlie_client, alice_workspace):
    assert charlie_client.get(f"/w/{alice_workspace.slug}/").status_code == 404


def test_a_workspace_that_does_not_exist_gets_the_same_404(alice_client):
    assert alice_client.get("/w/no-such-workspace/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, alice_workspace):
    response = client.get(f"/w/{alice_workspace.slug}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_editor_is_refused_admin_pages_with_403(bob_client, alice_workspace):
    assert bob_client.get(f"/w/{alice_workspace.slug}/settings/").status_code == 403


def test_get_owned_or_404_hides_another_workspaces_row(alice_workspace, charlie_workspace):
    charlies = Membership.objects.get(workspace=charlie_workspace)
    with pytest.raises(Http404):
        get_owned_or_404(Membership, workspace=alice_workspace, pk=charlies.pk)


def test_task_helpers_rescope_to_the_workspace_they_were_given(alice_workspace, charlie_workspace):
    charlies = Membership.objects.get(workspace=charlie_workspace)
    assert workspace_for_task(alice_workspace.pk) == alice_workspace
    assert workspace_for_task(999_999) is None
    assert owned_for_task(Membership, workspace_id=alice_workspace.pk, pk=charlies.pk) is None
    assert owned_for_task(Membership, workspace_id=charlie_workspace.pk, pk=charlies.pk) == charlies


def test_a_scoped_viewset_may_not_override_get_queryset():
    with pytest.raises(TypeError, match="overrides get_queryset"):

        class Sneaky(WorkspaceScopedViewSet):
            queryset = Membership.objects.all()

            def get_queryset(self):
                return Membership.objects.all()


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "role"]


class MembershipViewSet(WorkspaceScopedViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer

    def list(self, request, *args, **kwargs):
        from rest_framework.response import Response

        return Response(self.get_serializer(self.get_queryset(), many=True).data)


def call_list(user, slug):
    request = APIRequestFactory().get(f"/api/v1/w/{slug}/members/")
    force_authenticate(request, user=user)
    return MembershipViewSet.as_view({"get": "list"})(request, workspace_slug=slug)


def test_a_scoped_viewset_lists_only_its_own_workspaces_rows(
    alice, alice_workspace, charlie_workspace
):
    response = call_list(alice, alice_workspace.slug)
    assert response.status_code == 200
    assert {row["role"] for row in response.data} == {Role.OWNER, Role.EDITOR}
    assert len(response.data) == 2


def test_a_scoped_viewset_answers_404_to_an_outsider(charlie, alice_workspace):
    assert call_list(charlie, alice_workspace.slug).status_code == 404
