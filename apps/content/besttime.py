"""Best-time suggestions: when a workspace's posts tend to do well, by weekday and local hour.

Pure functions, no database and no network. The caller turns a workspace's published posts into
`Observation`s (weekday and hour in the workspace's own time zone, an engagement rate, a weight),
`fit` turns them into a 7 x 24 `BestTimeModel`, and the model proposes slots (`top_slots`,
`suggest`) and feeds the heatmap template (`heatmap_rows`).

The model
---------
Each (weekday, hour) cell starts from a prior and moves toward what the workspace has observed:

    estimate = (prior_strength * prior_rate + sum(w * rate)) / (prior_strength + sum(w))

with ``prior_rate = baseline * PRIOR[weekday][hour]``. Evidence is pooled in "lift" space
(observed rate / the prior's rate for that cell), which gives exactly the formula above for
observations in the cell itself, and lets an observation lend a little of its lift to
neighbouring hours and, more lightly, to the same hours on adjacent weekdays, so one lucky post
cannot make a lone cell shine while its neighbours stay dark.

The baseline is the workspace's own level: its weighted mean rate divided by the weighted mean
prior multiplier of the cells it posted in. This is the workspace's mean rate, expressed for an
average working-hour slot (the prior averages 1 over working hours), so a workspace that always
posted on Tuesday at nine does not learn that Tuesday at nine is worse than the prior says merely
because the prior expects more there. Without observations the default baseline is used.

The prior
---------
PRIOR is a prior, not a measurement: a smooth weekday factor times an hour-of-day curve, shaped
after public analyses of LinkedIn engagement for business audiences, which broadly agree that
Tuesday to Thursday are the strongest days, Monday and Friday weaker, weekends weakest, that the
working morning (about 8 to 10) and midday are the best hours, with a smaller bump after work,
and that nights are close to dead:

- Sprout Social, "Best times to post on social media" / "Best times to post on LinkedIn"
  (annual reports from its customers' data): Tuesday to Thursday best, weekends least.
- Hootsuite, "The best time to post on LinkedIn" (blog, 2021): 9 a.m. on Tuesdays and
  Wednesdays.
- LinkedIn Marketing Solutions blog, "What's the best time to post on LinkedIn?" (2016),
  summarising HubSpot's research: Tuesday to Thursday, early morning, lunchtime and early
  evening, with a sweet spot around 10-11 a.m. on Tuesday.
- Buffer's summaries of the same question: Tuesday to Thursday, 7-8:30 a.m. and 5-6 p.m.

These studies disagree in details and drift over the years (HubSpot's later survey of marketers
favoured afternoons and even weekends), which is why the prior is deliberately smooth and only
moderately strong: a workspace's own posts override it after a handful of observations.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DAYS = 7
HOURS = 24

#: The window over which PRIOR averages 1: Monday to Friday, 08:00 to 17:59.
WORKING_DAYS = range(0, 5)
WORKING_HOURS = range(8, 18)

PRIOR_SOURCE = (
    "Prior (not a measurement): weekday factor x hour curve shaped after public analyses of "
    "LinkedIn engagement - Sprout Social's 'Best times to post on LinkedIn' reports, Hootsuite's "
    "'Best time to post on LinkedIn' (2021), HubSpot's research as summarised on the LinkedIn "
    "Marketing Solutions blog (2016) and Buffer: Tue-Thu strongest, weekday mornings 8-10 and "
    "midday best, weekends weakest, nights near zero."
)

# Weekday factors, Monday first. Tue-Thu strongest, Monday and Friday a step down, weekends low.
_WEEKDAY_FACTOR = (0.95, 1.12, 1.15, 1.08, 0.82, 0.38, 0.33)

# Smoothing kernel: weight an observation lends to cells by distance in hours and in weekdays.
_HOUR_KERNEL = (1.0, 0.5, 0.15)
_DAY_KERNEL = (1.0, 0.15)

# Exploration: how uncertain (in log-lift) a cell without evidence is, and how good a slot must
# look, relative to the best one still open, to be worth trying. A cell counts as under-observed
# while its evidence is below the model's prior_strength.
_PRIOR_LOG_SPREAD = 0.5
_PROMISING_SHARE = 0.5

# When more than one slot must fall on the same weekday, keep them this many hours apart.
_SAME_DAY_SPACING = 3

_MIN_BASELINE = 1e-9


def _bump(x: float, centre: float, width: float) -> float:
    return math.exp(-((x - centre) ** 2) / (2 * width**2))


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _hour_curve(hour: int) -> float:
    """Relative attention at a local hour: morning peak around 9, a midday peak, a smaller bump
    after work, fading to near zero at night."""
    awake = _logistic((hour - 6.5) / 0.8) * _logistic((21.5 - hour) / 1.0)
    shape = (
        0.35
        + 0.9 * _bump(hour, 9.0, 1.4)
        + 0.6 * _bump(hour, 12.5, 1.2)
        + 0.3 * _bump(hour, 17, 1.5)
    )
    return 0.02 + awake * shape


def _build_prior() -> tuple[tuple[float, ...], ...]:
    raw = [[_WEEKDAY_FACTOR[d] * _hour_curve(h) for h in range(HOURS)] for d in range(DAYS)]
    working = [raw[d][h] for d in WORKING_DAYS for h in WORKING_HOURS]
    mean = sum(working) / len(working)
    return tuple(tuple(v / mean for v in row) for row in raw)


#: 7 x 24 prior engagement multipliers (weekday 0 = Monday, local hour), mean 1 over working
#: hours. See the module docstring: a prior taken from published research, not a measurement.
PRIOR: tuple[tuple[float, ...], ...] = _build_prior()


@dataclass(frozen=True)
class Observation:
    """One published post: when it went out (workspace-local) and how it did."""

    weekday: int  # 0 = Monday ... 6 = Sunday, in the workspace's local time zone
    hour: int  # 0-23 local
    engagement_rate: float  # (reactions + comments + reshares) / impressions, or a proxy; 0..1
    weight: float = 1.0  # e.g. more for posts with more impressions

    def __post_init__(self):
        _check_cell(self.weekday, self.hour)
        if not math.isfinite(self.engagement_rate) or self.engagement_rate < 0:
            raise ValueError(
                f"engagement_rate must be a finite rate >= 0, not {self.engagement_rate}"
            )
        if not math.isfinite(self.weight) or self.weight < 0:
            raise ValueError(f"weight must be finite and >= 0, not {self.weight}")


def _check_cell(weekday: int, hour: int) -> None:
    if not 0 <= weekday < DAYS:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
    if not 0 <= hour < HOURS:
        raise ValueError(f"hour must be 0 to 23, not {hour}")


@dataclass(frozen=True)
class BestTimeModel:
    """Expected engagement rate per (weekday, local hour): the posterior mean of `fit`."""

    scores: tuple[tuple[float, ...], ...]  # 7 x 24
    observations: int
    prior_source: str = PRIOR_SOURCE
    # Effective (smoothed) observation weight behind each cell; empty means "none anywhere".
    evidence: tuple[tuple[float, ...], ...] = ()
    prior_strength: float = 5.0

    def score(self, weekday: int, hour: int) -> float:
        _check_cell(weekday, hour)
        return self.scores[weekday][hour]

    def evidence_at(self, weekday: int, hour: int) -> float:
        _check_cell(weekday, hour)
        return self.evidence[weekday][hour] if self.evidence else 0.0

    def top_slots(
        self,
        n: int = 5,
        *,
        exclude: Iterable[tuple[int, int]] = (),
        earliest_hour: int = 6,
        latest_hour: int = 21,
        min_gap_days: int = 1,
    ) -> list[tuple[int, int]]:
        """The n best (weekday, hour) slots, best first, between earliest_hour and latest_hour
        inclusive. Picks are spread out: weekdays at least `min_gap_days` apart (counting round
        the week) while that is possible, then at most one per weekday, and only when n exceeds
        what that allows, several per weekday at least a few hours apart."""
        return self._select(
            n,
            exclude=exclude,
            earliest_hour=earliest_hour,
            latest_hour=latest_hour,
            min_gap_days=min_gap_days,
            rng=None,
            exploration=0.0,
        )

    def suggest(
        self,
        n: int = 5,
        *,
        seed: int,
        exploration: float = 0.15,
        exclude: Iterable[tuple[int, int]] = (),
        earliest_hour: int = 6,
        latest_hour: int = 21,
        min_gap_days: int = 1,
    ) -> list[tuple[int, int]]:
        """Like `top_slots`, but each pick, with probability `exploration`, proposes a promising
        under-observed slot instead of the best one, so the model keeps learning.

        An exploring pick is a Thompson-style draw: among allowed slots other than the best one
        that still have less evidence than the prior is worth and look at least half as good as
        the best, each score is perturbed by its own uncertainty (wider with less evidence) and
        the highest draw wins. Deterministic for a seed; exploration=0 equals `top_slots`."""
        if not 0.0 <= exploration <= 1.0:
            raise ValueError(f"exploration must be between 0 and 1, not {exploration}")
        return self._select(
            n,
            exclude=exclude,
            earliest_hour=earliest_hour,
            latest_hour=latest_hour,
            min_gap_days=min_gap_days,
            rng=random.Random(seed),  # noqa: S311 - reproducible exploration, not security
            exploration=exploration,
        )

    # -- selection ---------------------------------------------------------------------------

    def _select(
        self,
        n: int,
        *,
        exclude: Iterable[tuple[int, int]],
        earliest_hour: int,
        latest_hour: int,
        min_gap_days: int,
        rng: random.Random | None,
        exploration: float,
    ) -> list[tuple[int, int]]:
        if not 0 <= earliest_hour <= latest_hour < HOURS:
            raise ValueError(
                f"need 0 <= earliest_hour <= latest_hour <= 23, got {earliest_hour}, {latest_hour}"
            )
        excluded = {(int(d), int(h)) for d, h in exclude}
        # Best first; ties go to the prior's favourite, then to the earlier slot in the week.
        ranked = sorted(
            (
                (d, h)
                for d in range(DAYS)
                for h in range(earliest_hour, latest_hour + 1)
                if (d, h) not in excluded
            ),
            key=lambda c: (-self.scores[c[0]][c[1]], -PRIOR[c[0]][c[1]], c),
        )
        picks: list[tuple[int, int]] = []
        while len(picks) < n:
            allowed = self._allowed(ranked, picks, min_gap_days)
            if not allowed:
                break
            choice = allowed[0]
            if rng is not None and rng.random() < exploration:
                choice = self._explore(allowed, rng) or choice
            picks.append(choice)
        return picks

    @staticmethod
    def _allowed(
        ranked: list[tuple[int, int]], picks: list[tuple[int, int]], min_gap_days: int
    ) -> list[tuple[int, int]]:
        """The candidates still open, under the strictest spreading rule that leaves any."""
        taken = set(picks)
        open_ = [c for c in ranked if c not in taken]
        if not picks:
            return open_
        days = [d for d, _ in picks]

        def day_gap(a: int, b: int) -> int:
            return min(abs(a - b), DAYS - abs(a - b))

        if min_gap_days >= 1:
            spaced = [c for c in open_ if all(day_gap(c[0], d) >= min_gap_days for d in days)]
            if spaced:
                return spaced
        for per_day in range(1, HOURS + 1):
            fits = [
                c
                for c in open_
                if days.count(c[0]) < per_day
                and all(abs(c[1] - h) >= _SAME_DAY_SPACING for d, h in picks if d == c[0])
            ]
            if fits:
                return fits
        return open_

    def _explore(
        self, allowed: list[tuple[int, int]], rng: random.Random
    ) -> tuple[int, int] | None:
        best_score = self.scores[allowed[0][0]][allowed[0][1]]
        candidates = [
            c
            for c in allowed[1:]
            if self.evidence_at(*c) < self.prior_strength
            and self.scores[c[0]][c[1]] >= _PROMISING_SHARE * best_score
        ]
        if not candidates:
            return None

        def draw(cell: tuple[int, int]) -> float:
            strength = self.prior_strength / (self.prior_strength + self.evidence_at(*cell))
            spread = _PRIOR_LOG_SPREAD * math.sqrt(strength)
            return math.log(max(self.scores[cell[0]][cell[1]], 1e-12)) + rng.gauss(0.0, spread)

        draws = [(draw(c), c) for c in candidates]  # one draw per candidate, in ranked order
        return max(draws, key=lambda pair: pair[0])[1]


def _smooth(grid: np.ndarray) -> np.ndarray:
    """Spread a 7 x 24 grid over neighbouring hours and adjacent weekdays, treating the week as
    one ring of 168 hours (Sunday 23:00 sits next to Monday 00:00)."""
    flat = grid.reshape(-1)
    out = np.zeros_like(flat)
    for dd, day_weight in enumerate(_DAY_KERNEL):
        for dh, hour_weight in enumerate(_HOUR_KERNEL):
            for day_sign in (1, -1) if dd else (1,):
                for hour_sign in (1, -1) if dh else (1,):
                    shift = day_sign * dd * HOURS + hour_sign * dh
                    out += day_weight * hour_weight * np.roll(flat, shift)
    return out.reshape(grid.shape)


def fit(
    observations: Sequence[Observation],
    *,
    baseline_rate: float = 0.03,
    prior_strength: float = 5.0,
) -> BestTimeModel:
    """Fit the workspace's model: the prior, shrunk toward what its posts showed (see the module
    docstring). `prior_strength` is how many observations the prior is worth per cell.
    Observation checks each one; fit_cells checks the rest and leaves out weight 0."""
    return fit_cells(
        weekdays=[o.weekday for o in observations],
        hours=[o.hour for o in observations],
        rates=[o.engagement_rate for o in observations],
        weights=[o.weight for o in observations],
        baseline_rate=baseline_rate,
        prior_strength=prior_strength,
    )


def fit_cells(
    *,
    weekdays,
    hours,
    rates,
    weights,
    baseline_rate: float = 0.03,
    prior_strength: float = 5.0,
) -> BestTimeModel:
    """`fit` from parallel sequences (or arrays) of the observations' weekdays, hours, rates
    and weights, with no Observation made per post: the dashboard fits 500 posts on every
    fresh computation. The caller vouches for what Observation checks (cells in range, rates
    and weights finite and >= 0); observations of weight 0 are left out here as in `fit`."""
    if not 0 < baseline_rate <= 1:
        raise ValueError(f"baseline_rate must be in (0, 1], not {baseline_rate}")
    if not prior_strength > 0:
        raise ValueError(f"prior_strength must be > 0, not {prior_strength}")

    prior = np.array(PRIOR)
    weights = np.asarray(weights, dtype=float)
    kept = weights > 0
    days = np.asarray(weekdays, dtype=int)[kept]
    hours = np.asarray(hours, dtype=int)[kept]
    rates = np.clip(np.asarray(rates, dtype=float)[kept], 0.0, 1.0)
    weights = weights[kept]
    used = len(weights)

    baseline = baseline_rate
    if used:
        baseline = max(float(weights @ rates) / float(weights @ prior[days, hours]), _MIN_BASELINE)
    prior_rate = baseline * prior

    weight_grid = np.zeros((DAYS, HOURS))
    lift_grid = np.zeros((DAYS, HOURS))
    if used:
        np.add.at(weight_grid, (days, hours), weights)
        np.add.at(lift_grid, (days, hours), weights * rates / prior_rate[days, hours])
    evidence = _smooth(weight_grid)
    lift = (prior_strength + _smooth(lift_grid)) / (prior_strength + evidence)
    scores = np.clip(prior_rate * lift, 0.0, 1.0)

    return BestTimeModel(
        scores=tuple(tuple(float(v) for v in row) for row in scores),
        observations=used,
        prior_source=PRIOR_SOURCE,
        evidence=tuple(tuple(float(v) for v in row) for row in evidence),
        prior_strength=float(prior_strength),
    )


def heatmap_rows(model: BestTimeModel, *, hours: Iterable[int] = range(6, 22)) -> list[dict]:
    """Rows for templates/content/_heatmap.html: one per weekday, a cell per hour, each with a
    level 0-4 relative to the best shown cell and a localised title. Each row also carries its
    cells as table cells (`cells_html`), and the first row the hours' column headings
    (`head_html`): the template wrote 128 of them one variable at a time on every fresh
    dashboard. The markup is written with plain f-strings, each title escaped once (html.escape
    is what django.utils.html.escape does, without its check for lazy strings): format_html's
    two escapes per cell cost more than the rest of the heatmap."""
    from html import escape

    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    from apps.core.numbers import number_formatter

    hours = list(hours)
    for h in hours:
        _check_cell(0, h)
    top = max((model.scores[d][h] for d in range(DAYS) for h in hours), default=0.0)
    number = number_formatter()
    title_of = gettext("%(day)s %(time)s · %(rate)s%% expected engagement")
    times = [(h, f"{h:02d}:00") for h in hours]
    rows = []
    for d in range(DAYS):
        label = str(WEEKDAYS_ABBR[d])
        scores = model.scores[d]
        cells = []
        html = []
        for h, time in times:
            score = scores[h]
            level = min(4, int(5 * score / top)) if top > 0 else 0
            title = title_of % {"day": label, "time": time, "rate": number(score * 100, 1)}
            cells.append({"hour": h, "time": time, "score": score, "level": level, "title": title})
            shown = escape(title)
            html.append(
                f'<td class="heat-{level}" title="{shown}">'
                f'<span class="visually-hidden">{shown}</span></td>'
            )
        rows.append(
            {
                "weekday": d,
                "label": label,
                "name": str(WEEKDAYS[d]),
                "cells": cells,
                "cells_html": mark_safe("".join(html)),  # every title escaped above
            }
        )
    if rows:
        rows[0]["head_html"] = mark_safe(  # hours and times: digits and a colon
            "".join(
                f'<th scope="col"><span aria-hidden="true">{h:02d}</span>'
                f'<span class="visually-hidden">{time}</span></th>'
                for h, time in times
            )
        )
    return rows
