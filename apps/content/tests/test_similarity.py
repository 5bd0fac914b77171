"""One similarity measure: the engine's rewrite of near-copies, plan-my-week's variety and the
checker's near-duplicate rule all ask `apps.content.similarity`, so "70 % similar" means the
same thing everywhere."""

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from apps.content import engine, generation, linter, similarity
from apps.content.generation import GenerationRequest, ProfileSnapshot, load_library

PROFILE = ProfileSnapshot(
    name="Maria Cloud",
    headline="Cloud architect for fintech",
    areas=["AWS", "Kubernetes"],
    years_experience=14,
    industries=["fintech"],
    offers=["architecture review"],
    case_studies=[],
    tone="direct",
    language="en",
)
TEXTS = [
    "Karpenter cut our node count. Spot pools did the rest, and the bill followed.",
    "Cluster Autoscaler is boring. Boring is what you want at three in the morning.",
    "Most EKS bills grow faster than traffic. Start with requests, not with a new tool.",
]


@pytest.fixture
def asked(monkeypatch):
    """Every text the shared measure was asked about, in order."""
    questions: list[str] = []
    most_similar = similarity.SimilarityIndex.most_similar

    def recording(self, text):
        questions.append(text)
        return most_similar(self, text)

    monkeypatch.setattr(similarity.SimilarityIndex, "most_similar", recording)
    return questions


def test_the_engine_compares_a_draft_with_earlier_posts_by_the_shared_measure(asked):
    request = GenerationRequest(profile=PROFILE, topic="AWS cost control", seed=3)

    post = engine.write_post(request, load_library(), earlier_texts=TEXTS)

    assert post.text in asked


def test_plan_my_week_compares_each_draft_with_the_weeks_others_by_the_shared_measure(asked):
    week = generation.plan_week(PROFILE, count=3, seed=1, backend="template")

    assert [post.text for post in week if post.text in asked] == [post.text for post in week]


def test_the_checker_finds_near_duplicates_by_the_shared_measure(asked):
    result = linter.lint_post(TEXTS[0] + " One more line.", earlier_posts=TEXTS)

    assert asked == [TEXTS[0] + " One more line."]
    assert result.similarity > 0.8
    assert isinstance(linter.EarlierPosts(TEXTS), similarity.SimilarityIndex)


def test_no_second_measure_is_left_in_the_engine_or_plan_my_week():
    for module in (engine, generation):
        assert not [name for name in dir(module) if "tfidf" in name or name == "text_similarity"]


def test_the_measure_is_word_and_word_pair_tf_idf_cosine():
    # The definition written in the module, checked against scikit-learn's implementation of
    # it, for a text whose words and word pairs the others all have (scikit-learn drops the
    # others; the shared measure counts them towards the text's length).
    query = "Karpenter cut our node count. Spot pools did the rest"
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(TEXTS)
    expected = cosine_similarity(vectorizer.transform([query]), vectorizer.transform(TEXTS))[0]

    closest, score = similarity.SimilarityIndex(TEXTS).most_similar(query)

    assert closest == int(expected.argmax()) == 0
    assert score == pytest.approx(expected.max(), abs=1e-4)
    assert similarity.max_similarity(query + " and a new ending", TEXTS) < score


def test_texts_with_nothing_in_common_are_not_similar_at_all():
    assert similarity.max_similarity("zero trust", ["Kafka lag"]) == 0.0
    assert similarity.max_similarity("anything", []) == 0.0
    assert similarity.SimilarityIndex([""]).most_similar("anything") == (None, 0.0)
