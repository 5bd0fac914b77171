"""A case study's German wording: given in the proof vault, German drafts tell it instead of
quoting the English notes; English drafts keep the English ones."""

from apps.accounts import proof_vault
from apps.content.engine import draft_notices, proof_points
from apps.content.engine.grammar import lower_first_in
from apps.content.generation import ProfileSnapshot
from apps.content.tests.test_engine_reader import AUDITOR, TOPICS, drafts

GERMAN = {
    "problem_de": "die erste Zertifizierung nach ISO 27001 nicht bestanden",
    "action_de": "Zugriffsprüfung und Risikoregister in fünf Wochen neu aufgebaut",
    "results_de": "Stufe zwei 11 Wochen später bestanden",
}
BILINGUAL = ProfileSnapshot(
    **{**AUDITOR.__dict__, "case_studies": [{**AUDITOR.case_studies[0], **GERMAN}]}
)


def test_the_vault_keeps_german_wording_only_when_given():
    entry = proof_vault.entry_from(BILINGUAL.case_studies[0])
    assert {name: entry[name] for name in GERMAN} == GERMAN
    assert "results_de" not in proof_vault.entry_from(AUDITOR.case_studies[0])


def test_a_german_draft_tells_the_german_wording_and_an_english_one_the_notes():
    german = ProfileSnapshot(**{**BILINGUAL.__dict__, "language": "de"})
    (point,) = proof_points(german)
    assert point.outcome == GERMAN["results_de"]
    assert point.title == GERMAN["action_de"]
    (english,) = proof_points(BILINGUAL)
    assert english.outcome == "passed stage two 11 weeks later"


def test_german_drafts_use_the_german_wording_unquoted_and_without_the_quote_notice():
    profile = ProfileSnapshot(**{**BILINGUAL.__dict__, "language": "de"})
    posts = drafts(BILINGUAL, language="de", topics=TOPICS[1:])
    texts = [post.text for post in posts]

    assert any(GERMAN["results_de"] in text for text in texts)
    assert not any("„Stufe zwei" in text for text in texts)
    for english in ("passed stage two", "rebuilt the access review", "failed its first"):
        assert not any(english in text for text in texts)
    for post in posts:
        assert not any(
            "quotes it" in n or "zitiert" in n
            for n in draft_notices(profile, post.topic, post.text)
        )


def test_only_part_of_the_wording_in_german_quotes_the_rest():
    partial = ProfileSnapshot(
        **{
            **AUDITOR.__dict__,
            "language": "de",
            "case_studies": [{**AUDITOR.case_studies[0], "results_de": GERMAN["results_de"]}],
        }
    )
    (point,) = proof_points(partial)
    assert point.outcome == GERMAN["results_de"]
    assert point.title == "rebuilt the access review and risk register in five weeks"


def test_a_german_wording_does_not_move_the_case_study_out_of_its_area():
    # The area a proof point is in is read from the notes too, so a German wording the
    # vocabulary cannot place still tells a security story on a security topic.
    german = ProfileSnapshot(**{**BILINGUAL.__dict__, "language": "de"})
    (point,) = proof_points(german)
    assert "iso 27001" in point.notes.lower()


def test_german_wording_keeps_its_nouns_capitalised_inside_a_sentence():
    assert lower_first_in("Zugriffsprüfung neu aufgebaut", "de") == "Zugriffsprüfung neu aufgebaut"
    assert lower_first_in("Die erste Prüfung nicht bestanden", "de") == (
        "die erste Prüfung nicht bestanden"
    )
    assert lower_first_in("Rebuilt the access review", "en") == "rebuilt the access review"
    texts = [post.text for post in drafts(BILINGUAL, language="de", seeds=(0, 1, 2, 3))]
    assert any("Zugriffsprüfung und Risikoregister" in text for text in texts)
    assert not any("zugriffsprüfung" in text for text in texts)
