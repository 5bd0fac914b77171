"""The post linter: every rule with a passing and a failing case, the score, lengths as LinkedIn
counts them, the preview, and near-duplicates among a workspace's earlier posts."""

import random
import time

import pytest

from apps.content.linter import (
    FILLER_PHRASES,
    EarlierPosts,
    Finding,
    LintResult,
    LintSettings,
    lint_post,
    rules_for_prompt,
)
from apps.linkedin.client import escape_little_text

CLEAN_POST = """\
We cut a client's cloud bill by 38 percent in six weeks, without touching a single feature.

Here is what we did, step by step.

First, we tagged every resource by team. Half the spend had no owner, and nobody could say \
which service needed it.

Second, we moved the nightly batch jobs to spot instances. They were idempotent already, so a \
killed node simply meant a retry.

Third, we right-sized the databases. The biggest one ran at 6 percent CPU on its busiest day \
of the year.

Fourth, we switched off the staging environments at night and on weekends. Nobody noticed, \
except finance.

The result: the monthly bill went from 41,000 to 25,400 euros. The team added the tagging rule \
to their pull request template, so the savings did not creep back.

None of this was clever. It was patient work with a spreadsheet and the people who own each \
service.

What is the most expensive thing in your account that nobody owns?

#cloud #finops #devops"""

BODY, CLOSING = CLEAN_POST.rsplit("\n\nWhat is", 1)
CLOSING = "What is" + CLOSING
SENTENCE = "Every service got an owner and a budget, and the owners got a weekly report. "


def rules(result: LintResult) -> set[str]:
    return {finding.rule for finding in result.findings}


def the(result: LintResult, rule: str) -> Finding:
    [finding] = [finding for finding in result.findings if finding.rule == rule]
    return finding


def with_paragraph(paragraph: str, post: str = CLEAN_POST) -> str:
    """`post` with `paragraph` added before its closing question."""
    body, closing = post.rsplit("\n\nWhat is", 1)
    return f"{body}\n\n{paragraph}\n\nWhat is{closing}"


def paragraphs_of(sentences: int, count: int) -> str:
    return "\n\n".join(SENTENCE * sentences for _ in range(count)).replace(" \n", "\n")


# One failing post per rule; the clean post passes every one of them.
FAILING = {
    "empty": "",
    "hook-too-long": "A" + " long hook" * 30 + ".\n\n" + CLEAN_POST.split("\n\n", 1)[1],
    "weak-hook": "I am excited to share a lesson.\n\n" + CLEAN_POST.split("\n\n", 1)[1],
    "over-limit": "(" * 1100 + "x" * 900,
    "too-long": with_paragraph(paragraphs_of(2, 5)),
    "too-short": "We cut the bill by 38 percent.\n\nWhat would you cut first?",
    "long-paragraph": with_paragraph(SENTENCE * 4),
    "wall-of-text": SENTENCE * 8 + "\n\nWhat would you do?",
    "too-many-hashtags": CLEAN_POST + " #aws #cost",
    "hashtags-in-body": with_paragraph("We use #terraform for all of it."),
    "no-call-to-action": CLEAN_POST.replace(CLOSING, "That was the whole project.\n\n#cloud"),
    "link-in-body": with_paragraph("The checklist: https://example.com/finops-checklist."),
    "repeated-word": with_paragraph("Spreadsheet here, spreadsheet there, spreadsheet again."),
    "filler-phrase": with_paragraph("It was a game-changer."),
}


def test_the_clean_post_scores_at_least_90_with_no_warnings():
    result = lint_post(CLEAN_POST)
    assert result.findings == ()
    assert result.score >= 90
    assert 900 <= result.length <= 1600
    assert not result.has_errors


@pytest.mark.parametrize("rule", sorted(FAILING))
def test_every_rule_flags_its_failing_post_and_passes_the_clean_one(rule):
    assert rule in rules(lint_post(FAILING[rule]))
    assert rule not in rules(lint_post(CLEAN_POST))


@pytest.mark.parametrize("rule", sorted(FAILING))
def test_every_finding_has_a_severity_a_message_and_a_fix(rule):
    finding = the(lint_post(FAILING[rule]), rule)
    assert finding.severity in {"error", "warning", "tip"}
    assert finding.message
    assert finding.fix
    assert finding.message != finding.fix


