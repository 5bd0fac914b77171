"""The checker's reader rules: what a reader would catch in a post signed by the consultant.

Each rule has a bad case that scores 70 or less and a clean case that is not flagged; the
facts are a cloud architect's profile with one case study (the consultant from issue 16)."""

import pytest

from apps.content.facts import profile_figures
from apps.content.linter import MAX_SCORE_WITH_READER_PROBLEM, PostFacts, lint_post

CASE_STUDY = (
    "Payments fintech with 12 engineers: EKS bill down 38% in 6 weeks by rightsizing node "
    "groups and moving batch jobs to spot instances."
)
PROFILE = {
    "headline": "Cloud architect for fintech scale-ups",
    "areas": ["AWS", "Kubernetes", "cloud cost"],
    "industries": ["fintech"],
    "offers": ["cost review"],
    "case_studies": [CASE_STUDY],
    "years_experience": 14,
}
TOPIC = "Karpenter vs Cluster Autoscaler on EKS"
FACTS = PostFacts(
    known_figures=profile_figures(PROFILE),
    areas=tuple(PROFILE["areas"]),
    profile_texts=(PROFILE["headline"], *PROFILE["industries"], *PROFILE["offers"], CASE_STUDY),
    topic=TOPIC,
)

CLEAN = """\
We cut a payments fintech's EKS bill by 38% in six weeks.

No new tool. The team of 12 engineers rightsized node groups and moved batch jobs to spot \
instances.

Karpenter or Cluster Autoscaler mattered less than knowing which pods could be interrupted.

Here is the order we worked in, and I would keep it for any EKS cost review.

First, we asked which workloads could be stopped and started again without anyone noticing. \
Batch jobs could. The payment API could not.

Then we looked at node groups one by one. Most were sized for a launch that never came, and \
nobody had dared to touch them since.

Only after that did we talk about tools. The tool choice is easy once you know your pods.

The finance lead asked me afterwards what the trick was. There was none: patient work with \
the people who own each service, and a spreadsheet we kept honest every Friday.

What did your last EKS cost review find?

#AWS #Kubernetes #FinOps"""


def rules(result) -> set[str]:
    return {finding.rule for finding in result.findings}


def assert_caught(text: str, rule: str, facts: PostFacts | None = FACTS):
    result = lint_post(text, facts=facts)
    assert rule in rules(result), result.findings
    assert result.score <= MAX_SCORE_WITH_READER_PROBLEM
    return result


def test_a_clean_post_with_figures_from_the_proof_vault_is_not_flagged():
    result = lint_post(CLEAN, facts=FACTS)
    assert result.findings == ()
    assert result.score == 100


def test_a_figure_in_no_proof_point_is_flagged_with_its_sentence():
    text = CLEAN.replace(
        "No new tool.", "No new tool. The result: the node count fell from 42 to 26."
    )
    result = assert_caught(text, "unsupported-figure")
    messages = [f.message for f in result.findings if f.rule == "unsupported-figure"]
    assert len(messages) == 2
    assert "42" in messages[0]
    assert "the node count fell from 42 to 26" in messages[0]
    assert "26" in messages[1]


def test_at_most_five_invented_figures_are_listed_first_ones_first():
    invented = " ".join(f"It took {n} days." for n in range(41, 49))
    result = lint_post(CLEAN.replace("No new tool.", invented), facts=FACTS)
    messages = [f.message for f in result.findings if f.rule == "unsupported-figure"]
    assert [message.split()[2] for message in messages] == ["41", "42", "43", "44", "45"]


def test_an_invented_duration_in_words_is_flagged():
    text = CLEAN.replace("No new tool.", "The last upgrade took 40 minutes instead of three weeks.")
    result = assert_caught(text, "unsupported-figure")
    flagged = " ".join(f.message for f in result.findings if f.rule == "unsupported-figure")
    assert "40" in flagged
    assert "3" in flagged


def test_counts_of_the_posts_own_parts_are_not_figures():
    text = CLEAN.replace(
        "No new tool.", "3 lessons from it, and step 2 matters most:\n\n1. Tag\n2. Measure"
    )
    assert "unsupported-figure" not in rules(lint_post(text, facts=FACTS))


@pytest.mark.parametrize(
    "sentence",
    [
        "3 Kubernetes-Fehler, die ich fast jede Woche sehe.",
        "3 platform engineering quick wins you can ship this week.",
        "Heute geht es um die ersten 90 Tage als Fractional CTO.",
        "We passed SOC 2 and moved to Python 3.12 on the way.",
        "[your example: a SOC 2 audit you led]",
        "Since 2016 I have been paged at 3 a.m. more often than I like.",
    ],
)
def test_idioms_names_and_gaps_are_not_invented_figures(sentence):
    text = CLEAN.replace("No new tool.", sentence)
    assert "unsupported-figure" not in rules(lint_post(text, facts=FACTS))


