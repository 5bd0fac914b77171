"""Benchmark: generating one draft with the built-in template engine.

Not a timed assertion: it prints one line and appends it to var/bench/results.jsonl. Each run
is a draft as the app writes one: the demo profile, the keys and hooks of the 12 drafts before
it, the library already loaded (it is cached after the first call), a new seed per run. A
second figure includes the near-duplicate check against the 100 posts written before it.
"""

import datetime as dt
import json
import platform
import statistics
import time
from pathlib import Path

import pytest

from apps.content.generation import (
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

pytestmark = pytest.mark.bench

RESULTS = Path(__file__).resolve().parents[2] / "var" / "bench" / "results.jsonl"
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


def record(name: str, timings: list[float], **extra) -> None:
    median_ms = statistics.median(timings) * 1000
    print(f"\n{name}: median {median_ms:.2f} ms (n={len(timings)})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "name": name,
        "median_ms": round(median_ms, 3),
        "n": len(timings),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        **extra,
    }
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(json.dumps(line) + "\n")


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


def test_bench_generate_draft_with_the_template_engine():
    timings = run(RUNS, earlier=0)

    record("generate_draft_template_engine", timings)
    assert len(timings) == RUNS


def test_bench_generate_draft_that_avoids_earlier_posts():
    timings = run(RUNS, earlier=EARLIER)

    record("generate_draft_template_engine_vs_100_earlier", timings, earlier_posts=EARLIER)
    assert len(timings) == RUNS
