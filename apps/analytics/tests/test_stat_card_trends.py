"""Every stat card of the dashboard has a sparkline of its own figure over the period, and
words for whoever cannot see it."""

import re

import pytest

from apps.analytics import charts

from .test_dashboard import expected_figures, history  # noqa: F401 - the shared history fixture

pytestmark = pytest.mark.django_db

CARDS = ("published", "impressions", "engagement_rate", "new_leads", "pipeline_value")
CARDS += ("converted_value",)


@pytest.mark.parametrize(
    ("days", "unit", "buckets"), [(7, "day", 8), (30, "week", (5, 6)), (90, "week", (14, 15))]
)
def test_each_cards_trend_adds_up_to_the_cards_figure(alice_client, history, days, unit, buckets):  # noqa: F811
    data = alice_client.get(f"/w/alice-co/?days={days}").context["data"]
    expected = expected_figures(history, days)
    assert data.trend_unit == unit
    assert set(data.trends) == set(CARDS)
    for key in ("published", "new_leads", "pipeline_value", "converted_value"):
        assert sum(value for _b, value in data.trends[key]) == expected[key], key
    assert sum(value for _b, value in data.trends["impressions"]) == (expected["impressions"] or 0)
    lengths = {len(trend) for trend in data.trends.values()}
    assert len(lengths) == 1
    assert lengths.pop() in (buckets if isinstance(buckets, tuple) else (buckets,))


def test_a_days_engagement_rate_is_its_posts_engagement_over_their_impressions(
    alice_client,
    history,  # noqa: F811
):
    data = alice_client.get("/w/alice-co/?days=7").context["data"]
    rates = [rate for _day, rate in data.trends["engagement_rate"] if rate is not None]
    assert rates == [pytest.approx(4.0)]  # 30 reactions, 5 comments, 5 reshares, 1,000 seen
    # Days without a measured post have no rate, rather than a rate of zero.
    assert sum(1 for _day, rate in data.trends["engagement_rate"] if rate is None) == 7


def test_every_stat_card_shows_a_sparkline_with_words(alice_client, history):  # noqa: F811
    html = alice_client.get("/w/alice-co/?days=30").content.decode()
    cards = html.split('<div class="stat">')[1:]
    assert len(cards) == len(CARDS)
    assert all(card.count('class="spark-svg"') == 1 for card in cards)
    sparks = re.findall(r'<svg class="spark-svg"[^>]*role="img" aria-label="([^"]+)"', html)
    assert len(sparks) == len(CARDS)
    assert sparks[0].startswith("Posts published by week, ")
    assert "Pipeline value by week" in sparks[4]
    assert "highest €5,000" in sparks[4]  # the amount as the card writes it
    assert "highest 4.0%" in sparks[2]


def test_a_sparkline_leaves_unknown_values_out_of_its_line():
    spark = charts.sparkline([None, 2, None, 4], label="Rate", points=["a", "b", "c", "d"])
    assert 'points="33.3,14.0 100.0,2.0"' in spark
    assert "Rate, a to d: lowest 2, highest 4, last 4." in spark
    assert charts.sparkline([None, 3, None], label="Rate") == ""  # one known value: no line