# --- Score --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\n \r\n\t"])
def test_an_empty_post_scores_0_with_an_empty_error(text):
    result = lint_post(text)
    assert result.score == 0
    assert [(f.rule, f.severity) for f in result.findings] == [("empty", "error")]
    assert result.has_errors
    assert result.preview == ""
    assert result.hook == ""


def test_a_post_full_of_mistakes_scores_low():
    bad = (
        "Hello everyone! In today's fast-paced world, we leverage cutting-edge synergy to "
        "unlock a seamless, robust platform that will revolutionize #cloud and elevate #devops "
        "teams. Check https://example.com/launch and https://example.com/pricing to unleash "
        "the power of our game changer. Let that sink in. "
        * 3
        + "#ai #saas #startup #growth #innovation"
    )
    result = lint_post(bad)
    assert result.score < 20
    assert {"link-in-body", "filler-phrase", "too-many-hashtags", "wall-of-text"} <= rules(result)


def test_the_score_never_drops_below_0():
    result = lint_post(" ".join(pattern.split("(")[0] for pattern, _fix in FILLER_PHRASES) * 3)
    assert result.score == 0
    assert len(result.findings) > 10


def test_each_finding_costs_points_by_severity():
    tip = lint_post(FAILING["too-short"])
    warning = lint_post(FAILING["link-in-body"])
    error = lint_post("Same text. " * 300)
    assert 90 <= tip.score < 100
    assert 80 <= warning.score < tip.score
    assert error.has_errors
    assert error.score <= 50


def test_findings_are_ordered_errors_first_then_warnings_then_tips():
    result = lint_post("I am excited to share this. " + "(" * 3000)
    severities = [finding.severity for finding in result.findings]
    assert severities == sorted(severities, key=["error", "warning", "tip"].index)
    assert severities[0] == "error"


# --- Hook and preview ---------------------------------------------------------------------------


def test_the_hook_is_the_first_paragraph():
    assert lint_post(CLEAN_POST).hook == CLEAN_POST.split("\n\n")[0]


def test_a_hook_past_the_fold_is_flagged_with_how_many_characters_over():
    hook = "x" * 250
    finding = the(lint_post(hook + "\n\n" + BODY + "\n\n" + CLOSING), "hook-too-long")
    assert finding.severity == "warning"
    assert "40 characters" in finding.message
    assert "Cut 40 characters" in finding.fix


def test_line_breaks_count_towards_the_fold():
    hook = "\n".join(["A short line."] * 15)  # 195 letters and 14 line breaks: 209
    assert "hook-too-long" not in rules(lint_post(hook + "\n\n" + CLOSING))
    hook += "\nMore."  # 215
    assert "hook-too-long" in rules(lint_post(hook + "\n\n" + CLOSING))


def test_the_fold_is_configurable():
    settings = LintSettings(fold_chars=50)
    assert "hook-too-long" in rules(lint_post(CLEAN_POST, settings=settings))


@pytest.mark.parametrize(
    "opener",
    [
        "I am excited to announce",
        "I\u2019m thrilled to share",
        "Hello everyone,",
        "Hi all!",
        "In this post I explain",
        "Excited to share that",
        "Today I want to talk about",
    ],
)
def test_a_weak_first_line_gets_a_tip_quoting_it(opener):
    text = f"{opener} our new approach to cloud costs.\n\n{BODY}\n\n{CLOSING}"
    finding = the(lint_post(text), "weak-hook")
    assert finding.severity == "tip"
    assert opener.split()[0] in finding.message


@pytest.mark.parametrize(
    "opener", ["Hello from the data team, where 3 outages taught us", "Excitement is overrated."]
)
def test_a_first_line_that_only_resembles_a_weak_opener_is_not_flagged(opener):
    assert "weak-hook" not in rules(lint_post(f"{opener}\n\n{BODY}\n\n{CLOSING}"))


def test_a_short_post_previews_whole_without_an_ellipsis():
    text = "Short and sweet.\n\nWhat do you think?"
    assert lint_post(text).preview == text


