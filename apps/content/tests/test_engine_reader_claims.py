"""What a reader still minded: lines claiming what a client did with no vault entry behind
them (a tool switch among them), and advice about running tools on a post comparing two
standards."""

import re
from itertools import pairwise

import pytest

from apps.content import engine, facts
from apps.content.engine.library import framework_depth, slots_in
from apps.content.engine.phrases import OWN_MISTAKE_GAPS
from apps.content.engine.truth import (
    Switch,
    switch_in,
    tells_a_story,
    tells_a_switch,
    vault_texts,
)
from apps.content.engine.vocabulary import fits_comparison, german_tool_name, truthful_lexicon
from apps.content.generation import ProfileSnapshot, plan_week
from apps.content.tests.test_engine_reader import AUDITOR, TOPICS, drafts
from apps.content.tests.test_library_claims import expansions
from tests.bench.test_bench_generation import DEMO

# Phrasing that tells what one client did or went through. Only a line carrying the vault's
# own story (its slots) may say such a thing; anything else is advice or opinion.
CLIENT_CLAIMS = re.compile(
    r"\bder Kunde (?:ist|hat|war)\b|\bden der Kunde\b|\bdie der Kunde\b|"
    r"\bthe client(?:'s leadership)? (?:chose|accepted|took|made|had|was)\b|"
    r"\bclient's leadership\b|\bthey already are\b|\bnext up for them\b|"
    r"\bno (?:heroics|outage|rollback panic|weekend war room)\b|"
    r"\bthe team (?:stopped|got its|sleeps)\b|"
    # A switch: "A client moved from …", "We replaced …", "Ein Kunde ist von … gewechselt",
    # "… durch … ersetzt", "Switching tools is rarely worth it. This time it was."
    r"\b(?:a|one|the) client (?:moved|switched|migrated|replaced)\b|"
    r"\bwe (?:replaced|moved|migrated|switched)\b|\bmigrating from\b|"
    r"\bwhy (?:they|we) (?:moved|switched|migrated)\b|\bwhat the switch \{?(?:took|cost)\b|"
    r"\bthis time it was\b|\bein Kunde ist\b[^.?!]*\bgewechselt\b|"
    r"\bdurch\b[^.?!:]*\b(?:ersetzt|abgelöst)\b|\bdiesmal schon\b|"
    r"\bwas der Wechsel gekostet hat\b|"
    # The client's starting point told with the area's words: a metric they did not track, what
    # their team had been doing, what someone on it said or did, the size they were.
    r"\bnobody tracked\b|\bvon niemandem gemessen\b|\bthe team had been\b|\bdas Team hatte\b|"
    r"\ba senior engineer (?:raised|pushed)\b|\bthe call started with\b|\bdas Gespräch begann\b|"
    r"\bat their size\b|\bwe were moving fast\b|\bwir waren schnell\b|"
    # The area's tools told as the client's or the consultant's: what a plan moved them to, what
    # the next step was not about, what the consultant brings to each client.
    r"\bmy plan was\b|\bmove them to\b|\bwas not about\b|\bging es nicht um\b|"
    r"\bdepending on the client\b|\bje nach Kunde\b",
    re.IGNORECASE,
)
VAULT_SLOTS = ("{case_title}", "{case_outcome}", "{win}", "{switch_from}", "{switch_to}")
# Embellishments a line adds around the vault's own result are claims as well.
EMBELLISHMENTS = re.compile(
    r"\bpaid (?:back|for itself)\b|\beveryone noticed\b|\blonger than it should have\b|"
    r"länger gedauert als nötig|\bless straightforward\b|\bwent quickly\b|progress was steady|"
    # and so is what a switch cost: no vault field records it
    r"\bpart-time work\b|\bpainful week\b|\brunning both\b|\brewriting the runbooks\b|"
    r"\bArbeit nebenher\b|\banstrengende Woche\b|\bbeiden Systemen parallel\b|"
    # and so is a judgement of the client's team, or of how the project went, that no vault
    # field records: what they were, knew, felt, flagged or got to late
    r"\bthe team was (?:capable|small)\b|\bdas Team klein\b|\boutgrown its decisions\b|"
    r"\bnobody had made a bad call\b|\bmade for a smaller company\b|\beveryone knew\b|"
    r"\bcosting them customers\b|\bnobody (?:had flagged|connected) it\b|\bin any ticket\b|"
    r"\bfar too long to connect\b|\bden Zusammenhang zu erkennen\b|\bjust as real\b|"
    r"\bwhat the numbers don't show\b|\bgot to it far too late\b|\bpaid for the delay\b|"
    r"\bviel zu spät dazu\b|\bspät angepackt und dafür bezahlt\b|"
    r"\bDie Technik war der einfache\b|\bbrauchte neue Technik\b",
    re.IGNORECASE,
)


def library_lines():
    for spec in engine.load_library():
        for language in ("en", "de"):
            for part in spec.parts(language):
                yield from part
    for framework in {spec.framework for spec in engine.load_library()}:
        for language in ("en", "de"):
            yield from framework_depth(framework, language)


def test_no_library_line_claims_what_a_client_did_without_the_vault_behind_it():
    claims = [
        line
        for line in library_lines()
        if CLIENT_CLAIMS.search(line) and not any(slot in line for slot in VAULT_SLOTS)
    ]
    assert claims == []


def test_a_line_telling_the_vaults_result_adds_no_claim_of_its_own():
    embellished = [line for line in library_lines() if EMBELLISHMENTS.search(line)]
    assert embellished == []


def test_the_client_claim_scan_would_catch_the_lines_readers_found():
    for line in (
        "Der Kompromiss, den der Kunde eingegangen ist: A statt B.",
        "No heroics. Small, reversible steps.",
        "Would they do it again? They already are, on data.",
        "A client moved from {tool_b} to {tool_a}. Was it worth it?",
        "We replaced {tool_b} with {tool_a}. The results after {timeframe}.",
        "Switching tools is rarely worth it. This time it was.",
        "Migrating from {tool_b} to {tool_a}: what nobody tells you.",
        "{The trigger|Why they moved}: {pain}.",
        "What the switch {took|cost}:\n- {timeframe} of part-time work",
        "Ein Kunde ist von {tool_b} zu {tool_a} gewechselt. Hat es sich gelohnt?",
        "{tool_b} durch {tool_a} ersetzt. Die Ergebnisse, {timeframe} später.",
        "Ein Tool-Wechsel lohnt sich selten. Diesmal schon.",
        "Was der Wechsel gekostet hat:\n- {timeframe} Arbeit nebenher",
    ):
        assert CLIENT_CLAIMS.search(line), line
    for line in (
        "- one painful week of running both\n- rewriting the runbooks",
        "- eine anstrengende Woche mit beiden Systemen parallel",
    ):
        assert EMBELLISHMENTS.search(line), line
    # A question to the reader claims nothing: it stays.
    assert not CLIENT_CLAIMS.search("Have you switched tools recently? Worth it?")
    assert not CLIENT_CLAIMS.search("Kein Werkzeug ersetzt diesen Schritt.")


