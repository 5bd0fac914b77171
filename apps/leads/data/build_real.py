"""Build `real.csv` (training rows) and `validation/real_valid.csv` (evaluation rows only) from
the real-text set described in `README.md` beside this file.

Run from the repository root: `.venv/bin/python apps/leads/data/build_real.py [SOURCE_DIR]`
(default `../shared/leads-data`). Deterministic: a fixed seed, no clock, no network. The product
never reads SOURCE_DIR; it reads the two CSVs written here.

- `real.csv` takes rows of the set's `train.csv` only: every real lead row, every HINT3 negative
  (post-sale support: the nearest real thing to a lead that is not one), and a seeded sample of
  the large negative sources. The README of the set measured that flooding the model with all
  ~10k negatives teaches "sounds real -> not a lead"; the sample sizes keep real negatives near
  the size of the rest of the corpus, and the classifier weighs each register's leads and
  non-leads equally (see `classifier.row_weights`).
- `validation/real_valid.csv` is the set's `valid.csv`, every row, never trained on: the
  classifier's loader does not read that folder, and the operating point is chosen on it.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SEED = 14
HERE = Path(__file__).resolve().parent
TRAIN_OUT = HERE / "real.csv"
VALID_OUT = HERE / "validation" / "real_valid.csv"
# Negatives sampled per source from train.csv; sources not named here are taken whole.
SAMPLE = {"goemotions": 4000, "clinc150": 1470, "clinc150_oos": 420, "germeval2018": 2800}
FIELDS = ["text", "intent", "language", "split", "source"]


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def convert(row: dict, split: str) -> dict:
    intent = row["intent"] if row["label"] == "lead" else (row["intent"] or "other")
    return {
        "text": " ".join(row["text"].split()),
        "intent": intent,
        "language": row["lang"],
        "split": split,
        "source": row["source"],
    }


def main(source_dir: Path) -> None:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    train = rows(source_dir / "train.csv")
    chosen = []
    by_source: dict[str, list[dict]] = {}
    for row in train:
        if row["label"] == "lead" or row["source"] not in SAMPLE:
            chosen.append(row)
        else:
            by_source.setdefault(row["source"], []).append(row)
    for source, pool in sorted(by_source.items()):
        chosen += rng.sample(pool, min(SAMPLE[source], len(pool)))
    write(TRAIN_OUT, [convert(r, "train") for r in chosen])
    write(VALID_OUT, [convert(r, "valid") for r in rows(source_dir / "valid.csv")])


def write(path: Path, out: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    seen, unique = set(), []
    for row in out:
        key = row["text"].lower()
        if row["text"] and key not in seen:
            seen.add(key)
            unique.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(unique)
    print(f"{path.name}: {len(unique)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/leads-data"))
