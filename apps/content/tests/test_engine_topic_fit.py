"""The typed topic decides which case study a story tells, and the consultant's own spelling
of the names in it survives a German draft."""

from apps.content import engine
from apps.content.engine.grammar import lower_first_in
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)
from apps.content.tests.test_generation_truth import story_gaps

RELEASES = {
    "client_type": "healthtech startup",
    "problem": "releases took a whole day and broke often",
    "action": "Introduced trunk-based development and a GitHub Actions deploy pipeline",
    "results": "deploys went from weekly to several a day",
    "may_name": False,
    "client_name": "",
}
REPORTING = {
    "client_type": "B2B SaaS company",
    "problem": "slow reporting queries on PostgreSQL",
    "action": "Added partial indexes and moved reporting to a read replica",
    "results": "p95 query time fell from 4 seconds to 300 ms",
    "may_name": True,
    "client_name": "Acme Ledger",
}
FRACTIONAL_CTO = ProfileSnapshot(
    name="Tom Fraction",
    headline="Fractional CTO for seed-stage startups",
    areas=["engineering leadership", "CI/CD", "PostgreSQL"],
    years_experience=18,
    industries=["healthtech", "B2B SaaS"],
    offers=["fractional CTO"],
    case_studies=[RELEASES, REPORTING],
    tone="friendly",
    language="en",
)
STORIES = [f for f in FRAMEWORKS if f in engine.STORY_FRAMEWORKS]


def stories(profile, topic, seeds=range(4)):
    library = load_library()
    for framework in STORIES:
        for seed in seeds:
            request = GenerationRequest(
                profile=profile, topic=topic, framework=framework, seed=seed
            )
            yield generate_post(request, templates=library, backend="template")


def test_a_story_tells_the_case_study_whose_words_the_topic_shares():
    for topic, told, other in (
        ("slow reporting queries", REPORTING, RELEASES),
        ("read replicas", REPORTING, RELEASES),
        ("faster releases", RELEASES, REPORTING),
        ("trunk-based development", RELEASES, REPORTING),
    ):
        for post in stories(FRACTIONAL_CTO, topic):
            text = post.text.lower()
            assert story_gaps(post.text) == [], (topic, post.template_key)
            assert told["results"].lower() in text, (topic, post.template_key)
            assert other["results"].lower() not in text, (topic, post.template_key)


def test_a_topic_without_words_in_common_keeps_to_the_case_of_its_area():
    points = engine.proof_points(FRACTIONAL_CTO)
    fitting = engine.truth.proof_points_for(points, "PostgreSQL indexing", "databases")
    assert [p.outcome for p in fitting] == [REPORTING["results"]]


def test_a_shared_word_stem_does_not_carry_a_story_into_another_area():
    retail = {
        **RELEASES,
        "problem": "a warehouse nobody trusted",
        "action": "Replaced nightly batch loads with change data capture",
        "results": "analysts won back 11 hours a week",
    }
    profile = ProfileSnapshot(**{**FRACTIONAL_CTO.__dict__, "case_studies": [retail]})
    for post in stories(profile, "zero trust for small teams", seeds=(0,)):
        assert retail["results"] not in post.text


def test_names_keep_the_consultants_capitals_where_a_plain_word_is_lowered():
    names = frozenset({"Kubernetes"})
    assert lower_first_in("Kubernetes upgrades automated", "de", names) == (
        "Kubernetes upgrades automated"
    )
    assert lower_first_in("Kubernetes upgrades automated", "en", names) == (
        "Kubernetes upgrades automated"
    )
    assert lower_first_in("GitHub Actions adopted", "en") == "GitHub Actions adopted"
    assert lower_first_in("Rebuilt the access review", "en", names) == "rebuilt the access review"


def test_a_german_draft_quotes_english_notes_with_the_areas_own_casing():
    upgrade = {
        **RELEASES,
        "problem": "Kubernetes upgrades were a yearly fire drill",
        "action": "Kubernetes upgrades automated with a tested runbook",
        "results": "upgrades now ship every quarter without downtime",
    }
    profile = ProfileSnapshot(
        **{
            **FRACTIONAL_CTO.__dict__,
            "areas": ["Kubernetes", "AWS"],
            "case_studies": [upgrade],
            "language": "de",
        }
    )
    texts = [post.text for post in stories(profile, "Kubernetes upgrades")]
    assert any("Kubernetes upgrades automated" in text for text in texts)
    assert not any("kubernetes upgrades" in text for text in texts)


AUDITOR = ProfileSnapshot(
    name="Lena Audit",
    headline="Security auditor for insurers",
    areas=["security audits", "ISO 27001", "cloud security"],
    years_experience=11,
    industries=["insurance"],
    offers=["ISO 27001 readiness audit"],
    case_studies=[],
    tone="direct",
    language="en",
)