def test_the_scans_would_catch_the_starting_points_readers_found():
    for line in (
        "The starting point:\n- {pain}\n- {metric} nobody tracked",
        "Die Ausgangslage:\n- {pain}\n- {metric}: von niemandem gemessen",
        "The team had been {mistake} for a while.",
        "Das Team hatte alles versucht. Außer der langweiligen Lösung.",
        "A senior engineer pushed back. Their constraint: {pain}.",
        "The call started with “We think we need a rewrite.”",
        "It made sense at their size then. What I missed: {pain}.",
        "We were moving fast, the team was small, and {tool_a} made it easy.",
    ):
        assert CLIENT_CLAIMS.search(line), line
    for line in (
        "The starting point was familiar: {pain}. The team was capable. The system had simply "
        "outgrown its decisions.",
        "Nobody had made a bad call. The calls were just made for a smaller company.",
        "Nobody said it out loud, but everyone knew: {pain} was costing them customers.",
        "Then a detail: {pain}. Nobody had flagged it. It wasn't in any ticket.",
        "Then came the symptom: {pain}. Nobody connected it to the decision at first.",
        "Wir waren schnell, das Team klein.",
        "Es hat zu lange gedauert, den Zusammenhang zu erkennen.",
        "Harder to measure, just as real: fewer pages at night.",
        "What the numbers don't show: a team that sleeps through the night.",
        "The biggest one is the first. We got to it far too late.",
        "Wir haben ihn spät angepackt und dafür bezahlt.",
        "Die Technik war der einfache Teil.",
    ):
        assert EMBELLISHMENTS.search(line), line


def test_a_trade_off_in_a_german_story_reads_as_advice():
    german = "\n".join(framework_depth("story", "de"))
    assert "Ein Kompromiss, der sich oft lohnt:" in german
    assert "den der Kunde eingegangen ist" not in german


@pytest.mark.parametrize(
    "line",
    [
        "Switching tools is rarely worth it. This time it was.",
        "Ein Tool-Wechsel lohnt sich selten. Diesmal schon.",
        "Pick {tool_a} when:\n- your team already runs it",
        "Tool-Debatten sind billig. Ein Tool jahrelang zu betreiben nicht.",
        "A client moved from {tool_b} to {tool_a}. Was it worth it?",
        "Was nutzt Ihr Team, und würden Sie es wieder wählen?",
        "Von {tool_b} zu {tool_a}: was Ihnen vorher niemand sagt.",
    ],
)
def test_lines_about_running_tools_fit_tools_only(line):
    assert fits_comparison(line, "tool")
    assert not fits_comparison(line, "standard")
    assert not fits_comparison(line, "approach")


def test_the_names_of_the_compared_things_do_not_count_as_tool_talk():
    assert fits_comparison("{tool_a} or {tool_b}? Wrong question, mostly.", "standard")
    assert fits_comparison("Anything at all.", None)


@pytest.fixture(scope="module")
def standards_drafts():
    profile = ProfileSnapshot(**{**AUDITOR.__dict__})
    topics = ("SOC 2 vs ISO 27001 for a seed-stage startup",)
    return [
        post
        for language in ("en", "de")
        for post in drafts(profile, language=language, topics=topics, seeds=(0, 1, 2, 3))
    ]


def test_a_standards_comparison_gets_none_of_the_tool_comparison_lines(standards_drafts):
    tool_talk = (
        "Switching tools",
        "Tool debates",
        "Tool-Debatten",
        "Tool-Wechsel",
        "Werkzeugwechsel",
        "tool switches",
        "in production",
        "moving parts",
        "bewegliche Teile",
        "keep the tool",
        "bleibt das Werkzeug",
        "vendor slides",
        "Herstellerfolien",
    )
    compared = [p for p in standards_drafts if p.framework == "tool-comparison"]
    assert compared
    for post in compared:
        assert post.template_key != "tool-comparison/we-switched"
        for phrase in tool_talk:
            assert phrase not in post.text, (phrase, post.text)


def test_two_tools_still_get_the_tool_comparison_lines():
    profile = ProfileSnapshot(**{**AUDITOR.__dict__, "areas": ["Kubernetes"], "case_studies": []})
    texts = [
        post.text
        for post in drafts(profile, topics=("Karpenter vs Cluster Autoscaler",), seeds=(0, 1, 2, 3))
        if post.framework == "tool-comparison"
    ]
    lines = ("Pick Karpenter when", "Tool debates", "Comparing tools", "in production")
    assert any(line in text for text in texts for line in lines)


def test_the_consultants_process_is_told_as_a_whole_list():
    # Its steps once named "a 30-minute call" and "three priorities": figures nobody gave, so
    # the truth check cut them and left "1. Then we fix the first one together" alone.
    posts = [
        post
        for language in ("en", "de")
        for post in drafts(AUDITOR, language=language, topics=TOPICS[1:], seeds=range(12))
        if post.template_key == "behind-the-scenes/how-i-work"
    ]
    assert posts
    for post in posts:
        steps = [line for line in post.text.split("\n") if re.match(r"^(?:[→•—✓\-]|\d+\.)\s", line)]
        assert len(steps) >= 4, post.text


def test_a_bridge_never_announces_the_plain_topic_line():
    # "Short version:" followed by "A few thoughts on access reviews nobody does." says nothing.
    from apps.content.engine.phrases import BRIDGES, TOPIC_LINES

    for language in ("en", "de"):
        bridges = {b for tone in BRIDGES[language].values() for b in tone}
        openings = tuple(line.split("{topic}")[0] for line in TOPIC_LINES[language])
        for post in drafts(AUDITOR, language=language, seeds=range(6)):
            blocks = post.text.split("\n\n")
            for before, after in pairwise(blocks):
                if before.strip() in bridges:
                    assert not after.startswith(openings), post.text


