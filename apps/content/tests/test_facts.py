import pytest

from apps.accounts.models import ExpertiseProfile
from apps.content import facts


def test_figures_are_normalised_whatever_their_spelling():
    text = "Spend fell 38% in three months; 1,200 pods, 3.5x faster, 2.000 Nodes, 3,5 Stunden."
    assert facts.figures_in(text) == ["38", "3", "1200", "3.5", "2000", "3.5"]


def test_digits_inside_names_are_not_figures():
    assert facts.figures_in("S3, EC2, p99, k8s, OAuth2, GPT-4, HTTP/2 and IPv6") == []


def test_a_number_glued_to_a_size_or_a_length_is_a_figure():
    # "eine 2-TB-Tabelle" stated a size nobody gave where "a 2 TB table" was caught.
    text = "eine 2-TB-Tabelle, a 10-GB limit, an 80-page report, ein 80-Seiten-Bericht"
    assert facts.figures_in(text) == ["2", "10", "80", "80"]
    assert facts.figures_in("SOC-2-Audit, 2-factor login") == []


def test_articles_are_not_counts_but_number_words_are():
    assert facts.figures_in("One thing: a team of twelve, zwei Teams, half the cost") == [
        "12",
        "2",
        "50",
    ]


def test_a_profile_supports_its_years_and_every_figure_in_its_proof_vault():
    profile = {
        "headline": "Cloud architect",
        "years_experience": 14,
        "case_studies": [
            {"client_type": "fintech", "problem": "EKS bill", "results": "spend down 38%"},
            {"title": "Kafka rescue", "outcome": "lag from 2h to 3s"},
        ],
    }
    assert facts.profile_figures(profile) == frozenset({"14", "38", "2", "3"})


def test_unsupported_figures_lists_each_invented_figure_once():
    text = "We cut 38% of spend. The node count fell from 42 to 26, then to 42 again."
    assert facts.unsupported_figures(text, {"38"}) == ["42", "26"]


def test_gaps_are_found_in_both_languages_and_hints_lose_their_brackets():
    en = facts.gap("a cost cut you [led]")
    de = facts.gap("eine Kostensenkung", "de")
    assert en == "[your example: a cost cut you led]"
    assert facts.find_gaps(f"Before. {en} and {de}. After [a normal bracket].") == [en, de]


@pytest.mark.django_db
def test_known_figures_come_from_the_workspace_profiles_only(
    alice, alice_workspace, charlie, charlie_workspace
):
    ExpertiseProfile.objects.filter(workspace=alice_workspace, user=alice).update(
        years_experience=12, case_studies=[{"title": "EKS", "outcome": "-38% spend"}]
    )
    ExpertiseProfile.objects.create(
        workspace=charlie_workspace, user=charlie, years_experience=7, case_studies=[]
    )
    assert facts.known_figures(workspace=alice_workspace) == frozenset({"12", "38"})
    assert facts.known_figures(workspace=alice_workspace, user=alice) == frozenset({"12", "38"})
    assert facts.known_figures(workspace=charlie_workspace) == frozenset({"7"})


def test_a_numbered_list_is_not_a_list_of_figures():
    assert facts.figures_in("Steps:\n1. Measure\n2) Cut 38% of idle nodes") == ["38"]
