"""Best-time suggestions: the research prior, learning from a workspace's posts, shrinkage,
smoothing, spread-out and exploring suggestions, and the heatmap rows and template."""

import itertools

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from apps.content.besttime import (
    PRIOR,
    PRIOR_SOURCE,
    WORKING_DAYS,
    WORKING_HOURS,
    BestTimeModel,
    Observation,
    fit,
    fit_cells,
    heatmap_rows,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
BASELINE = 0.03


def expected(weekday, hour, factor=1.0):
    """The rate the prior expects in a cell at the default baseline, times a factor."""
    return BASELINE * PRIOR[weekday][hour] * factor


def history(hours=(8, 10, 12, 14), repeats=2):
    """A workspace that posted across the working week and got what the prior expects."""
    return [
        Observation(d, h, expected(d, h))
        for d in WORKING_DAYS
        for h in hours
        for _ in range(repeats)
    ]


def lift(model, reference, weekday, hour):
    return model.score(weekday, hour) / reference.score(weekday, hour)


# -- the prior ----------------------------------------------------------------------------------


def test_prior_averages_one_over_working_hours():
    working = [PRIOR[d][h] for d in WORKING_DAYS for h in WORKING_HOURS]
    assert sum(working) / len(working) == pytest.approx(1.0)


def test_prior_prefers_midweek_mornings_over_saturday_night():
    for day in (TUE, WED, THU):
        for hour in (8, 9, 10):
            assert PRIOR[day][hour] > 5 * PRIOR[SAT][22]


def test_prior_ranks_weekdays_above_weekends_and_nights_near_zero():
    assert min(PRIOR[d][9] for d in WORKING_DAYS) > max(PRIOR[SAT][9], PRIOR[SUN][9])
    assert all(PRIOR[d][h] < 0.1 for d in range(7) for h in range(0, 5))


def test_prior_source_says_it_is_a_prior_and_cites_research():
    model = fit([])
    assert model.prior_source == PRIOR_SOURCE
    assert "not a measurement" in PRIOR_SOURCE
    assert "Sprout Social" in PRIOR_SOURCE
    assert "Hootsuite" in PRIOR_SOURCE


def test_without_observations_scores_are_the_prior_at_the_default_baseline():
    model = fit([], baseline_rate=0.04)
    assert model.observations == 0
    assert model.score(WED, 9) == pytest.approx(0.04 * PRIOR[WED][9])


def test_top_slots_without_observations_are_weekday_working_hours():
    slots = fit([]).top_slots(5)
    assert len(slots) == 5
    assert {day for day, _ in slots} == set(WORKING_DAYS)
    assert all(8 <= hour <= 13 for _, hour in slots)
    assert slots[0][0] in (TUE, WED, THU)


# -- learning, shrinkage, smoothing -------------------------------------------------------------


def test_consistent_strong_friday_afternoons_move_friday_16_into_the_top_slots():
    posts = history() + [Observation(FRI, 16, expected(FRI, 16, 3.0)) for _ in range(10)]
    model = fit(posts)
    assert (FRI, 16) in model.top_slots(5)
    assert model.score(FRI, 16) > model.score(FRI, 9)


def test_a_single_lucky_friday_afternoon_does_not():
    posts = [*history(), Observation(FRI, 16, expected(FRI, 16, 3.0))]
    model = fit(posts)
    assert (FRI, 16) not in model.top_slots(5)
    assert model.score(FRI, 16) > fit(history()).score(FRI, 16)


def test_a_workspace_posting_as_the_prior_expects_keeps_the_prior():
    model = fit(history())
    reference = fit([])
    for day, hour in [(MON, 8), (WED, 12), (FRI, 14), (SAT, 20)]:
        assert model.score(day, hour) == pytest.approx(reference.score(day, hour), rel=1e-9)


def test_baseline_is_the_workspaces_own_level():
    twice_as_engaging = [Observation(o.weekday, o.hour, o.engagement_rate * 2) for o in history()]
    model = fit(twice_as_engaging)
    assert model.score(SUN, 20) == pytest.approx(2 * fit([]).score(SUN, 20))


def test_few_observations_stay_close_to_the_prior():
    observed = 0.2
    posts = [*history(), Observation(WED, 11, observed)]
    prior_rate = fit(history()).score(WED, 11)
    score = fit(posts).score(WED, 11)
    assert prior_rate < score < observed
    assert score - prior_rate < observed - score


def test_many_observations_approach_the_observed_rate():
    observed = 0.2
    posts = history() + [Observation(WED, 11, observed) for _ in range(300)]
    assert fit(posts).score(WED, 11) == pytest.approx(observed, rel=0.05)


def test_weight_counts_like_repeated_observations():
    repeated = history() + [Observation(WED, 11, 0.2) for _ in range(4)]
    weighted = [*history(), Observation(WED, 11, 0.2, weight=4.0)]
    assert fit(weighted).score(WED, 11) == pytest.approx(fit(repeated).score(WED, 11))
    assert fit(weighted).observations == len(history()) + 1


def test_stronger_prior_moves_less():
    posts = history() + [Observation(WED, 11, 0.2) for _ in range(5)]
    assert fit(posts, prior_strength=20).score(WED, 11) < fit(posts, prior_strength=2).score(
        WED, 11
    )


def test_an_observation_raises_neighbouring_hours_a_little():
    reference = fit(history())
    model = fit([*history(), Observation(WED, 16, expected(WED, 16, 4.0))])
    own = lift(model, reference, WED, 16)
    next_hours = (lift(model, reference, WED, 15), lift(model, reference, WED, 17))
    two_away = lift(model, reference, WED, 18)
    next_day = lift(model, reference, THU, 16)
    far = lift(model, reference, SAT, 20)
    assert own > max(next_hours)
    assert min(next_hours) > two_away > far
    assert own > next_day > far
    # Out of reach, a cell moves only as much as the workspace's whole level did.
    assert far == pytest.approx(lift(model, reference, SUN, 3))


def test_zero_weight_observations_are_ignored():
    model = fit([*history(), Observation(FRI, 16, 0.9, weight=0.0)])
    assert model.score(FRI, 16) == pytest.approx(fit(history()).score(FRI, 16))


def test_a_workspace_with_no_engagement_still_ranks_by_the_prior():
    model = fit([Observation(d, 10, 0.0) for d in WORKING_DAYS])
    assert all(0.0 <= v < 1e-6 for row in model.scores for v in row)
    assert model.top_slots(1)[0][0] in (TUE, WED, THU)


@pytest.mark.parametrize(
    ("weekday", "hour", "rate", "weight"),
    [(7, 9, 0.1, 1.0), (-1, 9, 0.1, 1.0), (1, 24, 0.1, 1.0), (1, 9, -0.1, 1.0), (1, 9, 0.1, -1)],
)
def test_observations_outside_the_week_or_with_negative_numbers_are_refused(
    weekday, hour, rate, weight
):
    with pytest.raises(ValueError, match="must"):
        Observation(weekday, hour, rate, weight)


def test_scores_are_a_full_week_of_rates():
    model = fit(history())
    assert len(model.scores) == 7
    assert all(len(row) == 24 for row in model.scores)
    assert all(0.0 <= v <= 1.0 for row in model.scores for v in row)
    with pytest.raises(ValueError, match="hour"):
        model.score(MON, 24)


# -- top slots ----------------------------------------------------------------------------------


def test_top_slots_spread_picks_across_weekdays():
    slots = fit([]).top_slots(7)
    assert len({day for day, _ in slots}) == 7


def test_top_slots_keep_a_minimum_gap_between_days_while_they_can():
    slots = fit([]).top_slots(3, min_gap_days=2)
    days = sorted(day for day, _ in slots)
    gaps = [min(abs(a - b), 7 - abs(a - b)) for i, a in enumerate(days) for b in days[i + 1 :]]
    assert min(gaps) >= 2


def test_top_slots_beyond_seven_reuse_days_hours_apart():
    slots = fit([]).top_slots(10)
    assert len(slots) == len(set(slots)) == 10
    for day in range(7):
        hours = sorted(h for d, h in slots if d == day)
        assert all(b - a >= 3 for a, b in itertools.pairwise(hours))


def test_top_slots_stay_within_the_given_hours_and_respect_exclude():
    model = fit([])
    best = model.top_slots(1)[0]
    slots = model.top_slots(5, exclude=[best], earliest_hour=14, latest_hour=18)
    assert best not in slots
    assert all(14 <= hour <= 18 for _, hour in slots)


def test_top_slots_return_what_is_available_when_asked_for_more():
    slots = fit([]).top_slots(200, earliest_hour=9, latest_hour=10)
    assert len(slots) == 14
    assert fit([]).top_slots(0) == []


def test_top_slots_refuse_an_empty_window():
    with pytest.raises(ValueError, match="earliest_hour"):
        fit([]).top_slots(earliest_hour=20, latest_hour=8)


# -- suggest ------------------------------------------------------------------------------------


def test_suggest_is_deterministic_for_a_seed():
    model = fit(history())
    assert model.suggest(5, seed=42) == model.suggest(5, seed=42)


def test_suggest_differs_across_seeds_sometimes():
    model = fit(history())
    proposals = {tuple(model.suggest(5, seed=seed)) for seed in range(30)}
    assert len(proposals) > 1
    assert tuple(model.top_slots(5)) in proposals


def test_suggest_without_exploration_equals_top_slots():
    model = fit(history() + [Observation(FRI, 16, 0.1) for _ in range(6)])
    for seed in range(5):
        assert model.suggest(5, seed=seed, exploration=0) == model.top_slots(5)


def test_suggest_respects_exclude():
    model = fit(history())
    exclude = model.top_slots(3)
    for seed in range(20):
        picks = model.suggest(5, seed=seed, exploration=0.5, exclude=exclude)
        assert not set(picks) & set(exclude)


def test_suggest_explores_promising_under_observed_slots():
    posts = [Observation(d, 9, expected(d, 9)) for d in WORKING_DAYS for _ in range(40)]
    model = fit(posts)
    explored = {
        pick
        for seed in range(40)
        for pick in model.suggest(5, seed=seed, exploration=1.0)
        if pick not in model.top_slots(5)
    }
    assert explored
    for day, hour in explored:
        assert model.evidence_at(day, hour) < model.prior_strength
        best_that_day = max(model.score(day, h) for h in range(6, 22))
        assert model.score(day, hour) >= 0.5 * best_that_day


def test_suggest_spreads_picks_across_weekdays_too():
    model = fit(history())
    for seed in range(10):
        picks = model.suggest(5, seed=seed, exploration=0.5)
        assert len({day for day, _ in picks}) == 5


def test_suggest_refuses_an_exploration_outside_zero_to_one():
    with pytest.raises(ValueError, match="exploration"):
        fit([]).suggest(seed=1, exploration=1.5)


def test_a_model_built_by_hand_without_evidence_can_still_suggest():
    model = BestTimeModel(scores=fit([]).scores, observations=0, prior_source="test")
    assert model.suggest(3, seed=7, exploration=1.0)
    assert model.evidence_at(MON, 9) == 0.0


# -- heatmap ------------------------------------------------------------------------------------


def test_heatmap_rows_cover_the_week_with_levels_and_titles():
    rows = heatmap_rows(fit(history()))
    assert [row["weekday"] for row in rows] == list(range(7))
    assert rows[0]["label"] == "Mon"
    for row in rows:
        assert [cell["hour"] for cell in row["cells"]] == list(range(6, 22))
        for cell in row["cells"]:
            assert cell["level"] in range(5)
            assert f"{cell['hour']:02d}:00" in cell["title"]
            assert row["label"] in cell["title"]
            assert "expected engagement" in cell["title"]
    levels = {cell["level"] for row in rows for cell in row["cells"]}
    assert 4 in levels
    assert 0 in levels


def test_heatmap_title_reads_as_a_rate():
    model = BestTimeModel(
        scores=tuple(tuple(0.031 for _ in range(24)) for _ in range(7)), observations=0
    )
    title = heatmap_rows(model, hours=[6])[0]["cells"][0]["title"]
    assert title == "Mon 06:00 · 3.1% expected engagement"


def test_heatmap_rows_on_an_all_zero_model_are_level_zero():
    model = BestTimeModel(
        scores=tuple(tuple(0.0 for _ in range(24)) for _ in range(7)), observations=0
    )
    assert {c["level"] for row in heatmap_rows(model) for c in row["cells"]} == {0}


def test_heatmap_labels_follow_the_active_language():
    with translation.override("de"):
        rows = heatmap_rows(fit([]), hours=[9])
    assert (rows[0]["label"], rows[0]["name"]) == ("Mo", "Montag")


def test_heatmap_template_renders_an_accessible_table():
    html = render_to_string("content/_heatmap.html", {"heatmap": heatmap_rows(fit(history()))})
    assert '<div class="table-wrap' in html
    assert "<caption" in html
    assert html.count('<th scope="row"') == 7
    assert html.count('<th scope="col"') == 16 + 1
    assert (
        '<th scope="col"><span aria-hidden="true">06</span>'
        '<span class="visually-hidden">06:00</span></th>'
    ) in html
    assert "heat-4" in html
    assert 'title="Wed 09:00' in html
    assert "visually-hidden" in html


def test_fitting_from_cells_gives_the_model_fitting_from_observations_gives():
    import random

    rng = random.Random(7)
    observations = [
        Observation(
            weekday=rng.randrange(7),
            hour=rng.randrange(24),
            engagement_rate=rng.random() / 10,
            weight=rng.choice([0.0, 0.1, 1.0, rng.random() * 3]),
        )
        for _ in range(300)
    ]
    from_cells = fit_cells(
        weekdays=[o.weekday for o in observations],
        hours=[o.hour for o in observations],
        rates=[o.engagement_rate for o in observations],
        weights=[o.weight for o in observations],
        prior_strength=3.0,
    )
    assert from_cells == fit(observations, prior_strength=3.0)
    assert from_cells.observations == sum(1 for o in observations if o.weight > 0)
    assert fit_cells(weekdays=[], hours=[], rates=[], weights=[]) == fit([])