def test_figures_are_not_checked_without_the_workspaces_facts():
    assert "unsupported-figure" not in rules(lint_post(CLEAN.replace("38%", "91%")))


def test_a_repeated_line_is_flagged_once():
    text = CLEAN.replace("No new tool.", "Short version:\n\nNo new tool.\n\nShort version:")
    result = assert_caught(text, "repeated-line", facts=None)
    (finding,) = [f for f in result.findings if f.rule == "repeated-line"]
    assert finding.message == '"Short version:" appears 2 times.'


def test_labels_of_a_parallel_pattern_are_not_repeats():
    text = CLEAN.replace(
        "No new tool.",
        "Myth: spot is risky.\nWhat I see: batch jobs retry.\n\n"
        "Myth: rightsizing is slow.\nWhat I see: it took a week.",
    )
    assert "repeated-line" not in rules(lint_post(text))


def test_a_repeated_sentence_inside_paragraphs_is_flagged():
    sentence = "Idle nodes are the quiet budget killer."
    text = CLEAN.replace("No new tool.", f"{sentence} No new tool. {sentence}")
    assert_caught(text, "repeated-line", facts=None)


def test_two_team_sizes_for_one_client_are_a_contradiction():
    text = CLEAN.replace(
        "No new tool.",
        "I joined a team of 40 at a fintech. It was a fintech company with 12 engineers.",
    )
    result = assert_caught(text, "contradiction", facts=None)
    message = next(f.message for f in result.findings if f.rule == "contradiction")
    assert '"team of 40"' in message
    assert '"12 engineers"' in message


def test_a_company_size_beside_a_team_size_is_not_a_contradiction():
    text = CLEAN.replace(
        "No new tool.", "The bank has 4000 employees. A team of 12 ran the cluster."
    )
    assert "contradiction" not in rules(lint_post(text))


def test_german_team_sizes_that_disagree_are_a_contradiction():
    text = CLEAN.replace(
        "No new tool.", "Ein Team von 40 Leuten. Später sprach ich mit den 12 Entwicklern dort."
    )
    assert_caught(text, "contradiction", facts=None)


def test_a_team_that_grew_is_not_a_contradiction():
    text = CLEAN.replace(
        "No new tool.", "The team grew from 12 to 40 engineers. A team of 12 is enough."
    )
    assert "contradiction" not in rules(lint_post(text))


@pytest.mark.parametrize(
    "slip",
    [
        "The cost is real is nodes idling at low CPU.",
        "We moved the the batch jobs first.",
        "It was a the cheapest fix.",
        "The mistake is hiring full-time for an a few weeks problem.",
    ],
)
def test_the_engines_known_grammar_slips_are_flagged(slip):
    result = assert_caught(CLEAN.replace("No new tool.", slip), "broken-grammar", facts=None)
    assert any(f.fix for f in result.findings if f.rule == "broken-grammar")


@pytest.mark.parametrize(
    "sentence",
    [
        "The question is what is possible in a week.",
        "I knew that that would not last.",
        "Sie sagte, die die Arbeit machen, wissen es.",
        "What is missing is an owner for the bill.",
        "Alert on on-call load, not on errors.",
    ],
)
def test_correct_doubles_are_not_grammar_slips(sentence):
    assert "broken-grammar" not in rules(lint_post(CLEAN.replace("No new tool.", sentence)))


def test_security_hashtags_on_a_cloud_architects_post_are_drift():
    text = CLEAN.replace("#AWS #Kubernetes #FinOps", "#AWS #CyberSecurity #ZeroTrust")
    result = assert_caught(text, "off-profile")
    message = next(f.message for f in result.findings if f.rule == "off-profile")
    assert "#CyberSecurity, #ZeroTrust" in message


def test_a_security_consultant_may_write_about_cloud():
    facts = PostFacts(
        known_figures=FACTS.known_figures,
        areas=("cloud security", "SOC 2"),
        profile_texts=(CASE_STUDY,),
    )
    assert "off-profile" not in rules(lint_post(CLEAN, facts=facts))


