import csv
import io

import pytest

from apps.analytics.tests import test_dashboard

pytestmark = pytest.mark.django_db

history = test_dashboard.history  # the same fixture: four posts, five leads


def rows_of(response):
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_posts_export_streams_every_published_post_with_a_header(alice_client, history):
    response = alice_client.get("/w/alice-co/analytics/export/posts.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="alice-co-posts.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][:3] == ["id", "published_at", "framework"]
    assert len(rows) == 1 + 4
    assert {r[6] for r in rows[1:]} == {"1000", "3000", "", "2000"}


def test_leads_export_leaves_out_not_a_lead_and_defuses_formulas(alice_client, history):
    from apps.leads.models import Commenter

    Commenter.objects.filter(actor_urn="urn:li:person:1").update(name="=HYPERLINK(1)")
    rows = rows_of(alice_client.get("/w/alice-co/analytics/export/leads.csv"))
    assert rows[0][0] == "id"
    assert len(rows) == 1 + 4
    assert "'=HYPERLINK(1)" in [r[6] for r in rows]
    assert "not_a_lead" not in [r[2] for r in rows]


def test_a_viewer_may_export(client, history):
    from apps.accounts.models import Role
    from apps.accounts.tests.factories import MembershipFactory, UserFactory

    viewer = UserFactory(email="vera@example.com")
    MembershipFactory(workspace=history, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/w/alice-co/analytics/export/leads.csv").status_code == 200


def test_anonymous_visitors_are_sent_to_login(client, history):
    response = client.get("/w/alice-co/analytics/export/posts.csv")
    assert response.status_code == 302
