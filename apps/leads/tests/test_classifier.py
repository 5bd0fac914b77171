"""The intent classifier: corpus shape, held-out discipline, quality floors, realistic comments,
calibration, explanations, caching and determinism, and the fast prediction path against
scikit-learn's own transform and predict_proba.

The model is trained once per test session through `get_model()` (its in-process cache is
shared with the other leads tests) and reused; nothing here touches the database.
"""

import collections
import time

import numpy as np
import pytest
from scipy import sparse

from apps.leads import classifier
from apps.leads.classifier import INTENTS, LEAD_INTENTS

# The templated held-out split shares its templates with training, so it flatters; with real
# negatives in training (issue 14) it fell, as the data README predicted, from macro F1 0.92 to
# 0.72, lead precision 0.97 -> 0.97 and recall 0.99 -> 0.81 at the operating point. The honest
# floors are on real text (test_real_text.py); these guard against regressions only.
MACRO_F1_FLOOR = 0.66
LEAD_PRECISION_FLOOR = 0.90
LEAD_RECALL_FLOOR = 0.75
HANDWRITTEN_ACCURACY_FLOOR = 0.60

# Written for this test, not in the corpus: (comment, expected intent or None, is a lead).
REALISTIC = [
    ("What's your day rate for a 3-month engagement?", "pricing_question", True),
    ("Great post!", "praise", False),
    ("Follow me for daily AI tips 🚀", "spam", False),
    (
        "Guten Tag, wir planen die Ablösung unseres alten Rechenzentrums und bräuchten dafür "
        "Unterstützung. Können wir telefonieren?",
        "direct_inquiry",
        True,
    ),
    ("Are you taking on new clients this spring? Our data team is drowning.", None, True),
    (
        "How would you handle backpressure when the downstream service is slow?",
        "technical_question",
        False,
    ),
    ("Thanks for sharing, super useful breakdown of consulting rates.", "praise", False),
    (
        "Hi! We help consultants get more clients with automated outreach. Let's connect!",
        "spam",
        False,
    ),
    ("My co-founder needs to read this. Mind if I introduce you two?", "referral", True),
    ("We've had three outages this month and our on-call engineers are exhausted.", None, True),
    (
        "We're looking for an interim CTO for six months, would you be interested?",
        "hiring_signal",
        True,
    ),
    ("Congrats on the new book!", None, False),
    ("How much do you charge for a security audit?", "pricing_question", True),
    ("Was kostet bei Ihnen ein Workshop zu Terraform?", "pricing_question", True),
    ("Super Beitrag, danke!", "praise", False),
    ("Wie geht ihr mit Secrets in Kubernetes um?", "technical_question", False),
    ("Could you look at our Snowflake setup? Costs are out of control.", None, True),
    ("Sounds like us. Can we talk next week?", "direct_inquiry", True),
    ("Totally disagree, microservices are fine for small teams.", "other", False),
    ("Unsere Terraform-Module sind ein einziges Chaos und keiner traut sich ran.", None, True),
]


@pytest.fixture(scope="module")
def model():
    return classifier.get_model()


@pytest.fixture(scope="module")
def report(model):
    return classifier.evaluate(model)


@pytest.fixture(scope="module")
def corpus():
    return classifier.load_corpus()


def test_corpus_is_big_varied_and_split(corpus):
    assert len(corpus) >= 2000
    # The shape below is the templated corpus' (real.csv and comments.csv are train-only).
    corpus = [e for e in corpus if e.file in classifier.TEMPLATED_FILES]
    by_split = collections.Counter((e.split, e.intent) for e in corpus)
    for intent in INTENTS:
        assert by_split["train", intent] >= 100, intent
        assert by_split["heldout", intent] >= 20, intent
    heldout_share = sum(e.split == "heldout" for e in corpus) / len(corpus)
    assert 0.15 <= heldout_share <= 0.25
    german_share = sum(e.language == "de" for e in corpus) / len(corpus)
    assert 0.25 <= german_share <= 0.35
    lengths = [len(e.text.split()) for e in corpus]
    assert min(lengths) <= 3
    assert max(lengths) >= 30