def test_the_preview_is_cut_at_the_fold_on_a_boundary_with_an_ellipsis():
    result = lint_post(CLEAN_POST)
    assert result.preview.endswith("…")
    shown = result.preview.removesuffix("…")
    assert len(shown) <= 210
    assert CLEAN_POST.startswith(shown)
    assert CLEAN_POST[len(shown)] in " \n"  # never mid-word
    assert len(shown) > 140  # not cut needlessly early


def test_the_preview_cuts_a_long_first_sentence_at_a_word_boundary():
    text = "word " * 100
    preview = lint_post(text).preview
    assert preview.endswith("word…")
    assert len(preview) <= 211


# --- Length -------------------------------------------------------------------------------------


def test_reserved_characters_count_twice_towards_the_hard_limit():
    text = "(" * 1100 + "x" * 900  # 2,000 characters, 3,100 as LinkedIn counts them
    result = lint_post(text)
    assert result.length == 2000
    assert result.escaped_length == len(escape_little_text(text)) == 3100
    finding = the(result, "over-limit")
    assert finding.severity == "error"
    assert "100 over" in finding.message
    assert "1100" in finding.message  # how many reserved characters
    assert "twice" in finding.message
    assert "Cut 100 characters" in finding.fix
    assert result.has_errors


def test_a_post_at_exactly_the_hard_limit_is_not_an_error():
    text = with_paragraph(paragraphs_of(1, 40))[:3000]
    result = lint_post(text)
    assert result.escaped_length == 3000
    assert "over-limit" not in rules(result)
    assert "too-long" in rules(result)


def test_windows_line_breaks_count_once():
    result = lint_post(CLEAN_POST.replace("\n", "\r\n"))
    assert result.length == len(CLEAN_POST)
    assert result.findings == ()


@pytest.mark.parametrize(
    ("sweet_spot", "rule"),
    [((900, 1600), None), ((1300, 2000), "too-short"), ((300, 600), "too-long")],
)
def test_the_length_sweet_spot_is_configurable(sweet_spot, rule):
    result = lint_post(CLEAN_POST, settings=LintSettings(sweet_spot=sweet_spot))
    assert rules(result) & {"too-short", "too-long"} == ({rule} if rule else set())


def test_a_post_above_the_sweet_spot_says_how_much_to_cut():
    result = lint_post(CLEAN_POST, settings=LintSettings(sweet_spot=(300, 800)))
    finding = the(result, "too-long")
    assert finding.severity == "warning"
    assert f"The post is {result.length} characters" in finding.message
    assert f"Cut {result.length - 800} characters" in finding.fix


# --- Paragraphs ---------------------------------------------------------------------------------


def test_a_long_paragraph_is_flagged_quoting_its_start_and_length():
    paragraph = SENTENCE * 4
    finding = the(lint_post(with_paragraph(paragraph)), "long-paragraph")
    assert finding.severity == "warning"
    assert "Every service got an owner" in finding.message
    assert str(len(paragraph.strip())) in finding.message


def test_a_long_post_in_two_paragraphs_is_a_wall_of_text():
    finding = the(lint_post(paragraphs_of(5, 2)), "wall-of-text")
    assert "2 paragraphs" in finding.message


def test_a_short_post_in_one_paragraph_is_not_a_wall_of_text():
    assert "wall-of-text" not in rules(lint_post(SENTENCE * 3 + "What do you think?"))


# --- Hashtags -----------------------------------------------------------------------------------


def test_more_than_three_hashtags_are_flagged_naming_them():
    finding = the(lint_post(FAILING["too-many-hashtags"]), "too-many-hashtags")
    assert finding.severity == "warning"
    assert "5 hashtags" in finding.message
    assert "#aws" in finding.message
    assert "#cloud, #finops, #devops" in finding.fix


def test_hashtags_in_the_middle_of_the_text_get_a_tip():
    finding = the(lint_post(FAILING["hashtags-in-body"]), "hashtags-in-body")
    assert finding.severity == "tip"
    assert "#terraform" in finding.message
    assert "#cloud" not in finding.message


def test_hashtags_at_the_end_of_the_last_sentence_count_as_closing():
    text = CLEAN_POST.replace("\n\n#cloud #finops #devops", " #cloud #finops")
    assert rules(lint_post(text)) == set()


