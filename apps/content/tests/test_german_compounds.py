"""English areas and offers in German drafts: no "Ihr security audits-Setup"."""

import re

from apps.content.engine.grammar import readable_compounds
from apps.content.engine.library import fill
from apps.content.tests.test_engine_reader import AUDITOR, drafts


def german(**values):
    return {"_language": "de", **values}


def test_english_words_of_the_profile_are_not_glued_into_a_german_compound():
    line = "Wenn Sie einen zweiten Blick auf Ihr {area}-Setup möchten."
    assert fill(line, german(area="security audits")) == (
        "Wenn Sie einen zweiten Blick auf Ihr Setup rund um security audits möchten."
    )
    assert fill(
        "Die {area}-Entscheidung, vor der jedes Team steht.", german(area="compliance")
    ) == ("Die Entscheidung rund um compliance, vor der jedes Team steht.")
    assert fill(
        "Ich übernehme einige {offer}-Mandate.", german(offer="ISO 27001 readiness audit")
    ) == ("Ich übernehme einige Mandate rund um ISO 27001 readiness audit.")


def test_a_name_that_starts_a_compound_well_keeps_it():
    assert fill("Ihr {area}-Setup.", german(area="Kubernetes")) == "Ihr Kubernetes-Setup."
    assert (
        fill("Ihr {area}-Setup.", german(area="Cloud-Sicherheit")) == "Ihr Cloud-Sicherheit-Setup."
    )


def test_english_drafts_and_other_slots_are_left_as_written():
    assert fill("Your {area}-Setup.", {"_language": "en", "area": "security audits"}) == (
        "Your security audits-Setup."
    )
    assert (
        readable_compounds("Ein {tool_a}-Cluster.", german(tool_a="x y")) == "Ein {tool_a}-Cluster."
    )


def test_no_german_draft_of_the_security_auditor_glues_her_english_words_into_a_compound():
    profile_words = [*AUDITOR.areas, *AUDITOR.offers, "ISO 27001 readiness audit"]
    # A German draft writes her areas as nouns ("Security Audits", "Compliance"): a single
    # capitalised word starts a compound as German does ("Compliance-Probleme"), several
    # words never do, in whatever case ("Security Audits-Setup").
    glued = re.compile(
        "|".join(
            (f"(?i:{re.escape(w)})" if " " in w else re.escape(w)) + r"-[A-ZÄÖÜ]"
            for w in profile_words
        )
    )
    posts = drafts(AUDITOR, language="de", seeds=(0, 1, 2, 3))
    assert any("rund um Security Audits" in p.text for p in posts)
    for post in posts:
        assert not glued.search(post.text), post.text


def test_an_english_area_before_a_noun_reads_as_its_modifier():
    english = {"_language": "en", "area": "security audits", "area2": "Kubernetes"}
    assert fill("The riskiest thing in most {area} setups.", english) == (
        "The riskiest thing in most security audit setups."
    )
    assert fill("{area2} problems are rarely {area} problems.", english) == (
        "Kubernetes problems are rarely security audit problems."
    )
    assert (
        fill("Stuck on {area} and elsewhere?", english) == "Stuck on security audits and elsewhere?"
    )


def test_no_english_draft_of_the_security_auditor_reads_security_audits_setups():
    posts = drafts(AUDITOR, seeds=(0, 1, 2, 3))
    plural_before_noun = re.compile(r"security audits (?:setups?|projects?|problems?|decisions?)\b")
    for post in posts:
        assert not plural_before_noun.search(post.text), post.text


def test_german_metrics_and_problems_stand_where_a_label_reads():
    # "Wem gehört Zahl langlebiger Access Keys" lacked its article; "was ein AWS Access Key,
    # der seit Jahren nicht rotiert wurde heute kostet" its comma.
    texts = [post.text for post in drafts(AUDITOR, language="de", seeds=(0, 1, 2, 3))]
    assert not any("Wem gehört" in text for text in texts)
    assert not any(re.search(r"Wenn nur (?!eine Kennzahl)\w", text) for text in texts)
    assert not any(re.search(r"wurde heute kostet", text) for text in texts)
