"""German drafts name the profile's industries in German ("im Bereich Versicherungen"), and an
industry German has no name for stands quoted as the consultant's word, never as a German noun
("im Bereich insurance" read as a slip)."""

import re

import pytest

from apps.content import engine
from apps.content.engine.vocabulary import GERMAN_INDUSTRIES, industry_name
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

PROFILE = ProfileSnapshot(
    name="Sofia",
    headline="Security auditor",
    areas=["security audits", "Kubernetes"],
    years_experience=9,
    industries=["insurance", "healthcare", "public sector", "agritech"],
    offers=["ISO 27001 readiness audits"],
    case_studies=[],
    tone="direct",
    language="de",
)
ENGLISH_NAMES = ("insurance", "healthcare", "public sector", "agritech")


@pytest.fixture(scope="module")
def german_drafts():
    library = load_library()
    return [
        generate_post(
            GenerationRequest(profile=PROFILE, topic="Zugriffsprüfungen", framework=f, seed=s),
            templates=library,
            backend="template",
        ).text
        for f in FRAMEWORKS
        for s in range(6)
    ]


def test_the_common_industries_have_their_german_names_and_the_loanwords_stay():
    assert industry_name("insurance", "de") == "Versicherungen"
    assert industry_name("Healthcare", "de") == "Gesundheitswesen"
    assert industry_name("banking", "de") == "Bankwesen"
    assert industry_name("logistics", "de") == "Logistik"
    assert industry_name("public  sector", "de") == "öffentlicher Sektor"
    assert industry_name("retail", "de") == "Einzelhandel"
    assert industry_name("energy", "de") == "Energiewirtschaft"
    assert industry_name("fintech", "de") == "Fintech"
    assert industry_name("SaaS", "de") == "SaaS"
    assert industry_name("e-commerce", "de") == "E-Commerce"
    assert industry_name("insurance", "en") == "insurance"


def test_an_industry_typed_in_german_stays_and_an_unknown_english_one_is_quoted():
    assert industry_name("Versicherungen", "de") == "Versicherungen"
    assert industry_name("Öl und Gas", "de") == "Öl und Gas"
    assert industry_name("agritech", "de") == "„agritech“"


def test_every_german_name_reads_after_bereich_without_an_article_of_its_own():
    for name in GERMAN_INDUSTRIES.values():
        assert not re.match(r"(?i)(?:der|die|das|den|dem|des)\b", name), name


def test_german_drafts_name_the_industries_in_german(german_drafts):
    joined = "\n".join(german_drafts)
    told = re.findall(r"(?:Bereich|Teams aus) („[^“]+“|[\wÄÖÜäöüß-]+(?: Sektor)?)", joined)

    assert {"Versicherungen", "Gesundheitswesen", "öffentlicher Sektor", "„agritech“"} <= set(told)
    for name in ENGLISH_NAMES:
        bare = re.findall(rf"(?<!„){re.escape(name)}(?!“)", joined, flags=re.IGNORECASE)
        assert bare == [], name


def test_german_topic_suggestions_name_the_industry_in_german():
    topics = engine.suggest_topics(PROFILE, count=20)
    with_industry = [t for t in topics if "im Bereich" in t]

    assert with_industry
    assert not any(name in t for t in topics for name in ("insurance", "healthcare"))