@pytest.mark.parametrize(
    "text",
    ["We rewrote it in C# and F# in a week.", "See the docs at https://example.com/page#setup"],
)
def test_csharp_and_url_fragments_are_not_hashtags(text):
    result = lint_post(with_paragraph(text))
    assert not rules(result) & {"hashtags-in-body", "too-many-hashtags"}


# --- Closing call to action ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "closing",
    [
        "What's your rule for cloud costs?",
        "What\u2019s your take",
        "DM me 'audit' and I'll send you the checklist.",
        "Book a call if your bill keeps growing.",
        "Let's talk.",
        "Comment 'checklist' and I will send it.",
        "Tell me how your team does it.",
        "Share this with the person who pays your cloud bill.",
        "Message me if you want the spreadsheet.",
        "Schreiben Sie mir gern.",
        "Lassen Sie uns sprechen.",
        "Melden Sie sich, wenn Ihr Team feststeckt.",
        "Kommentieren Sie „Checkliste“ und ich schicke sie Ihnen.",
    ],
)
def test_a_question_or_call_to_action_at_the_end_passes(closing):
    text = CLEAN_POST.replace(CLOSING, closing + "\n\n#cloud")
    assert "no-call-to-action" not in rules(lint_post(text))


def test_a_post_that_ends_without_a_question_or_call_to_action_is_flagged_quoting_the_end():
    finding = the(lint_post(FAILING["no-call-to-action"]), "no-call-to-action")
    assert finding.severity == "warning"
    assert "That was the whole project." in finding.message


def test_a_question_early_in_the_post_does_not_count_as_the_closing():
    text = with_paragraph("Why did nobody notice?").replace(CLOSING, "The end.")
    assert "no-call-to-action" in rules(lint_post(text))


# --- Links --------------------------------------------------------------------------------------


def test_a_link_in_the_body_is_flagged_with_a_first_comment_fix():
    finding = the(lint_post(FAILING["link-in-body"]), "link-in-body")
    assert finding.severity == "warning"
    assert "https://example.com/finops-checklist" in finding.message
    assert finding.fix.startswith("Move https://example.com/finops-checklist to a first comment")


def test_each_link_is_flagged_once():
    text = with_paragraph("See www.example.org/a, https://example.com/b and https://example.com/b.")
    urls = [f.message.split()[2] for f in lint_post(text).findings if f.rule == "link-in-body"]
    assert urls == ["www.example.org/a", "https://example.com/b"]


# --- Repeated words -----------------------------------------------------------------------------


def test_a_word_repeated_too_often_gets_a_tip_quoting_it():
    finding = the(lint_post(FAILING["repeated-word"]), "repeated-word")
    assert finding.severity == "tip"
    assert '"spreadsheet" appears 4 times' in finding.message


def test_common_short_and_function_words_may_repeat():
    text = with_paragraph("And we would, and we could, and we should. Then we did and did.")
    assert "repeated-word" not in rules(lint_post(text))


def test_german_function_words_may_repeat_too():
    text = with_paragraph(
        "Das ist nicht einfach, denn eine Migration ist nicht eine Woche. Sie ist nicht "
        "schnell und nicht billig, und sie braucht eine Entscheidung, eine Person und eine Frist."
    )
    assert "repeated-word" not in rules(lint_post(text))


def test_a_longer_post_allows_more_repetitions():
    text = with_paragraph("The spreadsheet won. " * 4)
    assert "repeated-word" in rules(lint_post(text))
    varied = " ".join(f"item{number}" for number in range(200))  # 200 more different words
    longer = with_paragraph("The spreadsheet won. " * 4 + varied)
    assert "repeated-word" not in rules(lint_post(longer))


# --- Filler phrases -----------------------------------------------------------------------------

REQUIRED_FILLER = [
    "in today's fast-paced world",
    "game-changer",
    "game changer",
    "delve",
    "unlock",
    "leverage",
    "synergy",
    "revolutionize",
    "cutting-edge",
    "in conclusion",
    "it's no secret",
    "let that sink in",
    "navigate the complexities",
    "ever-evolving landscape",
    "unleash",
    "seamless",
    "elevate",
    "robust",
    "harness the power",
]


def test_the_linter_knows_at_least_25_filler_phrases():
    assert len(FILLER_PHRASES) >= 25


