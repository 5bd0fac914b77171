"""Benchmark: the intent classifier's throughput and single-comment latency, one process.

Not a timed assertion: it prints one line per figure and appends them to
var/bench/results.jsonl. Throughput is `predict_many` over batches of 1,000 comments without
explanations (what `leads_score` does) and with them; latency is `predict` (with its
explanation, as ingestion calls it) per comment, p50 and p99 over 1,000 calls after a warm-up.
Comments are drawn from the held-out split, with a fixed seed.
"""

import datetime as dt
import json
import platform
import random
import statistics
import time
from pathlib import Path

import pytest

from apps.leads import classifier

pytestmark = pytest.mark.bench

RESULTS = Path(__file__).resolve().parents[2] / "var" / "bench" / "results.jsonl"
BATCH = 1000
THROUGHPUT_COMMENTS = 20_000
LATENCY_CALLS = 1000


def record(name: str, value: float, unit: str, **extra) -> None:
    print(f"classifier: {name} = {value:,.2f} {unit}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    row = {
        "bench": "classifier",
        "figure": name,
        "value": round(value, 4),
        "unit": unit,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        **extra,
    }
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


@pytest.fixture(scope="module")
def model():
    return classifier.get_model()


@pytest.fixture(scope="module")
def texts():
    rng = random.Random(6)
    pool = [e.text for e in classifier.heldout_examples()]
    return [rng.choice(pool) for _ in range(THROUGHPUT_COMMENTS)]


@pytest.mark.parametrize("explain", [False, True])
def test_throughput(model, texts, explain):
    model.predict_many(texts[:BATCH], explain=explain)  # warm-up
    started = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        model.predict_many(texts[i : i + BATCH], explain=explain)
    seconds = time.perf_counter() - started
    name = "comments_per_second" + ("_with_explanations" if explain else "")
    record(name, len(texts) / seconds, "comments/s", batch=BATCH, comments=len(texts))


def test_single_comment_latency(model, texts):
    for text in texts[:50]:
        model.predict(text)
    timings = []
    for text in texts[:LATENCY_CALLS]:
        started = time.perf_counter()
        model.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    record("latency_p50", statistics.median(timings), "ms", calls=len(timings))
    record("latency_p99", cuts[98], "ms", calls=len(timings))