def test_a_topic_without_vocabulary_gets_no_tools_it_never_named():
    from apps.content.engine.vocabulary import AREAS

    # the names of products ("Trivy", "OPA Gatekeeper"), not "build" or "buy"
    tools = {
        name
        for area in AREAS.values()
        for pair in area.tools
        for name in pair
        if any(c.isupper() for c in name)
    }
    library = load_library()
    for language in ("en", "de"):
        profile = ProfileSnapshot(**{**AUDITOR.__dict__, "language": language})
        for framework in FRAMEWORKS:
            if framework == "tool-comparison":
                continue  # a comparison is about two tools; it names the area's
            for seed in range(3):
                request = GenerationRequest(
                    profile=profile,
                    topic="vendor risk questionnaires",
                    framework=framework,
                    seed=seed,
                )
                text = generate_post(request, templates=library, backend="template").text
                assert "vendor risk questionnaires" in text.lower(), framework
                named = [tool for tool in tools if tool in text]
                assert named == [], (language, framework, named)


def test_a_word_two_areas_share_goes_to_the_profiles_own_area():
    from apps.content.engine.vocabulary import area_key, topic_area_key

    assert area_key("deploy pipelines for small teams") == "data"  # the word alone
    assert topic_area_key("deploy pipelines for small teams", FRACTIONAL_CTO) == "cicd"
    library = load_library()
    for framework in FRAMEWORKS:
        request = GenerationRequest(
            profile=FRACTIONAL_CTO, topic="deploy pipelines for small teams", framework=framework
        )
        text = generate_post(request, templates=library, backend="template").text
        assert not any(word in text for word in ("Kafka", "dbt", "#DataEngineering")), framework


def test_an_access_topic_on_a_cloud_provider_is_security_not_cloud_cost():
    # "least privilege in AWS" named only AWS, so a security auditor's drafts on it spoke of
    # NAT gateway charges and FinOps.
    from apps.content.engine.vocabulary import area_key

    for topic in ("least privilege in AWS", "SSO for the admin accounts", "secrets in Azure"):
        assert area_key(topic) == "security", topic
    assert area_key("AWS cost control") == "cloud"


def test_german_drafts_write_english_tool_nouns_with_capitals_and_names_as_spelt():
    from apps.content.engine.vocabulary import german_tool_name

    assert german_tool_name("feature flags") == "Feature Flags"
    assert german_tool_name("trunk-based development") == "Trunk-Based Development"
    assert german_tool_name("a tagged CUR in Athena") == "Tagged CUR in Athena"
    assert german_tool_name("dbt") == "dbt"
    assert german_tool_name("Kyverno") == "Kyverno"


def test_a_story_never_says_it_was_not_about_what_its_case_study_did():
    for post in stories(FRACTIONAL_CTO, "faster releases", seeds=range(8)):
        assert "not about trunk-based development" not in post.text, post.template_key


def test_a_lower_case_name_keeps_its_spelling_at_the_start_of_a_line():
    profile = ProfileSnapshot(
        **{**AUDITOR.__dict__, "areas": ["data engineering", "dbt", "Snowflake"]}
    )
    library = load_library()
    for framework in FRAMEWORKS:
        request = GenerationRequest(
            profile=profile, topic="dbt testing strategy", framework=framework
        )
        text = generate_post(request, templates=library, backend="template").text
        assert "Dbt" not in text, framework


WAREHOUSE = {
    "client_type": "mid-size online retailer",
    "problem": "nightly dbt runs took 6 hours and missed the 7am sales report",
    "action": "split the biggest models into incremental ones and moved heavy joins upstream",
    "results": "runs dropped to 50 minutes and the warehouse bill fell 35%",
    "may_name": False,
    "client_name": "",
}
DATA_ENGINEER = ProfileSnapshot(
    name="Mara Lindqvist",
    headline="Freelance data engineer for e-commerce teams",
    areas=["data engineering", "dbt", "Snowflake"],
    years_experience=9,
    industries=["e-commerce", "retail"],
    offers=["pipeline audit", "dbt migration"],
    case_studies=[WAREHOUSE],
    tone="direct",
    language="en",
)
STREAMING_ENGINEER = ProfileSnapshot(
    **{
        **DATA_ENGINEER.__dict__,
        "headline": "Freelance streaming engineer",
        "areas": ["Kafka", "streaming", "data pipelines"],
        "offers": ["pipeline audit"],
        "case_studies": [],
    }
)
STREAMING_WORDS = ("kafka", "schema registry", "consumer lag", "kinesis")


def drafts_on(profile, topic, language, seeds=range(2)):
    library = load_library()
    profile = ProfileSnapshot(**{**profile.__dict__, "language": language})
    for framework in FRAMEWORKS:
        for seed in seeds:
            request = GenerationRequest(
                profile=profile, topic=topic, framework=framework, seed=seed
            )
            yield framework, generate_post(request, templates=library, backend="template").text