def test_a_case_study_tells_what_changed_without_a_story_the_truth_check_cuts():
    posts = [
        post
        for post in drafts(AUDITOR, seeds=range(8))
        if post.template_key == "case-study/before-after-numbers"
    ]
    stories = [
        post
        for post in drafts(AUDITOR, seeds=range(8))
        if post.template_key == "story/case-study-story"
    ]
    assert posts
    assert stories
    for story in stories:
        # "What we did, in order:" was cut as an untold story, leaving the tips unlabelled
        assert "What I would do first in a setup like that, in order:" in story.text
    for post in posts:
        # The library's tips are advice, not what was done for the client: only the vault says that
        assert "What I would change first in a setup like that, in order:" in post.text
        assert "a team that wanted it" not in post.text


def test_a_hook_under_the_topic_label_goes_on_in_lower_case():
    hooks = [post.hook for post in drafts(AUDITOR, seeds=range(6))]
    assert not any(re.search(r"^[^\n:]+: (?:People|Last) ", hook) for hook in hooks)
    assert any(re.search(r"^[^\n:]+: people ask", hook) for hook in hooks)


def test_years_of_experience_are_only_claimed_in_the_profiles_own_areas():
    from apps.content.generation import FRAMEWORKS, GenerationRequest, ProfileSnapshot
    from apps.content.generation import generate_post as write
    from apps.content.generation import load_library as library

    auditor = ProfileSnapshot(
        name="Lena",
        headline="Security auditor for healthcare software",
        areas=["security audits", "compliance"],
        years_experience=12,
        industries=["healthcare"],
        offers=["HIPAA gap assessments"],
        case_studies=[],
        tone="direct",
        language="en",
    )
    templates = library()
    texts = [
        write(
            GenerationRequest(
                profile=ProfileSnapshot(**{**auditor.__dict__, "language": lang}),
                topic="on-call without burnout",
                framework=f,
                seed=s,
            ),
            templates=templates,
            backend="template",
        ).text
        for lang in ("en", "de")
        for f in FRAMEWORKS
        for s in range(4)
    ]
    joined = "\n".join(texts)

    assert "12 years" in joined or "12 Jahre" in joined  # the background line is still told
    assert not re.search(r"(?i)12 (?:years|Jahren?)[^.\n]*observability", joined)


def _bridged(posts):
    """(bridge, the block after it) for each draft that opens its body with a bridge."""
    from apps.content.engine.phrases import BRIDGES

    bridges = {b for language in BRIDGES for tone in BRIDGES[language].values() for b in tone}
    for post in posts:
        blocks = post.text.split("\n\n")
        for before, after in pairwise(blocks):
            if before.strip() in bridges:
                yield before.strip(), after, post


def test_a_bridge_promising_numbers_is_followed_by_a_number():
    # "Numbers first." over a paragraph of advice promises what the post never gives.
    analytical = ProfileSnapshot(**{**AUDITOR.__dict__, "tone": "analytical", "case_studies": []})
    promises = ("Numbers first.", "Look at the numbers.", "Erst die Zahlen.", "Die Zahlen zuerst.")
    bridged = [
        found
        for language in ("en", "de")
        for found in _bridged(drafts(analytical, language=language, seeds=range(8)))
    ]
    assert bridged  # the tone still opens some drafts with a bridge
    for bridge, after, post in bridged:
        if bridge in promises:
            assert facts.figures_in(after), post.text


def test_a_name_with_a_digit_is_no_figure_a_numbers_bridge_can_promise():
    from apps.content.engine.rendering import bridge_fits

    assert bridge_fits("Numbers first.", "Spend fell 38% in a quarter.", tells_story=False)
    assert not bridge_fits("Numbers first.", "Move the logs to S3 and watch p99.", False)
    assert not bridge_fits("Die Zahlen zuerst.", "Erst EC2, dann OAuth2.", False)
    assert bridge_fits("Short version:", "Move the logs to S3.", False)


def test_a_bridge_saying_what_worked_comes_only_before_the_consultants_own_story():
    # "No theory. Just what worked." over advice claims results nobody reported.
    no_vault = ProfileSnapshot(**{**AUDITOR.__dict__, "tone": "direct", "case_studies": []})
    claims = ("No theory. Just what worked.", "Keine Theorie, nur was funktioniert hat.")
    for language in ("en", "de"):
        posts = drafts(no_vault, language=language, seeds=range(8))
        bridges = [bridge for bridge, _after, _post in _bridged(posts)]
        assert bridges
        assert not set(bridges) & set(claims)


# Promises the consultant never made: material to send ("Comment “details” and I'll send
# it": there may be no write-up) and capacity ("room for one more engagement this quarter").
UNMADE_PROMISES = re.compile(
    r"\bI'll send\b|\bschicke ich\b|\bich schicke\b|\broom for one more\b|\bthis quarter\b|"
    r"\beach quarter\b|\bdieses Quartal\b|\bjedes Quartal\b|\bfreie Kapazität\b",
    re.IGNORECASE,
)


def test_no_library_line_promises_material_or_capacity_the_profile_never_gave():
    assert [line for line in library_lines() if UNMADE_PROMISES.search(line)] == []


def test_the_unmade_promise_scan_would_catch_the_lines_readers_found():
    for line in (
        "Want the full write-up? Comment “details” and I'll send it.",
        "I have room for one more {offer} engagement this quarter.",
        "I take on a few {offer} engagements each quarter.",
        "Ich übernehme jedes Quartal einige {offer}-Mandate.",
    ):
        assert UNMADE_PROMISES.search(line)


# --- A tool switch is the consultant's own story ----------------------------------------------

SWITCH_TOPICS = ("Karpenter vs Cluster Autoscaler", "Kubernetes cost", "slow CI pipelines", None)
JENKINS_TO_ACTIONS = {
    "client_type": "SaaS scale-up",
    "problem": "40-minute builds that blocked every merge",
    "action": "Moved CI from Jenkins to GitHub Actions",
    "results": "build time 40 min → 9 min",
    "may_name": False,
    "client_name": "",
}


def comparisons(profile, *, language, topics, seeds=range(16)):
    """Tool-comparison drafts: the framework "Why a client switched" belongs to."""
    profile = ProfileSnapshot(**{**profile.__dict__, "language": language})
    library = engine.load_library()
    return [
        engine.write_post(
            engine.GenerationRequest(
                profile=profile, topic=topic, framework="tool-comparison", seed=seed
            ),
            library,
        )
        for topic in topics
        for seed in seeds
    ]


