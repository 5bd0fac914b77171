"""Benchmark: generating one draft with the built-in template engine.

Not a timed assertion: the medians go into the benchmark report (tests/bench/conftest.py).
Each run is a draft as the app writes one: the demo profile, the keys and hooks of the 12
drafts before it, the library already loaded (it is cached after the first call), a new seed
per run. The draft that also passes the near-duplicate check against the 100 posts written
before it is compared with the draft alone, in the same run; the draft alone is compared
with loading the template library uncached, the cost the cache saves on every draft.
"""

import statistics
import time

import pytest

from apps.content import engine
from apps.content.generation import (
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

pytestmark = pytest.mark.bench

RUNS = 200
RECENT = 12
EARLIER = 100
DEMO = ProfileSnapshot(
    name="Dana Demo",
    headline="Fractional CTO for B2B SaaS scale-ups",
    areas=["Kubernetes", "platform engineering", "AWS cost control", "data platforms"],
    years_experience=17,
    industries=["fintech", "logistics", "B2B SaaS"],
    offers=["fractional CTO", "architecture review", "Kubernetes migration"],
    case_studies=[
        {
            "title": "Moved a payments platform from VMs to Kubernetes",
            "outcome": "cut cloud spend 38% in 4 months with zero downtime",
        },
        {
            "title": "Rebuilt a logistics data pipeline on Kafka",
            "outcome": "reports went from 9 hours stale to under 2 minutes",
        },
    ],
    tone="direct",
    language="en",
)


def median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


def run(runs: int, *, earlier: int) -> list[float]:
    library = load_library()
    keys: list[str] = []
    hooks: list[str] = []
    texts: list[str] = []
    timings = []
    for seed in range(runs):
        request = GenerationRequest(
            profile=DEMO,
            seed=seed,
            recent_template_keys=tuple(keys[:RECENT]),
            recent_hooks=tuple(hooks[:RECENT]),
        )
        started = time.perf_counter()
        post = generate_post(
            request, templates=library, backend="template", earlier_texts=texts[:earlier]
        )
        timings.append(time.perf_counter() - started)
        keys.insert(0, post.template_key)
        hooks.insert(0, post.hook)
        texts.insert(0, post.text)
    return timings


@pytest.fixture(scope="module")
def alone() -> list[float]:
    return run(RUNS, earlier=0)


def test_bench_generate_draft_with_the_template_engine(alone, bench_report):
    assert len(alone) == RUNS
    uncached = []
    for _ in range(5):
        engine.forget_library()  # the parsed library is cached per directory
        started = time.perf_counter()
        load_library()
        uncached.append(time.perf_counter() - started)
    bench_report.add(
        "draft, template engine",
        median_ms(alone),
        "ms",
        "loading the template library uncached",
        median_ms(uncached),
        note=f"median of {RUNS}",
    )


def test_bench_generate_draft_that_avoids_earlier_posts(alone, bench_report):
    timings = run(RUNS, earlier=EARLIER)

    assert len(timings) == RUNS
    bench_report.add(
        f"draft checked against {EARLIER} earlier posts",
        median_ms(timings),
        "ms",
        "draft alone",
        median_ms(alone),
        note=f"median of {RUNS}",
    )