def test_a_dbt_or_warehouse_topic_is_analytics_engineering_and_a_streaming_one_stays_data():
    from apps.content.engine.vocabulary import area_key, topic_area_key

    for topic in ("slow dbt runs", "Snowflake costs", "data warehouse costs", "ELT on BigQuery"):
        assert area_key(topic) == "analytics", topic
    for topic in ("Kafka in production", "batch vs streaming", "data pipelines that fail"):
        assert area_key(topic) == "data", topic
    assert topic_area_key("slow dbt runs", DATA_ENGINEER) == "analytics"


def test_drafts_on_slow_dbt_runs_give_warehouse_advice_not_kafka_advice():
    # A data engineer's drafts on "slow dbt runs" told her to put a schema registry in front
    # of every Kafka topic and to alert on consumer lag, with #Kafka.
    for language in ("en", "de"):
        for framework, text in drafts_on(DATA_ENGINEER, "slow dbt runs", language):
            low = text.lower()
            assert not [w for w in STREAMING_WORDS if w in low], (language, framework, text)
            if framework in engine.STORY_FRAMEWORKS:
                assert WAREHOUSE["results"] in text, (language, framework)


def test_drafts_on_kafka_in_production_still_give_streaming_advice():
    for language in ("en", "de"):
        texts = [
            text
            for _framework, text in drafts_on(STREAMING_ENGINEER, "Kafka in production", language)
        ]
        advice = [
            text
            for text in texts
            if any(w in text.lower() for w in ("schema registry", "consumer lag", "#kafka"))
        ]
        assert len(advice) >= len(texts) // 2, language
        assert not any("dbt" in text for text in texts), language


DRIFT_CASE = {
    "client_type": "a telehealth startup",
    "problem": "models silently degraded after every data change",
    "action": "added drift checks and a shadow deployment step",
    "results": "regressions caught before release",
    "may_name": False,
    "client_name": "",
}
MLOPS_LEAD = ProfileSnapshot(
    name="Priya Raman",
    headline="Fractional head of MLOps for health-tech startups",
    areas=["MLOps", "model monitoring", "data pipelines"],
    years_experience=11,
    industries=["health tech", "insurance"],
    offers=["MLOps audit in two weeks", "model monitoring setup"],
    case_studies=[DRIFT_CASE],
    tone="analytical",
    language="en",
)
# Lines only the data vocabulary says: streaming advice on a post about models.
DATA_ONLY_WORDS = ("kafka", "schema registry", "consumer lag", "airflow", "#dataplatform")
MLOPS_WORDS = (
    "drift",
    "model registry",
    "shadow mode",
    "feature",
    "training",
    "label",
    "#mlops",
    "#machinelearning",
)
MLOPS_HASHTAGS = {"#MLOps", "#MachineLearning", "#ModelMonitoring"}


def test_model_drift_monitoring_and_feature_stores_are_mlops_and_consumer_lag_stays_data():
    from apps.content.engine.vocabulary import area_key, topic_area_key

    for topic in (
        "model drift",
        "model drift in production",
        "MLOps",
        "feature store",
        "model monitoring",
        "shadow deployments",
        "Modelldrift in Produktion",
    ):
        assert area_key(topic) == "mlops", topic
    assert area_key("Kafka consumer lag") == "data"
    assert area_key("dbt") == "analytics"
    assert area_key("RAG vs fine-tuning") == "ai"
    # The topic names no word of the data pipelines the profile also lists: it is MLOps.
    assert topic_area_key("model drift in production", MLOPS_LEAD) == "mlops"
    assert topic_area_key("Kafka consumer lag", STREAMING_ENGINEER) == "data"


def test_drafts_on_model_drift_give_mlops_advice_not_kafka_advice():
    # An MLOps lead's drafts on "model drift in production" told her to put a schema registry
    # in front of every Kafka topic and to alert on consumer lag, with #Kafka: the topic had
    # no area's words, so the case study's "data change" made it a data post.
    for language in ("en", "de"):
        for framework, text in drafts_on(MLOPS_LEAD, "model drift in production", language):
            low = text.lower()
            assert not [w for w in DATA_ONLY_WORDS if w in low], (language, framework, text)
            assert [w for w in MLOPS_WORDS if w in low], (language, framework, text)
            hashtags = {word for word in text.split() if word.startswith("#")}
            assert hashtags <= MLOPS_HASHTAGS, (language, framework, hashtags)


def test_drafts_on_kafka_consumer_lag_still_give_streaming_advice():
    for language in ("en", "de"):
        texts = [
            text
            for _framework, text in drafts_on(STREAMING_ENGINEER, "Kafka consumer lag", language)
        ]
        advice = [
            text
            for text in texts
            if any(w in text.lower() for w in ("schema registry", "consumer lag", "#kafka"))
        ]
        assert len(advice) >= len(texts) // 2, language
        assert not any("#MLOps" in text or "drift" in text.lower() for text in texts), language