def switch_template_keys():
    return {spec.key for spec in engine.load_library() if tells_a_switch(spec)}


@pytest.mark.parametrize(
    ("notes", "switch"),
    [
        ("Moved CI from Jenkins to GitHub Actions", Switch("Jenkins", "GitHub Actions")),
        ("Replaced Cluster Autoscaler with Karpenter", Switch("Cluster Autoscaler", "Karpenter")),
        ("Migrated Jenkins to GitHub Actions in six weeks", Switch("Jenkins", "GitHub Actions")),
        ("CI von Jenkins auf GitHub Actions umgestellt", Switch("Jenkins", "GitHub Actions")),
        ("Jenkins durch GitHub Actions ersetzt", Switch("Jenkins", "GitHub Actions")),
        ("Jenkins durch GitHub Actions abgelöst", Switch("Jenkins", "GitHub Actions")),
        ("Von Jenkins zu GitHub Actions gewechselt", Switch("Jenkins", "GitHub Actions")),
        # a switch whose tools the notes do not name: told, but no tool named for it
        ("Moved batch jobs to Karpenter-managed spot nodes", Switch()),
        ("Replaced nightly batch loads with change data capture", Switch()),
        ("Datenbank nach Aurora migriert", Switch()),
        # no switch at all
        ("rebuilt the access review and risk register in five weeks", None),
        ("Rebuilt the reporting pipeline on Kafka", None),
    ],
)
def test_a_switch_is_read_from_the_case_studys_own_notes(notes, switch):
    assert switch_in(notes) == switch


def test_the_switch_template_is_known_by_the_vault_slots_it_names():
    assert switch_template_keys() == {"tool-comparison/we-switched"}


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_profile_without_a_switch_in_its_vault_never_gets_a_switch_story(language):
    no_vault = ProfileSnapshot(**{**AUDITOR.__dict__, "areas": ["Kubernetes"], "case_studies": []})
    # AUDITOR's own case study tells of an audit passed, not of a switch
    posts = [
        *comparisons(no_vault, language=language, topics=SWITCH_TOPICS),
        *comparisons(AUDITOR, language=language, topics=SWITCH_TOPICS),
        *drafts(no_vault, language=language, topics=SWITCH_TOPICS[:2], seeds=range(4)),
    ]
    assert any(post.framework == "tool-comparison" for post in posts)
    for post in posts:
        assert post.template_key not in switch_template_keys(), post.text
        assert not CLIENT_CLAIMS.search(post.text), post.text
        assert not EMBELLISHMENTS.search(post.text), post.text


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_switch_in_the_vault_is_told_with_its_own_tools_trigger_and_result(language):
    profile = ProfileSnapshot(
        **{**AUDITOR.__dict__, "areas": ["CI/CD"], "case_studies": [JENKINS_TO_ACTIONS]}
    )
    # topics that name neither tool: the names come from the vault
    topics = ("slow CI pipelines", "deploying on Fridays", None)
    posts = comparisons(profile, language=language, topics=topics)
    told = [post for post in posts if post.template_key in switch_template_keys()]

    assert told, "a vault recording a switch can be told as one"
    for post in told:
        assert "Jenkins" in post.text, post.text
        assert "GitHub Actions" in post.text, post.text
        assert "40 min → 9 min" in post.text, post.text  # its own result
        known = engine.post_figures(profile, post.topic)
        assert facts.unsupported_figures(post.text, known) == [], post.text
        assert not EMBELLISHMENTS.search(post.text), post.text
        assert not re.search(r"(?i)a few weeks|einige Wochen|this time it was", post.text)
    hooks = "\n".join(post.hook for post in told)
    # the hook names the vault's tools
    assert "Jenkins" in hooks
    assert "GitHub Actions" in hooks


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_switch_whose_tools_the_vault_does_not_name_names_none_in_the_hook(language):
    spot = {
        **JENKINS_TO_ACTIONS,
        "problem": "an EKS bill doubling every quarter",
        "action": "Moved batch jobs to Karpenter-managed spot nodes",
        "results": "cut compute spend 38% in 4 months",
    }
    profile = ProfileSnapshot(
        **{**AUDITOR.__dict__, "areas": ["Kubernetes"], "case_studies": [spot]}
    )
    posts = comparisons(profile, language=language, topics=("Kubernetes cost", None))
    told = [post for post in posts if post.template_key in switch_template_keys()]

    assert told
    for post in told:
        assert "batch jobs to Karpenter-managed spot nodes" in post.text, post.text
        assert "38%" in post.text, post.text
        # never a pair of the vocabulary's tools as what the client moved between
        assert not re.search(
            r"(?i)\b(?:moved|migrating) from\b|\breplaced \S+ with\b|\bvon \S+ zu\b", post.hook
        ), post.hook
        assert not CLIENT_CLAIMS.search(post.hook), post.hook


# --- A story's starting point is the case study's problem, or is not told ---------------------

# Two case studies with only what was done and its result, as many vaults hold them.
NO_PROBLEM = DEMO
EKS_BILL = {
    "client_type": "Series B fintech",
    "problem": "an EKS bill doubling every quarter",
    "problem_de": "eine EKS-Rechnung, die sich jedes Quartal verdoppelte",
    "action": "Right-sized the EKS node groups and put batch work on spot capacity",
    "results": "cut compute spend 38% in 4 months",
    "may_name": False,
    "client_name": "",
}
# Where a story says how the client's situation was at the start ("The trigger" is a switch's).
STARTING_POINT = re.compile(
    r"\bstarting point\b|\bsituation at the start\b|\bwhere it started\b|\bAusgangspunkt\b|"
    r"\bAusgangslage\b|\bthe trigger\b|\bwhat set it off\b|\bDer Auslöser\b|\btheir constraint\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(?:[→•—✓\-]|\d+\.)\s")


def story_drafts(profile, *, language, topics, seeds):
    """Drafts of the frameworks that tell the consultant's own story, a switch among them."""
    profile = ProfileSnapshot(**{**profile.__dict__, "language": language})
    library = engine.load_library()
    posts = [
        engine.write_post(
            engine.GenerationRequest(profile=profile, topic=topic, framework=framework, seed=seed),
            library,
        )
        for topic in topics
        for framework in (*sorted(engine.STORY_FRAMEWORKS), "tool-comparison")
        for seed in seeds
    ]
    return [
        post
        for post in posts
        if post.framework in engine.STORY_FRAMEWORKS or post.template_key in switch_template_keys()
    ]


