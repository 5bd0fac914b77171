from datetime import timedelta

import pytest
from django.utils import timezone

from apps.leads import importing, services
from apps.leads.models import Comment, Commenter, Lead, LeadSettings

pytestmark = pytest.mark.django_db

PASTED = """Name: Jordan Lee
Headline: CTO at Freightly
What would it take to get your eyes on our Kafka setup? We're losing events weekly.

Great post!

"""


def test_pasted_comments_are_previewed_with_names_and_headlines():
    rows = importing.parse_pasted(PASTED)
    assert [(r.name, r.headline, r.errors) for r in rows] == [
        ("Jordan Lee", "CTO at Freightly", []),
        ("", "", []),
    ]
    assert rows[0].text.startswith("What would it take")


def test_a_bad_csv_row_is_shown_and_nothing_is_saved(alice_workspace):
    rows = importing.parse_csv("text,name\nCan we talk about your audit offer?,Sam\n,Empty\n")
    assert [bool(r.errors) for r in rows] == [False, True]
    with pytest.raises(importing.CommentImportError, match="nothing was imported"):
        importing.import_comments(workspace=alice_workspace, rows=rows)
    assert not Comment.objects.exists()


def test_a_csv_without_a_text_column_is_explained():
    with pytest.raises(importing.CommentImportError, match="text"):
        importing.parse_csv("comment,name\nhello,x\n")


def test_imported_comments_become_leads_and_importing_twice_stores_once(alice_workspace):
    rows = importing.parse_pasted(PASTED)
    first = importing.import_comments(workspace=alice_workspace, rows=rows)
    again = importing.import_comments(
        workspace=alice_workspace, rows=importing.parse_pasted(PASTED)
    )
    assert len(first) == 2
    assert again == []
    lead = Lead.objects.get()
    assert lead.commenter.name == "Jordan Lee"
    assert any("CTO" in label for label, _points in Comment.objects.get(lead=lead).score_parts)


def test_the_import_page_previews_then_imports(alice_client, alice_workspace):
    preview = alice_client.post("/w/alice-co/leads/import/", {"pasted": PASTED})
    assert "Import 2 comments" in preview.text
    assert not Comment.objects.exists()
    alice_client.post("/w/alice-co/leads/import/", {"pasted": PASTED, "confirm": "1"})
    assert Comment.objects.count() == 2


def test_commenters_past_the_retention_period_are_purged(alice_workspace):
    LeadSettings.objects.create(workspace=alice_workspace, retention_days=30)
    old = Commenter.objects.create(
        workspace=alice_workspace,
        actor_urn="urn:li:person:old",
        last_seen_at=timezone.now() - timedelta(days=31),
    )
    recent = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:new")
    services.purge_expired_commenters()
    services.purge_expired_commenters()
    assert list(Commenter.objects.all()) == [recent]
    assert not Commenter.objects.filter(pk=old.pk).exists()


def test_one_commenters_data_is_exported_and_erased(alice_client, alice_workspace, bob):
    from django.test import Client

    bob_client = Client()
    bob_client.force_login(bob)
    importing.import_comments(workspace=alice_workspace, rows=importing.parse_pasted(PASTED))
    lead = Lead.objects.get()
    export = alice_client.get(f"/w/alice-co/leads/{lead.pk}/export/")
    assert export.json()["commenter"]["name"] == "Jordan Lee"
    assert bob_client.post(f"/w/alice-co/leads/{lead.pk}/erase/").status_code == 403
    alice_client.post(f"/w/alice-co/leads/{lead.pk}/erase/")
    assert not Commenter.objects.filter(name="Jordan Lee").exists()
    assert not Lead.objects.exists()


def test_feedback_becomes_training_examples_for_the_workspace(alice, alice_workspace):
    from apps.leads.selectors import feedback_examples

    importing.import_comments(workspace=alice_workspace, rows=importing.parse_pasted(PASTED))
    praise = Comment.objects.get(text="Great post!")
    services.feedback_record(comment=praise, actor=alice, is_lead=False)
    assert feedback_examples(workspace=alice_workspace) == [("Great post!", "other")]
