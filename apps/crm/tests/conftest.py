import pytest
import responses
from django.utils import timezone

from apps.crm.models import CrmConnection, Provider
from apps.crm.tests.fakes import HUBSPOT_TOKEN, PIPEDRIVE_TOKEN, FakeHubSpot, FakePipedrive
from apps.leads.models import Comment, Commenter, Lead


@pytest.fixture
def crm_mock():
    # Any request the fakes do not know fails the test: nothing reaches the internet.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake_hubspot(crm_mock):
    return FakeHubSpot(crm_mock)


@pytest.fixture
def fake_pipedrive(crm_mock):
    return FakePipedrive(crm_mock)


@pytest.fixture
def hubspot_connection(alice, alice_workspace):
    return CrmConnection.objects.create(
        workspace=alice_workspace,
        provider=Provider.HUBSPOT,
        token=HUBSPOT_TOKEN,
        connected_by=alice,
        stage_map={"qualified": "qualifiedtobuy-custom"},
    )


@pytest.fixture
def pipedrive_connection(alice, alice_workspace):
    return CrmConnection.objects.create(
        workspace=alice_workspace,
        provider=Provider.PIPEDRIVE,
        token=PIPEDRIVE_TOKEN,
        connected_by=alice,
        stage_map={"new": "1", "qualified": "3"},
    )


def make_lead(workspace, *, name="Dana Scully", headline="CTO at Acme GmbH", post=None):
    commenter = Commenter.objects.create(
        workspace=workspace,
        actor_urn=f"urn:li:person:{name.split()[0].lower()}",
        name=name,
        headline=headline,
    )
    lead = Lead.objects.create(
        workspace=workspace, commenter=commenter, score=82, intent="direct_inquiry"
    )
    Comment.objects.create(
        workspace=workspace,
        post=post,
        commenter=commenter,
        lead=lead,
        urn=f"urn:li:comment:{lead.pk}",
        text="We are stuck migrating to Kubernetes, can we talk?",
        score=82,
        intent="direct_inquiry",
        commented_at=timezone.now(),
    )
    return lead
