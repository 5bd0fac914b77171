import importlib

from django.apps import apps

from apps.accounts import proof_vault
from apps.accounts.models import ExpertiseProfile

migration = importlib.import_module("apps.accounts.migrations.0002_proof_vault")


def test_the_migration_turns_title_and_outcome_pairs_into_vault_entries(alice, alice_workspace):
    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(
        case_studies=[
            {"title": "Moved payments to Kubernetes", "outcome": "cut cloud spend 38%"},
            {"title": "", "outcome": ""},
            "not a case study",
        ]
    )
    migration.to_vault(apps, None)
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    assert profile.case_studies == [
        {
            "client_type": "",
            "problem": "",
            "action": "Moved payments to Kubernetes",
            "results": "cut cloud spend 38%",
            "may_name": False,
            "client_name": "",
        }
    ]
    migration.to_vault(apps, None)  # twice changes nothing
    profile.refresh_from_db()
    assert len(profile.case_studies) == 1
    migration.to_pairs(apps, None)
    profile.refresh_from_db()
    assert profile.case_studies == [
        {"title": "Moved payments to Kubernetes", "outcome": "cut cloud spend 38%"}
    ]


def test_a_client_is_named_only_when_it_may_be():
    named = proof_vault.entry_from(
        {"client_type": "fintech", "client_name": "Northwind", "may_name": True, "action": "x"}
    )
    unnamed = proof_vault.entry_from(
        {"client_type": "fintech", "client_name": "Northwind", "may_name": False, "action": "x"}
    )
    assert proof_vault.public_client(named) == "Northwind"
    assert proof_vault.public_client(unnamed) == "fintech"
    assert proof_vault.entry_from({"may_name": True}) is None