@pytest.mark.parametrize("phrase", REQUIRED_FILLER)
def test_a_filler_phrase_is_flagged_quoting_it_with_a_plain_fix(phrase):
    text = with_paragraph(f"Honestly, {phrase.upper()} is how we did it.")
    [finding] = [f for f in lint_post(text).findings if f.rule == "filler-phrase"]
    assert finding.severity == "warning"
    assert f'"{phrase.upper()}"' in finding.message
    assert finding.fix


def test_a_filler_phrase_with_a_curly_apostrophe_is_flagged():
    text = with_paragraph("In today\u2019s fast-paced world, costs matter.")
    finding = the(lint_post(text), "filler-phrase")
    assert "In today\u2019s fast-paced world" in finding.message


def test_each_filler_phrase_is_flagged_once_and_each_different_one_separately():
    text = with_paragraph("We leverage Kafka. We leverage Redis. It was seamless.")
    messages = [f.message for f in lint_post(text).findings if f.rule == "filler-phrase"]
    assert len(messages) == 2


@pytest.mark.parametrize("word", ["delivery", "unlockable", "robustness", "elevator"])
def test_words_that_merely_contain_a_filler_word_pass(word):
    assert "filler-phrase" not in rules(lint_post(with_paragraph(f"The {word} was fine.")))


# --- Near-duplicates ----------------------------------------------------------------------------