def area_pains(language):
    """Every pain the vocabulary holds, in any area: what a story would invent for a client."""
    keys = [*engine.AREAS, None]
    return {pain.lower() for key in keys for pain in truthful_lexicon(key, language).pains}


def one_item_lists(text):
    """The blocks of a draft that hold a list of a single item."""
    blocks = text.split("\n\n")
    return [b for b in blocks if sum(bool(_LIST_ITEM.match(line)) for line in b.split("\n")) == 1]


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_case_study_without_a_problem_gets_no_starting_point_in_any_story(language):
    topics = ("Kubernetes migration", "data pipelines", None)
    posts = story_drafts(NO_PROBLEM, language=language, topics=topics, seeds=range(10))
    pains = area_pains(language)

    # A story with no case study on its topic leaves a gap, as it always did; the others are
    # the vault's.
    told = [post for post in posts if not facts.find_gaps(post.text)]
    assert len(told) > len(posts) / 2
    for post in told:
        assert "38%" in post.text or "9 hours" in post.text, post.text
        low = post.text.lower()
        assert not STARTING_POINT.search(post.text), post.text
        assert [pain for pain in pains if pain in low] == [], post.text
        assert not re.search(r"(?i)nobody tracked|von niemandem gemessen", post.text), post.text
        assert not EMBELLISHMENTS.search(post.text), post.text
        # the story still reads: no list left with a single item
        assert one_item_lists(post.text) == [], post.text


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_case_studys_problem_is_the_starting_point_a_story_tells(language):
    profile = ProfileSnapshot(
        **{**NO_PROBLEM.__dict__, "areas": ["Kubernetes"], "case_studies": [EKS_BILL]}
    )
    problem = EKS_BILL["problem_de" if language == "de" else "problem"]
    topics = ("Kubernetes cost", "Kubernetes migration")
    posts = story_drafts(profile, language=language, topics=topics, seeds=range(10))
    pains = area_pains(language)

    starts = [
        line for post in posts for line in post.text.split("\n") if STARTING_POINT.search(line)
    ]
    assert starts, "the stories tell where the client started"
    for line in starts:
        assert problem in line, line
        assert [pain for pain in pains if pain in line.lower()] == [], line
    for post in posts:
        assert not re.search(r"(?i)nobody tracked|von niemandem gemessen", post.text), post.text
        assert not EMBELLISHMENTS.search(post.text), post.text
    before_after = [p for p in posts if p.template_key == "case-study/before-after-numbers"]
    assert before_after
    label = "Die Ausgangslage" if language == "de" else "The starting point"
    assert any(f"{label}: {problem}." in post.text for post in before_after)


# --- A story names only the tools its case study or topic names --------------------------------

# A tool told as what someone did, beyond the client claims above: "The usual first reflex:
# add Karpenter" in the client's story, "What I bring: Karpenter and Kubecost".
TOOL_TOLD = re.compile(r"\breflex\b|\bwhat I bring\b", re.IGNORECASE)
# A story's template line naming the area's tools speaks of nobody: no "I", "we", "they" or
# client in it, the list of what teams get wrong ("adding {tool_a} before anyone owns the
# problem") being one.
STORY_VOICE = re.compile(
    r"\b(?:I|my|me|we|our|us|they|them|their|client|ich|mein\w*|mir|wir|uns\w*|Kunden?)\b",
    re.IGNORECASE,
)
# In a draft, advice around a tool speaks as the consultant too ("A decision I often have to
# explain: managed EKS …"): what tells a story there is what was, or what someone did.
PAST_VOICE = {
    "en": re.compile(
        r"\b(?:was|were|wasn't|weren't|had|did|went)\b|\b(?:we|they) \w+ed\b", re.IGNORECASE
    ),
    # "was" is German for "what"
    "de": re.compile(r"\b(?:war|waren|hatte|hatten|ging|gingen)\b|\bwir \w+(?:te|ten)\b"),
}
_QUOTED = re.compile(r"[“„\"][^”“\"]*[”“\"]")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")


def sentences(text):
    for line in text.split("\n"):
        yield from _SENTENCE_END.split(_LIST_ITEM.sub("", line))


def vocabulary_tools():
    """Every tool any area's vocabulary names, as English and German drafts spell it."""
    pairs = [pair for area in [*engine.AREAS.values(), engine.GENERAL] for pair in area.tools]
    return {name for pair in pairs for tool in pair for name in (tool, german_tool_name(tool))}


def unsourced_tools(sentence, tools, told):
    """The tools a sentence names that neither the vault nor the topic (in `told`) names."""
    return [
        tool
        for tool in tools
        if tool.lower() not in told
        and re.search(rf"(?<![\w-]){re.escape(tool)}(?![\w-])", sentence, re.IGNORECASE)
    ]


def test_the_scans_would_catch_the_story_tools_readers_found():
    for line in (
        "My plan was textbook: move them to {tool_a}, {clean up|tidy} {topic}.",
        "{What followed|The next step} was not about {tool_a} or {tool_b}. It was about one "
        "decision: we {fix}.",
        "Danach ging es nicht um {tool_a} oder {tool_b}, sondern um eine Entscheidung: {fix}.",
        "Tools:\n- {tool_a} and {tool_b}, depending on the client",
        "Werkzeuge:\n- {tool_a} und {tool_b}, je nach Kunde",
    ):
        assert CLIENT_CLAIMS.search(line), line
    assert TOOL_TOLD.search("The usual first reflex: add {tool_a}, more meetings.")
    # Advice naming a tool stays: it tells nobody's story.
    for line in (
        "- {buying|adding} {tool_a} before anyone owns the problem",
        "- {tool_a}, eingeführt, bevor jemand das Problem verantwortet",
    ):
        assert not CLIENT_CLAIMS.search(line)
        assert not TOOL_TOLD.search(line)
        assert not STORY_VOICE.search(line)