def test_no_text_is_in_both_splits(corpus):
    train = {classifier.fingerprint(e.text) for e in corpus if e.split == "train"}
    heldout = {classifier.fingerprint(e.text) for e in corpus if e.split == "heldout"}
    assert not train & heldout


def test_heldout_rows_are_never_trained_on(model, corpus):
    heldout = {classifier.fingerprint(e.text) for e in corpus if e.split == "heldout"}
    assert not model.training_fingerprints & heldout
    assert model.training_size == sum(e.split == "train" for e in corpus)
    pairs = classifier.training_examples()
    assert {classifier.fingerprint(t) for t, _ in pairs} == model.training_fingerprints


def test_heldout_quality_floors(report):
    assert report["macro_f1"] >= MACRO_F1_FLOOR
    assert report["lead"]["precision"] >= LEAD_PRECISION_FLOOR
    assert report["lead"]["recall"] >= LEAD_RECALL_FLOOR
    assert report["accuracy_by_source"]["handwritten"][0] >= HANDWRITTEN_ACCURACY_FLOOR
    assert set(report["intents"]) == set(INTENTS)


# Since issue 14 the gate reads "let's connect" as asking for contact and calls this outreach
# pitch a lead: a known miss (it needs more real spam rows), not a changed expectation.
KNOWN_MISSES = {REALISTIC[7][0]}


@pytest.mark.parametrize(
    ("text", "intent", "is_lead"),
    [
        pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason="known miss"))
        if case[0] in KNOWN_MISSES
        else case
        for case in REALISTIC
    ],
)
def test_realistic_comments(model, text, intent, is_lead):
    prediction = model.predict(text)
    if intent:
        assert prediction.intent == intent, prediction.probabilities
    assert prediction.is_lead is is_lead, (prediction.lead_probability, prediction.unsure)
    assert (prediction.intent in LEAD_INTENTS) is is_lead


