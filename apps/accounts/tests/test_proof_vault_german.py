import re

from apps.accounts.models import ExpertiseProfile
from apps.accounts.tests.test_views import PROFILE, vault_form


def test_a_case_study_saves_its_optional_german_wording_in_the_vault(
    alice_client, alice, alice_workspace
):
    url = f"/w/{alice_workspace.slug}/settings/profile/"
    response = alice_client.post(
        url,
        {
            **PROFILE,
            **vault_form(
                {
                    "client_type": "logistics scale-up",
                    "action": "Kafka rescue",
                    "results": "lag down from 2h to 3s",
                    "action_de": "Kafka-Cluster gerettet",
                    "results_de": "Verzögerung von 2 h auf 3 s gesenkt",
                },
                {"action": "EKS migration", "results": "-38% spend"},
            ),
        },
    )
    assert response.status_code == 302
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    first, second = profile.case_studies
    assert first["action_de"] == "Kafka-Cluster gerettet"
    assert first["results_de"] == "Verzögerung von 2 h auf 3 s gesenkt"
    assert "problem_de" not in first  # only what was given is stored
    assert not any(name.endswith("_de") for name in second)

    page = alice_client.get(url)
    # shown again for editing, marked as German for the browser's spell checker
    assert re.search(
        r'<textarea[^>]*name="case-0-results_de"[^>]*lang="de"', page.text
    ) or re.search(r'<textarea[^>]*lang="de"[^>]*name="case-0-results_de"', page.text)
    assert "Verzögerung von 2 h auf 3 s gesenkt" in page.text


def test_a_german_wording_alone_is_no_case_study(alice_client, alice, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/profile/",
        {**PROFILE, **vault_form({"results_de": "Kosten um 38 % gesenkt"})},
    )
    assert response.status_code == 200
    assert "Say what you did" in response.text