def test_a_story_line_naming_the_areas_tools_tells_nobodys_story():
    # "My plan was textbook: move them to {tool_a}", "The next step was not about {tool_a} or
    # {tool_b}", "{tool_a} and {tool_b}, depending on the client": no vault names those tools.
    told = [
        (spec.key, text)
        for spec in engine.load_library()
        if tells_a_story(spec)
        for language in ("en", "de")
        for part in spec.parts(language)
        for line in part
        if {"tool_a", "tool_b"} & slots_in(line)
        for text in expansions(line)
        if CLIENT_CLAIMS.search(text) or TOOL_TOLD.search(text) or STORY_VOICE.search(text)
    ]
    assert told == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_story_names_a_tool_of_the_areas_as_what_the_client_or_consultant_did(language):
    tools = vocabulary_tools()
    topics = ("Kubernetes cost", "data pipelines", "access reviews nobody does", None)
    seen = 0
    for profile in (DEMO, AUDITOR):
        vault = " ".join(vault_texts(ProfileSnapshot(**{**profile.__dict__, "language": language})))
        for post in story_drafts(profile, language=language, topics=topics, seeds=range(8)):
            told = f"{vault} {post.topic}".lower()
            for sentence in sentences(post.text):
                if not unsourced_tools(sentence, tools, told):
                    continue
                seen += 1
                said = _QUOTED.sub("", sentence)
                assert not CLIENT_CLAIMS.search(said), (sentence, post.text)
                assert not TOOL_TOLD.search(said), (sentence, post.text)
                assert not PAST_VOICE[language].search(said), (sentence, post.text)
    assert seen, "stories still give advice that names the area's tools"


# --- A consultant's own mistake is theirs to tell ---------------------------------------------

# Lines that tell a mistake, a regretted piece of advice or a past call as the consultant's own:
# what they tell it with is theirs to give, never one of the area's lessons ("What I did:
# shipping every workload without resource requests" was nobody's).
OWN_MISTAKE = re.compile(
    r"\bwhat I did\b|\bthe mistake I made\b|\bmy most expensive\b|\bI was wrong\b|"
    r"\bI still made\b|\bdecision I regret\b|\badvice I gave\b|\bmy advice a few years ago\b|"
    r"\bthe option I picked\b|\bmein teuerster\b|\bich lag\b|\bden ich gemacht habe\b|"
    r"\bist mir dieser Fehler\b|\bstill make the same call\b",
    re.IGNORECASE,
)
# The slots that hold the area's mistakes and decisions, in templates and depth paragraphs.
VOCABULARY_CHOICES = frozenset(
    {"mistake", "alternative", "decision", "example_mistake", "other_alternative", "other_decision"}
)
# The labels a draft tells the consultant's own mistake under.
OWN_MISTAKE_LABEL = re.compile(
    r"^(?:The mistake|What I did|Der Fehler|My advice a few years ago|The option I picked back "
    r"then)$",
    re.IGNORECASE,
)
# The labels that tell one of the area's mistakes as another's, beside the consultant's own.
OTHERS_MISTAKE_LABEL = re.compile(
    r"^(?:A close cousin of this mistake|Ein naher Verwandter dieses Fehlers)$"
)


def framework_drafts(profile, *, framework, language, topics, seeds):
    profile = ProfileSnapshot(**{**profile.__dict__, "language": language})
    library = engine.load_library()
    return [
        engine.write_post(
            engine.GenerationRequest(profile=profile, topic=topic, framework=framework, seed=seed),
            library,
        )
        for topic in topics
        for seed in seeds
    ]


def vocabulary_mistakes(language):
    """Every mistake and every option that looks safe in any area's vocabulary, lower-case."""
    lexicons = [truthful_lexicon(key, language) for key in [*engine.AREAS, None]]
    mistakes = {mistake for lexicon in lexicons for mistake, _fix in lexicon.lessons}
    options = {option for lexicon in lexicons for _better, option, _why in lexicon.decisions}
    return {text.lower() for text in mistakes | options}


def labelled(text, told):
    """(label, value) for each sentence of a draft stating one of `told` after a label."""
    for sentence in sentences(text):
        parts = sentence.split(": ")
        for at in range(1, len(parts)):
            value = ": ".join(parts[at:]).rstrip(".").lower()
            if value in told:
                yield parts[at - 1].strip(), value


def test_the_scan_would_catch_the_own_mistakes_readers_found():
    for line in (
        "{The mistake|What I did}: {mistake}.",
        "My most expensive {area} mistake.",
        "My advice a few years ago: {alternative}. Today I'd say the opposite.",
        "The option I picked back then: {alternative}. It took {timeframe} to undo.",
        "The trade-off is real: {other_decision} instead of {other_alternative} costs you some "
        "freedom. {I'd still make the same call.|It's still the right call most of the time.}",
        "Mein teuerster {area}-Fehler.",
        "Der Fehler, den ich gemacht habe, damit Sie ihn nicht machen müssen.",
    ):
        assert any(OWN_MISTAKE.search(text) for text in expansions(line)), line
    # The area's mistakes told as what teams get wrong stay.
    for line in (
        "I've watched teams {mistake}.",
        "{What usually sits behind a finding like that|The usual cause}: {mistake}.",
        "A close cousin of this mistake: {example_mistake}.",
    ):
        assert not any(OWN_MISTAKE.search(text) for text in expansions(line)), line


def test_no_line_tells_a_mistake_or_decision_of_the_areas_as_the_consultants_own():
    told_as_own = [
        text
        for line in library_lines()
        if VOCABULARY_CHOICES & slots_in(line)
        for text in expansions(line)
        if OWN_MISTAKE.search(text)
    ]
    assert told_as_own == []


def test_a_template_telling_the_consultants_own_mistake_tells_none_of_the_areas():
    # "My most expensive mistake" over "The mistake: {mistake}" told a lesson of the vocabulary
    # as the consultant's; "The decision I regret most" over "The tempting recommendation:
    # {alternative}" an option of it.
    told_as_own = []
    for spec in engine.load_library():
        for language in ("en", "de"):
            hooks, body, _ctas = spec.parts(language)
            lines = [*hooks, *body]
            if any(OWN_MISTAKE.search(line) for line in lines):
                told_as_own += [
                    (spec.key, line) for line in lines if VOCABULARY_CHOICES & slots_in(line)
                ]
    assert told_as_own == []


def test_the_consultants_own_mistake_is_one_line_of_a_story_body():
    holding = []
    for spec in engine.load_library():
        for language in ("en", "de"):
            hooks, body, ctas = spec.parts(language)
            assert not any("own_mistake" in slots_in(line) for line in [*hooks, *ctas]), spec.key
            own = [line for line in body if "own_mistake" in slots_in(line)]
            assert len(own) <= 1, spec.key
            if own:
                assert spec.framework in engine.STORY_FRAMEWORKS, spec.key
                holding.append(spec.key)
    assert "mistake/my-expensive-mistake" in holding