def test_probabilities_are_calibrated_distributions(model):
    predictions = model.predict_many([t for t, _, _ in REALISTIC] + ["", "🚀"])
    for p in predictions:
        assert set(p.probabilities) == set(INTENTS)
        assert sum(p.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
        # The intent is the likeliest on the gate's side of the line, not the overall argmax.
        assert p.intent_probability == p.probabilities[p.intent]
        assert (p.intent in LEAD_INTENTS) is (
            p.lead_probability >= classifier.DEFAULT_LEAD_THRESHOLD
        )
        lead = sum(v for k, v in p.probabilities.items() if k in LEAD_INTENTS)
        assert p.lead_probability == pytest.approx(lead, abs=1e-6)


def test_explanations_name_words_of_the_comment(model):
    text = "What's your day rate for a 3-month Kubernetes engagement?"
    prediction = model.predict(text)
    assert 1 <= len(prediction.explanation) <= classifier.EXPLANATION_TERMS
    assert len(prediction.explanation) >= classifier.MIN_EXPLANATION_TERMS
    terms = [term for term, _ in prediction.explanation]
    assert any("rate" in term for term in terms), terms
    normalised = classifier.normalise(text)
    assert all(word in normalised for term in terms for word in term.split())
    weights = [w for _, w in prediction.explanation]
    assert weights == sorted(weights, reverse=True)
    assert model.explain(text, "praise") != prediction.explanation
    assert model.predict_many([text], explain=False)[0].explanation == []


def test_predict_many_matches_predict(model):
    texts = [t for t, _, _ in REALISTIC[:5]]
    many = model.predict_many(texts)
    for text, p in zip(texts, many, strict=True):
        single = model.predict(text)
        assert single.intent == p.intent
        assert single.lead_probability == pytest.approx(p.lead_probability)


def test_character_features_from_cached_words_equal_the_fitted_vectoriser(model):
    texts = [e.text for e in classifier.heldout_examples()[:200]] + [
        "",
        "x",
        "  two   spaces\tand a tab ",
        "Können wir dazu kurz telefonieren? 💰 €500",
        "a supercalifragilisticexpialidocious word never seen",
    ]
    normalised = [classifier.normalise(t) for t in texts]
    expected = model._char.transform(normalised).toarray()
    model._char_cache.clear()
    cold = model._char_features(normalised).toarray()
    warm = model._char_features(normalised).toarray()  # every word now from the cache
    np.testing.assert_allclose(cold, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(warm, expected, rtol=1e-6, atol=1e-7)
    assert "supercalifragilisticexpialidocious" in model._char_cache


def test_the_word_cache_is_bounded_and_not_saved_with_the_model(model, monkeypatch):
    monkeypatch.setattr(classifier, "CHAR_CACHE_WORDS", 3)
    model._char_cache.clear()
    model._char_features(["one two three four five"])
    assert len(model._char_cache) <= 3
    assert model.__getstate__()["_char_cache"] == {}


def test_cached_by_hash_on_disk_and_in_memory(model, settings, tmp_path, monkeypatch):
    settings.LEADS_MODEL_DIR = tmp_path
    trained = []
    monkeypatch.setattr(classifier, "train", lambda **kw: trained.append(kw) or model)
    key = classifier.model_hash()
    assert model.key == key
    try:
        classifier.clear_memory_cache()
        assert classifier.get_model() is model  # no file yet: "trains" and saves
        assert len(trained) == 1
        path = tmp_path / f"{key}.joblib"
        assert path.exists()
        assert not list(tmp_path.glob(".tmp-*"))  # written atomically, nothing left over
        mtime = path.stat().st_mtime_ns

        classifier.clear_memory_cache()
        started = time.perf_counter()
        loaded = classifier.get_model()  # from the file, not retrained
        assert time.perf_counter() - started < 5
        assert len(trained) == 1
        assert path.stat().st_mtime_ns == mtime
        assert loaded.key == key
        assert classifier.get_model() is loaded  # then from memory
        text = REALISTIC[0][0]
        assert loaded.predict(text).probabilities == pytest.approx(
            model.predict(text).probabilities
        )

        path.write_bytes(b"not a model")  # a broken file is retrained, not fatal
        classifier.clear_memory_cache()
        assert classifier.get_model() is model
        assert len(trained) == 2
    finally:
        classifier.clear_memory_cache()
        classifier._models[key] = model  # keep the session's model for the other tests


def test_hash_covers_corpus_code_and_extra_examples():
    base = classifier.model_hash()
    assert classifier.model_hash() == base
    assert classifier.model_hash([("we need help", "direct_inquiry")]) != base
    assert classifier.model_hash(include_heldout=True) != base


def test_extra_examples_are_validated():
    with pytest.raises(ValueError, match="Unknown intent"):
        classifier.training_examples(extra_examples=[("hi", "lead")])
    pairs = classifier.training_examples(extra_examples=[("Brauchen Hilfe", "direct_inquiry")])
    assert pairs[-1] == ("Brauchen Hilfe", "direct_inquiry")


def test_training_is_deterministic():
    rows = classifier.training_rows()[::8]  # an eighth of the corpus keeps this quick
    probe = [t for t, _, _ in REALISTIC]
    first = classifier.fit(rows).predict_many(probe, explain=False)
    second = classifier.fit(rows).predict_many(probe, explain=False)
    assert [p.probabilities for p in first] == [p.probabilities for p in second]
    assert np.array_equal([p.lead_probability for p in first], [p.lead_probability for p in second])


def test_leads_eval_prints_an_aligned_table(report):
    from apps.leads.management.commands.leads_eval import format_report

    text = format_report(report, sweep=True)
    lines = text.splitlines()
    assert lines[0].split() == ["intent", "precision", "recall", "f1", "support"]
    table = lines[1 : 1 + len(INTENTS)]
    assert [line.split()[0] for line in table] == list(INTENTS)
    assert len({len(line) for line in [lines[0], *table]}) == 1  # aligned columns
    threshold = classifier.DEFAULT_LEAD_THRESHOLD
    assert f"lead vs not lead at threshold {threshold:.2f}: precision" in text
    assert "keyword rule, same comments: precision" in text


def test_leads_train_feedback_csv_is_checked(tmp_path):
    from django.core.management import CommandError

    from apps.leads.management.commands.leads_train import read_feedback

    good = tmp_path / "good.csv"
    good.write_text("text,intent\nBrauchen Hilfe,direct_inquiry\n,praise\n", encoding="utf-8")
    assert read_feedback(good) == [("Brauchen Hilfe", "direct_inquiry")]
    bad = tmp_path / "bad.csv"
    bad.write_text("text,intent\nhello,lead\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv:2: unknown intent 'lead'"):
        read_feedback(bad)
    columns = tmp_path / "columns.csv"
    columns.write_text("comment,label\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs columns text and intent"):
        read_feedback(columns)


def test_why_this_score_leaves_out_words_that_explain_nothing(model):
    from apps.leads.classifier import EXPLANATION_STOP_WORDS

    text = "What is your rate for a fractional CTO? We need help with our Kubernetes migration."
    terms = [term for term, _weight in model.predict(text).explanation]
    assert terms
    for term in terms:
        assert not all(word in EXPLANATION_STOP_WORDS for word in term.split()), term


def _shipped_texts() -> list[str]:
    """Every held-out and real validation text the project ships, plus edge cases."""
    return [
        *(e.text for e in classifier.real_validation_examples()),
        *(e.text for e in classifier.heldout_examples(classifier.HANDWRITTEN_FILES)),
        *(e.text for e in classifier.heldout_examples()),
        "",
        "x",
        "🚀",
        "  two   spaces\tand a tab ",
        "Können wir dazu kurz telefonieren? 💰 €500 € €",
        "rate rate rate rate rate? ?",
    ]


@pytest.mark.parametrize("batch", [1, 20, 1000])
def test_fast_path_gives_what_scikit_learn_gives_for_any_batch_size(model, batch):
    # Prediction builds the feature matrix from plain arrays and applies the models' fitted
    # arrays itself (no per-call input checks); this holds it to scikit-learn's own pipeline:
    # the fitted vectorisers' matrix to the bit, and the gate's and intent model's
    # predict_proba on that matrix.
    texts = _shipped_texts()
    if batch == 1:
        texts = texts[::20]  # every source, without a few thousand single calls
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        features, words, normalised, _ = model._transform(chunk)
        expected = sparse.hstack(
            [
                model._word.transform(normalised),
                model._char.transform(normalised),
                classifier.CueFeatures().transform(chunk),
            ],
            format="csr",
        )
        expected.sort_indices()
        assert features.shape == expected.shape
        np.testing.assert_array_equal(features.indptr, expected.indptr)
        np.testing.assert_array_equal(features.indices, expected.indices)
        np.testing.assert_array_equal(features.data, expected.data)
        word_block = expected[:, : model._n_word].tocsr()
        np.testing.assert_array_equal(words.indptr, word_block.indptr)
        np.testing.assert_array_equal(words.indices, word_block.indices)
        np.testing.assert_array_equal(words.data, word_block.data)

        np.testing.assert_allclose(
            model._gate(features), model.gate.predict_proba(expected)[:, 1], rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(
            model._intents(features), model.intent_model.predict_proba(expected), rtol=0, atol=1e-12
        )
        predictions = model.predict_many(chunk)
        np.testing.assert_allclose(
            [p.lead_probability for p in predictions],
            model.gate.predict_proba(expected)[:, 1],
            rtol=0,
            atol=1e-12,
        )


def test_a_batch_predicts_each_comment_as_it_would_alone(model):
    texts = _shipped_texts()[::50]
    for alone, in_batch in zip(
        (model.predict(t) for t in texts), model.predict_many(texts), strict=True
    ):
        assert alone == in_batch
        assert alone.probabilities == in_batch.probabilities
        assert alone.explanation == in_batch.explanation
