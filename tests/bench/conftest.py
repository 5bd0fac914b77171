"""The benchmark report: `make bench` ends with one table of every figure measured.

Each benchmark records its figures through the `bench_report` fixture:

    bench_report.add("dashboard p50", 41.2, "ms", "GET /accounts/login/ p50", 9.8,
                     ratio_goal="<= 3")

A row is a figure beside the figure it is compared against, measured in the same run (or a
fixed reference, named as such), and their ratio. At the end of the session the table is
printed and written to var/bench/results-<timestamp>.md and var/bench/latest.md, with the
machine it ran on; each row is also appended to var/bench/results.jsonl, the history.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import os
import platform
import re
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"
_GOAL = re.compile(r"\s*(<=|>=|<|>)\s*([0-9.]+)\s*x?\s*")
_OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass
class Row:
    bench: str
    name: str
    measured: float | None
    unit: str
    baseline_name: str | None
    baseline: float | None
    ratio_goal: str | None
    note: str

    @property
    def ratio(self) -> float | None:
        if self.measured is None or not self.baseline:
            return None
        return self.measured / self.baseline

    @property
    def goal_met(self) -> bool | None:
        if self.ratio_goal is None or self.ratio is None:
            return None
        op, limit = _GOAL.fullmatch(self.ratio_goal).groups()
        return _OPERATORS[op](self.ratio, float(limit))


class BenchReport:
    """All rows of one pytest session, in the order the benchmarks recorded them."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.started = dt.datetime.now(dt.UTC)
        self.load_at_start = _load()

    def add(
        self,
        name: str,
        measured: float | None,
        unit: str,
        baseline_name: str | None = None,
        baseline: float | None = None,
        *,
        ratio_goal: str | None = None,
        note: str = "",
        bench: str = "",
    ) -> Row:
        """Record `measured` (None: no answer in time) beside `baseline`, both in `unit`.

        `ratio_goal` like "<= 3" or ">= 0.5" is about measured / baseline; it is reported as
        met or missed, never asserted.
        """
        if ratio_goal is not None and not _GOAL.fullmatch(ratio_goal):
            raise ValueError(f"ratio_goal must look like '<= 3', not {ratio_goal!r}")
        if (baseline_name is None) != (baseline is None):
            raise ValueError("give both baseline_name and baseline, or neither")
        row = Row(bench, name, measured, unit, baseline_name, baseline, ratio_goal, note)
        self.rows.append(row)
        line = f"{bench}: {name} = {_number(measured)} {unit}"
        if baseline is not None:
            line += f" vs {baseline_name} = {_number(baseline)} {unit}"
            line += f" -> {_ratio(row.ratio)}"
        print(line + (f" [{note}]" if note else ""))
        _append_history(row)
        return row

    # --- the report ------------------------------------------------------------------------

    def table(self) -> str:
        lines = [
            "| bench | figure | measured | compared with | baseline | ratio | goal |",
            "| --- | --- | ---: | --- | ---: | ---: | --- |",
        ]
        # Grouped by benchmark, in the order each recorded its rows (pytest-django runs
        # database tests before the others, so the run order is not the file order).
        for row in sorted(self.rows, key=lambda row: row.bench):
            goal = ""
            if row.ratio_goal:
                verdict = {True: "met", False: "missed", None: "n/a"}[row.goal_met]
                goal = f"{row.ratio_goal.strip()}x: {verdict}"
            name = row.name + (f" ({row.note})" if row.note else "")
            lines.append(
                f"| {row.bench} | {name} | {_number(row.measured)} {row.unit} | "
                f"{row.baseline_name or '—'} | "
                + (f"{_number(row.baseline)} {row.unit}" if row.baseline is not None else "—")
                + f" | {_ratio(row.ratio)} | {goal} |"
            )
        return "\n".join(lines)

    def machine(self) -> str:
        facts = machine_facts()
        return "\n".join(f"- {key}: {value}" for key, value in facts.items()) + (
            f"\n- load average at start / end: {self.load_at_start} / {_load()}"
        )

    def markdown(self, outcome: str) -> str:
        return (
            f"# Benchmark report, {self.started:%Y-%m-%d %H:%M} UTC\n\n"
            f"{self.table()}\n\n"
            "ratio = measured / baseline. Goals are reported, not asserted.\n\n"
            f"## Machine\n\n{self.machine()}\n\n{outcome}\n"
        )

    def write(self, outcome: str) -> Path:
        OUT.mkdir(parents=True, exist_ok=True)
        text = self.markdown(outcome)
        path = OUT / f"results-{self.started:%Y%m%d-%H%M%S}.md"
        path.write_text(text, encoding="utf-8")
        (OUT / "latest.md").write_text(text, encoding="utf-8")
        return path


class _BenchView:
    """`bench_report` as a test sees it: rows are labelled with the benchmark's name."""

    def __init__(self, report: BenchReport, bench: str) -> None:
        self._report, self._bench = report, bench

    def add(self, *args, **kwargs) -> Row:
        return self._report.add(*args, bench=self._bench, **kwargs)


_REPORT_KEY = pytest.StashKey[BenchReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REPORT_KEY] = BenchReport()


@pytest.fixture
def bench_report(request: pytest.FixtureRequest) -> _BenchView:
    # tests/bench/test_bench_dashboard.py -> "dashboard"
    bench = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_bench_")
    return _BenchView(request.config.stash[_REPORT_KEY], bench)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT_KEY, None)
    if report is None or not report.rows:
        return
    failed = len(terminalreporter.stats.get("failed", []))
    errors = len(terminalreporter.stats.get("error", []))
    outcome = (
        "All benchmarks ran."
        if not failed and not errors
        else f"{failed} benchmark(s) failed, {errors} error(s): their rows may be missing."
    )
    path = report.write(outcome)
    terminalreporter.write_sep("=", "benchmark report")
    terminalreporter.write_line(report.table())
    terminalreporter.write_line("")
    terminalreporter.write_line(report.machine())
    terminalreporter.write_line(f"written to {path.relative_to(ROOT)} and var/bench/latest.md")


# --- helpers -------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return "no answer"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    if ratio < 0.1:
        return f"{ratio:.3f}x (1/{1 / ratio:,.0f})"
    return f"{ratio:.2f}x"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _append_history(row: Row) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    entry = {
        **asdict(row),
        "ratio": row.ratio,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
    }
    with (OUT / "results.jsonl").open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry) + "\n")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres", "pgsql")):
        return (
            f"{postgres_version(url)} (DATABASE_URL), in process and for the dashboard's "
            "gunicorn alike"
        )
    return f"SQLite {sqlite3.sqlite_version} (in memory in process; a file for the dashboard)"


def postgres_version(url: str) -> str:
    """ "PostgreSQL 15.4" for the server DATABASE_URL names, asked directly (pytest-django
    allows no database access outside a test)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    # The server's maintenance database: DATABASE_URL's own may not exist (tests make theirs).
    server = urlsplit(url)._replace(scheme="postgresql", path="/postgres")
    try:
        with psycopg.connect(urlunsplit(server), connect_timeout=10) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as error:
        return f"PostgreSQL (version unknown: {error.__class__.__name__})"
    return f"PostgreSQL {version.split()[0]}"


def _commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return sha + (" with uncommitted changes" if dirty else "")


def machine_facts() -> dict[str, str]:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "CPU": f"{_cpu_model()}, {cores} cores available",
        "RAM": _ram(),
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "database": _database(),
        "commit": _commit(),
    }