@pytest.mark.parametrize("language", ["en", "de"])
def test_with_a_case_study_no_mistake_draft_tells_a_vocabulary_mistake_as_the_consultants_own(
    language,
):
    mistakes = vocabulary_mistakes(language)
    topics = ("Kubernetes cost", "data pipelines", "access reviews nobody does", None)
    posts = [
        post
        for profile in (DEMO, AUDITOR)
        for post in framework_drafts(
            profile, framework="mistake", language=language, topics=topics, seeds=range(12)
        )
    ]
    for post in posts:
        for label, mistake in labelled(post.text, mistakes):
            assert not OWN_MISTAKE_LABEL.match(label), (label, mistake, post.text)
            if OWN_MISTAKE.search(post.hook):
                # beside the consultant's own mistake, one of the area's is another's
                assert OTHERS_MISTAKE_LABEL.match(label), (label, mistake, post.text)
        assert len(facts.find_gaps(post.text)) <= 1, post.text
    # The consultant's own mistake is still told: with a case study, as the one gap.
    own = OWN_MISTAKE_GAPS[language].split(" {topic}")[0]
    assert any(own in gap for post in posts for gap in facts.find_gaps(post.text))


def test_a_post_nobody_asked_a_framework_for_never_waits_for_the_consultants_own_mistake():
    # A planned week, or a draft with no framework asked for, can be approved as written once
    # the vault holds the consultant's stories: their own mistake only they can give. Only the
    # mistake templates to choose from, so the one telling it would often be chosen.
    mistakes = [spec for spec in engine.load_library() if spec.framework == "mistake"]
    own = {spec.key for spec in mistakes if engine.tells_own_mistake(spec)}
    assert own == {"mistake/my-expensive-mistake"}
    posts = [
        *(
            engine.write_post(engine.GenerationRequest(profile=DEMO, seed=seed), mistakes)
            for seed in range(12)
        ),
        *plan_week(DEMO, count=4, seed=0, templates=mistakes),
    ]
    assert {post.framework for post in posts} == {"mistake"}
    assert [post.template_key for post in posts if post.template_key in own] == []


# --- No hook or line invents an episode of the consultant's work -----------------------------

# A specific episode told as the consultant's or a client's with no vault entry behind it: a
# superlative of work they led, a page of a review, a person who said or did something, a day of
# an engagement, a number the team put on its wall. Advice and observation say none of these.
EPISODES = re.compile(
    r"\b(?:fastest|slowest|biggest|worst|best|hardest)\b[^.?!]*\bI (?:ever )?(?:led|ran|did"
    r"|saw|heard|helped|had)\b|\bbei dessen Einstellung ich\b|"
    r"\b(?:on|auf) (?:page|Seite) \d+|\b(?:the line|die Zeile) (?:on|auf) (?:page|Seite)\b|"
    r"\bI (?:almost|nearly) (?:missed|skipped)\b|\bwould have been the\b|\bit would have cost\b|"
    r"\bonce told me\b|\bdisagreed with me\b|\bsaved the project\b|\bBest sentence I heard\b|"
    r"\b(?:Day|Tag) \d+ (?:of|eines) (?:a|einem)? ?new|\bTag \d+ eines\b|\bI opened the\b|"
    r"\bthe team's wall\b|\bFirst change: we\b|\btold me more about this\b|"
    r"\bI got the technology right\b|\bDie (?:Technik|Reihenfolge) war (?:richtig|falsch)\b|"
    # A decision of the area's told as one the consultant or the client's team made, and what
    # it cost them: "We picked the first", "The team picked {decision}", "What we gave up".
    r"\b(?:we|the team) (?:picked|chose|went with|went boring|stayed boring)\b|"
    r"\bwhat we gave up\b|\bthe trade-off we accepted\b|\bwe wrote (?:it|that) down\b|"
    r"\bflexibility we didn't need\b|\bour \{?area\}? stack\b|\bBest call of the year\b|"
    r"\bwir uns für\b[^.?!]*\bentschieden haben\b|\bUnsere Wahl\b|\bdie wir noch nicht\b|"
    r"\bWir haben es aufgeschrieben\b|\bdie wir von Hand\b|"
    # The area's mistake and fix told as what a client was doing and what was done about it.
    r"\bthey were \{mistake\}|\bwhat we did\b|\bwe cut \w+ projects\b|\bDie Diagnose war\b|"
    r"\bWas sich geändert hat: \{fix\}|\bHere's a real one\b|\bHier ist eine echte\b|"
    # A biography nobody gave: why and when the consultant went independent.
    r"\bI went independent\b|\bI left a permanent role\b|\breason I became\b|"
    r"\bGoing independent taught me\b|\bFor (?:years|a long time) I\b|"
    r"\bbest decision I've made\b|\bsame choice again\b|"
    # The area's tips told as hindsight from the vault's project.
    r"\bmy latest one\b|\bHier ist meine neueste\b|\bNext time I would\b|"
    r"\bNächstes Mal würde ich\b|"
    # How often the consultant hears or sees something, and what they once believed.
    r"\b(?:almost|nearly) every first call\b|\bin (?:most|many) first calls\b|"
    r"\bjedem Erstgespräch\b|\bI've believed\b|\bIch alle drei\b|\bhalf of these\b|"
    r"\bteams I've seen\b|\bI've seen it more than once\b|\bwhat I see at clients\b|"
    r"\bwas ich bei Kunden sehe\b|\bI hear most in intro calls\b|"
    r"\bin Erstgesprächen am häufigsten\b|"
    r"\bfrom the same kind of project\b|\baus derselben Art Projekt\b|"
    # A time of night is a figure nobody gave.
    r"\bat \d{1,2}(?::\d\d)? ?[ap]\.?m\b|\bum \d{1,2} Uhr\b",
    re.IGNORECASE,
)
# A line naming the area's metric beside the project's story ties a number nobody gave to it.
METRIC_SLOTS = frozenset({"metric", "other_metric"})
PROJECT_SLOTS = frozenset({"fix", "win", "case_title", "case_outcome", "case_at"})
FORTY_MINUTES = ProfileSnapshot(
    **{
        **AUDITOR.__dict__,
        "areas": ["CI/CD", "security audits"],
        "case_studies": [JENKINS_TO_ACTIONS],
    }
)


