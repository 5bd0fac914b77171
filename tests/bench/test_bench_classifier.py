"""Benchmark: the intent classifier's throughput and single-comment latency, one process.

Not a timed assertion: each figure goes into the benchmark report (tests/bench/conftest.py)
beside the figure it is compared with in the same run. Throughput is `predict_many` over
batches of 1,000 comments with explanations (what ingestion needs) against the same without
them (what `leads_score` does); latency is `predict` (with its explanation, as ingestion calls
it) per comment, p50 and p99 over 1,000 calls after a warm-up, against the per-comment share
of a batch. Comments are drawn from the held-out split, with a fixed seed.

Drawn from 524 held-out comments, the 20,000 repeat their words, and the model keeps each
distinct word's character n-gram columns (`IntentModel._char_cache`): so the same figure is
also taken on the real validation rows, about 4,300 distinct texts, with that cache emptied
first, the cold case of a worker that has just started.

The same figures are also taken in CPU time of this process (`time.process_time`): on a shared
machine (CI, several jobs on two cores) wall-clock figures measure the neighbours too, while the
CPU-time figures say what one free core would do, which is what the issue's goals (at least
5,000 comments/s in a batch, single comment p99 at most 5 ms) are about.
"""

import random
import statistics
import time

import pytest

from apps.leads import classifier

pytestmark = pytest.mark.bench

BATCH = 1000
THROUGHPUT_COMMENTS = 20_000
LATENCY_CALLS = 1000


@pytest.fixture(scope="module")
def model():
    return classifier.get_model()


@pytest.fixture(scope="module")
def texts():
    rng = random.Random(6)
    pool = [e.text for e in classifier.heldout_examples()]
    return [rng.choice(pool) for _ in range(THROUGHPUT_COMMENTS)]


@pytest.fixture(scope="module")
def throughput(model, texts) -> dict[bool, float]:
    """Comments per second through predict_many, without and with explanations (wall clock),
    and with explanations per CPU-second ("cpu")."""
    rates = {}
    for explain in (False, True):
        model.predict_many(texts[:BATCH], explain=explain)  # warm-up
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), BATCH):
            model.predict_many(texts[i : i + BATCH], explain=explain)
        rates[explain] = len(texts) / (time.perf_counter() - started)
        if explain:
            rates["cpu"] = len(texts) / (time.process_time() - cpu)
    return rates


def test_throughput(throughput, bench_report):
    assert throughput[False] > 0
    assert throughput[True] > 0
    bench_report.add(
        "comments/s, batches of 1,000 with explanations",
        throughput[True],
        "comments/s",
        "without explanations",
        throughput[False],
    )
    bench_report.add(
        "comments/s per CPU-second, batches of 1,000 with explanations",
        throughput["cpu"],
        "comments/s",
        "goal",
        5000,
    )


def test_single_comment_latency(model, texts, throughput, bench_report):
    for text in texts[:50]:
        model.predict(text)
    timings, cpu_timings = [], []
    for text in texts[:LATENCY_CALLS]:
        started, cpu = time.perf_counter(), time.process_time()
        model.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    p50 = statistics.median(timings)
    bench_report.add(
        "latency p50, one comment with explanation",
        p50,
        "ms",
        "per-comment share of a batch of 1,000",
        1000 / throughput[True],
    )
    bench_report.add("latency p99, one comment", cuts[98], "ms", "latency p50", p50)
    cpu_p99 = statistics.quantiles(cpu_timings, n=100)[98]
    bench_report.add("latency p99 in CPU time, one comment", cpu_p99, "ms", "goal", 5)


def test_throughput_on_distinct_texts_with_a_cold_word_cache(model, throughput, bench_report):
    distinct = [e.text for e in classifier.real_validation_examples()]
    model._char_cache.clear()
    cpu = time.process_time()
    for i in range(0, len(distinct), BATCH):
        model.predict_many(distinct[i : i + BATCH], explain=True)
    rate = len(distinct) / (time.process_time() - cpu)
    assert rate > 0
    bench_report.add(
        f"comments/s per CPU-second, {len(distinct):,} distinct real texts, cold word cache",
        rate,
        "comments/s",
        "goal",
        5000,
    )