TOPICS = [
    "Kubernetes",
    "Postgres",
    "Terraform",
    "Kafka",
    "observability",
    "on-call",
    "code review",
    "hiring",
    "microservices",
    "CI pipelines",
    "incident response",
    "tech debt",
    "API design",
    "data migrations",
    "feature flags",
    "load testing",
]
SENTENCES = [
    "Last {month}, {client} asked me to look at their {topic}.",
    "The team had {n} engineers and {m} services, and nobody owned the {topic} setup.",
    "We measured first: p95 latency was {n}0 ms and errors sat at {m} percent.",
    "The fix was not a new tool but a rule about who reviews {topic} changes.",
    "Most teams I meet treat {topic} as a project, when it is a habit.",
    "Within {n} weeks the pager went quiet for the first time in a year.",
    "I used to think {topic} was about technology; now I think it is about ownership.",
    "We wrote down {n} decisions in plain language and linked them from the README.",
    "The junior engineer who asked the obvious question saved us {n} days.",
    "If your {topic} needs a hero at 3 a.m., it is not finished.",
    "We deleted {m} dashboards and kept the {n} that somebody read every week.",
    "Deploys went from {n}0 minutes to {m} minutes after we split the pipeline.",
    "{client} now ships {n} times a day instead of once a fortnight.",
    "I keep a checklist of {n} questions I ask before touching {topic}.",
]
CLIENTS = ["a fintech startup", "a logistics company", "a health insurer", "an online shop"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def generated_post(rng: random.Random) -> str:
    topic = rng.choice(TOPICS)

    def sentence() -> str:
        text = rng.choice(SENTENCES).format(
            topic=rng.choice([topic, topic, rng.choice(TOPICS)]),
            client=rng.choice(CLIENTS),
            month=rng.choice(MONTHS),
            n=rng.randint(2, 12),
            m=rng.randint(2, 40),
        )
        return text[0].upper() + text[1:]

    paragraphs = [" ".join(sentence() for _ in range(rng.randint(1, 2))) for _ in range(8)]
    return "\n\n".join([*paragraphs, f"What is your rule for {topic}?"])


@pytest.fixture(scope="module")
def thousand_posts() -> list[str]:
    rng = random.Random(20240604)
    return [generated_post(rng) for _ in range(1000)]


@pytest.fixture(scope="module")
def prepared(thousand_posts) -> EarlierPosts:
    return EarlierPosts(thousand_posts)


def test_an_exact_copy_of_an_earlier_post_is_an_error_naming_it():
    earlier = ["Something else entirely about hiring juniors.", CLEAN_POST]
    result = lint_post(CLEAN_POST, earlier_posts=earlier)
    finding = the(result, "near-duplicate")
    assert finding.severity == "error"
    assert "100%" in finding.message
    assert "#2" in finding.message
    assert result.similar_to_index == 1
    assert result.similarity == pytest.approx(1.0)
    assert result.has_errors


def test_a_lightly_edited_earlier_post_is_a_near_duplicate_warning():
    edited = CLEAN_POST.replace("38 percent", "41 percent").replace("six weeks", "two months")
    result = lint_post(
        with_paragraph("We did it again this year.", edited), earlier_posts=[CLEAN_POST]
    )
    finding = the(result, "near-duplicate")
    assert finding.severity == "warning"
    assert 0.8 <= result.similarity < 0.95
    assert f"{round(result.similarity * 100)}%" in finding.message
    assert result.similar_to_index == 0


def test_a_different_post_is_not_a_near_duplicate():
    earlier = [FAILING["wall-of-text"], FAILING["too-short"]]
    result = lint_post(CLEAN_POST, earlier_posts=earlier)
    assert "near-duplicate" not in rules(result)
    assert result.similar_to_index is None
    assert result.similarity < 0.5


def test_the_near_duplicate_threshold_is_configurable():
    edited = with_paragraph("A new paragraph with some fresh words in it.")
    loose = LintSettings(near_duplicate_threshold=0.99)
    assert "near-duplicate" in rules(lint_post(edited, earlier_posts=[CLEAN_POST]))
    assert "near-duplicate" not in rules(
        lint_post(edited, earlier_posts=[CLEAN_POST], settings=loose)
    )


def test_new_material_lowers_the_similarity_even_with_words_no_earlier_post_has():
    index, base = EarlierPosts([CLEAN_POST]).most_similar(CLEAN_POST)
    extra = "Zebras juggle quantum marmalade while octopuses knit violet bagpipes. " * 5
    _, diluted = EarlierPosts([CLEAN_POST]).most_similar(CLEAN_POST + "\n\n" + extra)
    assert index == 0
    assert diluted < base - 0.1


@pytest.mark.parametrize("texts", [[], [""], ["a b c", "   "]])
def test_earlier_posts_without_words_find_nothing(texts):
    assert EarlierPosts(texts).most_similar(CLEAN_POST) == (None, 0.0)


def test_earlier_posts_refuse_a_single_string():
    with pytest.raises(TypeError):
        EarlierPosts(CLEAN_POST)


def test_earlier_posts_find_the_near_duplicate_among_1000_and_report_its_index(
    thousand_posts, prepared
):
    first, second, *rest = thousand_posts[637].split("\n\n")
    edited = "\n\n".join([second, first, *rest, "Tell me below."])
    index, similarity = prepared.most_similar(edited)
    assert index == 637
    assert similarity >= 0.8
    result = lint_post(edited, earlier_posts=prepared)
    assert result.similar_to_index == 637
    assert "near-duplicate" in rules(result)


def test_a_new_post_is_not_a_near_duplicate_of_any_of_1000(prepared):
    result = lint_post(CLEAN_POST, earlier_posts=prepared)
    assert "near-duplicate" not in rules(result)
    assert result.similar_to_index is None


def test_prepared_earlier_posts_give_the_same_result_as_a_list_and_are_fast(
    thousand_posts, prepared
):
    text = thousand_posts[5] + "\n\n" + CLEAN_POST
    assert lint_post(text, earlier_posts=prepared) == lint_post(text, earlier_posts=thousand_posts)
    started = time.perf_counter()
    for _ in range(10):
        lint_post(text, earlier_posts=prepared)
    assert (time.perf_counter() - started) / 10 < 0.1  # generous: measured ~10 ms


# --- Rules for the LLM prompt -------------------------------------------------------------------


def test_rules_for_prompt_mention_the_fold_length_hashtags_links_and_filler_phrases():
    prompt = rules_for_prompt()
    assert "210 characters" in prompt
    assert "see more" in prompt
    assert "900 to 1600" in prompt
    assert "3 hashtags" in prompt
    assert "first comment" in prompt
    assert "question" in prompt
    for phrase in ["in today's fast-paced world", "game-changer", "delve", "unlock"]:
        assert phrase in prompt


def test_rules_for_prompt_follow_the_settings():
    prompt = rules_for_prompt(LintSettings(fold_chars=150, sweet_spot=(500, 800), max_hashtags=2))
    assert "150 characters" in prompt
    assert "500 to 800" in prompt
    assert "2 hashtags" in prompt