def test_the_episode_scan_would_catch_the_lines_readers_found():
    for line in (
        "The fastest {area} migration I led was the one where we went slowest in month one.",
        "On page 40 of a {area} review I nearly skipped one line.",
        "If you'd like me to look for the line on page 40 in your setup, my DMs are open.",
        "I almost missed it in the {area} review. It would have been the expensive one.",
        "The finding that didn't look like much, and what it would have cost.",
        "The engineer who disagreed with me saved the project.",
        "A CTO once told me my advice was wrong. He was right.",
        "“That won't work here.” Best sentence I heard all quarter.",
        "Day 3 of a new engagement. I opened the {area} setup and stopped.",
        "Tag 3 eines neuen Projekts. Ich öffne das {area}-Setup und halte inne.",
        "One number told me more about this {area} setup than the whole architecture diagram.",
        "As soon as {metric} is on the team's wall, the conversation changes. First change: we "
        "{fix}.",
        "The best {role} I ever helped hire had the weakest CV in the pile.",
        "Der beste {role}, bei dessen Einstellung ich geholfen habe, hatte den schwächsten "
        "Lebenslauf.",
        "I got the technology right and the order wrong.",
        "Die Technik war richtig. Die Reihenfolge war falsch.",
    ):
        assert EPISODES.search(line), line
    # Advice and observation stay.
    for line in (
        "The fastest {area} migrations are the ones that go slowest in their first month.",
        "The engineer who disagrees with the plan often saves the project.",
        "The best client meetings are the ones where the consultant loses the argument.",
        "The line everyone skims in a {area} review is the one I read twice.",
        "Once that number is on a team's wall, the conversation changes.",
    ):
        assert not EPISODES.search(line), line


def test_the_episode_scan_would_catch_the_decisions_biographies_and_frequencies_found():
    found = (
        "{decision} or {alternative}? We picked the first. Here's the reasoning.",
        "{We chose|The decision}: {decision}. || {We went with|The team picked} {decision}.",
        "{The trade-off we accepted|What we gave up}: a few edge cases, handled by hand.",
        "We picked the boring option. {Best call of the year.|No regrets.}",
        "{decision} oder {alternative}? Unsere Wahl und die Begründung.",
        "Der Preis dafür: Flexibilität, die wir noch nicht brauchten.",
        "^ {The diagnosis wasn't technical.|It wasn't a skills problem.} They were {mistake}.",
        "{What we did|What changed}: we {fix}.",
        "Was sich geändert hat: {fix}.",
        "- A roadmap review: we cut two projects and kept one",
        "Why I left a permanent role to work with many {area} teams instead of one.",
        "{years} years in, I went independent. Here's what changed.",
        "^ {It's the best decision I've made.|I'd make the same choice again.}",
        "Every project leaves a list of “next time”. Here's my latest one.",
        "Next time I would:\n- {tip1}\n- {tip2}\n- {tip3}",
        "Nächstes Mal würde ich:\n- {tip1}",
        "Three {area} myths I hear in almost every first call.",
        "Drei {area}-Mythen, die ich in fast jedem Erstgespräch höre.",
        "Which of these have you believed at some point? I've believed all three.",
        "{In most|In many} first calls, half of these get a shrug.",
        "{In the best teams I've seen|In good teams}: day one or two.",
        "- What happens when it breaks at 3 a.m.?",
        "The myth I hear most in intro calls: {other_myth}.",
        "A related call from the same kind of project: {other_decision}.",
    )
    for line in found:
        assert any(EPISODES.search(text) for text in expansions(line)), line
    # and those the library held word for word are gone from it
    assert set(found) & set(library_lines()) == set()
    # Advice, a recommendation and a question to the reader stay.
    for line in (
        "{decision} or {alternative}? I'd pick the first. Here's the reasoning.",
        "{The trade-off to accept|What you give up}: a few edge cases, handled by hand.",
        "{What helps|What usually works}: {fix}.",
        "Boring or exciting: what did you pick last time?",
        "Which of these have you believed at some point?",
        "{If I started a {area} project tomorrow}, here's the order I'd do it in.",
        "- What happens when it breaks in the middle of the night?",
    ):
        assert not any(EPISODES.search(text) for text in expansions(line)), line


def test_no_line_of_the_library_or_its_depth_tells_an_episode_nobody_gave():
    told = [
        text
        for line in library_lines()
        if not any(slot in line for slot in VAULT_SLOTS)
        for text in expansions(line)
        if EPISODES.search(text)
    ]
    assert told == []


def test_no_template_line_tells_an_episode_nobody_gave():
    told = [
        (spec.key, language, text)
        for spec in engine.load_library()
        for language in ("en", "de")
        for part in spec.parts(language)
        for line in part
        if not any(slot in line for slot in VAULT_SLOTS)
        for text in expansions(line)
        if EPISODES.search(text)
    ]
    assert told == []


def test_no_line_ties_the_areas_metric_to_the_projects_story():
    # "As soon as {metric} is on the team's wall … First change: we {fix}": the metric comes
    # from the vocabulary, the project from the vault, and nobody said the one led to the other.
    tied = [
        line
        for line in library_lines()
        if slots_in(line) & METRIC_SLOTS and slots_in(line) & PROJECT_SLOTS
    ]
    assert tied == []


def test_the_template_of_a_team_pushing_back_speaks_german():
    spec = next(s for s in engine.load_library() if s.key == "story/the-client-who-said-no")
    assert spec.speaks("de")
    hooks, body, _ctas = spec.parts("de")
    # the same parts as the English template, with the vault's slots where it has them
    assert len(body) == len(spec.body)
    assert {"pain", "fix", "win"} <= {slot for line in body for slot in slots_in(line)}
    assert not any(EPISODES.search(text) for line in hooks for text in expansions(line))


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_draft_tells_an_episode_of_the_consultants_work_nobody_gave(language):
    topics = ("Kubernetes cost", "slow CI pipelines", "access reviews nobody does", None)
    frameworks = ("story", "lesson-learned", "mistake", "hiring")
    keys = set()
    for profile in (DEMO, AUDITOR, FORTY_MINUTES):
        for framework in frameworks:
            for post in framework_drafts(
                profile, framework=framework, language=language, topics=topics, seeds=range(10)
            ):
                keys.add(post.template_key)
                assert not EPISODES.search(post.text), (post.template_key, post.text)
                # A vault giving "40-minute builds" makes 40 a known figure: no page 40 with it.
                assert not re.search(r"(?i)\b(?:page|Seite) 40\b", post.text), post.text
    # the templates readers found; those with no German block write no German draft
    expected = {"story/the-client-who-said-no"}
    if language == "en":
        expected |= {
            "mistake/i-almost-missed",
            "lesson-learned/metric-that-mattered",
            "lesson-learned/slow-is-smooth",
        }
    assert expected <= keys