def test_warehouse_hashtags_are_the_data_areas_own_and_drift_for_anyone_else():
    text = CLEAN.replace("#AWS #Kubernetes #FinOps", "#AnalyticsEngineering #DataWarehouse")
    result = assert_caught(text, "off-profile")
    message = next(f.message for f in result.findings if f.rule == "off-profile")
    assert "#AnalyticsEngineering, #DataWarehouse" in message
    facts = PostFacts(
        known_figures=FACTS.known_figures,
        areas=("data engineering", "Kafka"),
        profile_texts=(CASE_STUDY,),
    )
    assert "off-profile" not in rules(lint_post(text, facts=facts))


def test_a_post_with_nothing_from_the_profile_is_generic():
    text = (
        "Most teams get this wrong.\n\nThey buy a tool before they know the problem. Then "
        "they wonder why nothing changed.\n\nStart with the problem. Write it down. Ask "
        "the people who feel it.\n\nWhat would you add?"
    )
    assert "generic-post" not in rules(lint_post(text))  # no facts: nothing to compare
    assert_caught(text, "generic-post")


def test_a_post_in_the_vocabulary_of_the_profiles_area_is_not_generic():
    facts = PostFacts(known_figures=frozenset(), areas=("security",))
    text = (
        "Most pentest reports I read list the same finding first.\n\nStart with the "
        "roles nobody has used in a quarter. Remove them. Then look at wildcards.\n\n"
        "What did your last review find?"
    )
    assert "generic-post" not in rules(lint_post(text, facts=facts))


def test_an_unfilled_gap_blocks_publishing():
    text = CLEAN.replace("No new tool.", "[your example: a cost cut you led]")
    result = assert_caught(text, "unfilled-gap", facts=None)
    assert result.has_errors


def test_a_german_gap_is_found_too():
    text = CLEAN.replace("No new tool.", "[Ihr Beispiel: eine Kostensenkung]")
    assert_caught(text, "unfilled-gap", facts=None)


def test_each_reader_finding_says_how_to_fix_it():
    text = (
        "The cost is real is nodes idling.\n\nShort version:\n\nShort version:\n\n"
        "A team of 40 here, 12 engineers there.\n\n[your example: a cost cut you led]\n\n"
        "It fell from 42 to 26.\n\n#CyberSecurity"
    )
    result = lint_post(text, facts=FACTS)
    reader = {f.rule: f.fix for f in result.findings}
    for rule in (
        "broken-grammar",
        "repeated-line",
        "contradiction",
        "unfilled-gap",
        "unsupported-figure",
        "off-profile",
    ):
        assert len(reader[rule]) > 20, rule
    assert result.score <= MAX_SCORE_WITH_READER_PROBLEM


def test_reader_findings_and_their_fixes_are_in_german_for_a_german_user():
    from django.utils import translation

    text = CLEAN.replace("No new tool.", "The node count fell from 42 to 26.")
    with translation.override("de"):
        result = lint_post(text, facts=FACTS)
    finding = next(f for f in result.findings if f.rule == "unsupported-figure")
    assert finding.message.startswith("Die Zahl 42")
    assert finding.fix.startswith("Wenn sie stimmt")


def test_the_prompt_for_the_model_carries_the_reader_rules():
    from apps.content.linter import rules_for_prompt

    prompt = rules_for_prompt()
    assert "Never repeat a line" in prompt
    assert "one team size per client" in prompt
    assert "own areas" in prompt
    assert '"the the"' in prompt


def test_the_figures_of_the_topic_the_user_typed_count_as_given():
    text = CLEAN.replace("No new tool.", "We ran 40 upgrades in a year.")
    assert "unsupported-figure" in rules(lint_post(text, facts=FACTS))
    facts = FACTS.with_topic("5 lessons from 40 EKS upgrades")
    assert facts.topic == "5 lessons from 40 EKS upgrades"
    assert "unsupported-figure" not in rules(lint_post(text, facts=facts))
    assert PostFacts().with_topic("40 upgrades").known_figures is None  # still unchecked


def test_mlops_words_are_an_mlops_leads_own_and_drift_for_anyone_else():
    text = CLEAN.replace("#AWS #Kubernetes #FinOps", "#MLOps #ModelMonitoring").replace(
        "Only after that did we talk about tools.",
        "Only after that did we talk about the model registry, the feature store and "
        "monitoring. Monitoring of inputs first, monitoring of predictions second.",
    )
    result = assert_caught(text, "off-profile")
    message = next(f.message for f in result.findings if f.rule == "off-profile")
    assert "#MLOps, #ModelMonitoring" in message
    facts = PostFacts(
        known_figures=FACTS.known_figures,
        areas=("MLOps",),
        profile_texts=(CASE_STUDY,),
    )
    assert "off-profile" not in rules(lint_post(text, facts=facts))
