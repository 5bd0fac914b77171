"""Score a CSV of comments offline: `manage.py leads_score INPUT.csv --output OUT.csv`.

The input needs a header with a `text` column; `headline` is used for scoring when present and
every column is copied through. Each output row gains `intent`, `intent_probability`,
`lead_probability`, `unsure` (why the model abstains, or empty), `is_lead` (lead_probability at
or above the threshold and no abstention: at the default threshold, exactly the comments whose
score reaches the default lead score) and `score` (0-100).
Rows are streamed and predicted in batches, so 100,000 rows take little memory. No database, no
web server, no worker: only the cached model in LEADS_MODEL_DIR (trained on first use). The
output is written to a temporary file and renamed at the end, so a failed run leaves no half
file behind.
"""

import csv
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.spreadsheet import csv_cell
from apps.leads.classifier import ABSTAIN_ABOVE, DEFAULT_LEAD_THRESHOLD, get_model
from apps.leads.scoring import ScoreInput, score_comment

ADDED_COLUMNS = ["intent", "intent_probability", "lead_probability", "unsure", "is_lead", "score"]
BATCH_SIZE = 1000


def _threshold(value: str) -> float:
    number = float(value)
    if not 0 < number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Classify and score the comments in a CSV (needs a 'text' column)."

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="CSV with a header and a 'text' column")
        parser.add_argument("--output", "-o", type=Path, required=True, help="CSV to write")
        parser.add_argument(
            "--threshold",
            type=_threshold,
            default=DEFAULT_LEAD_THRESHOLD,
            help=f"lead probability for is_lead, in (0, 1] (default {DEFAULT_LEAD_THRESHOLD})",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, input: Path, output: Path, threshold: float, batch_size: int, **opts):
        if not input.is_file():
            raise CommandError(f"{input}: no such file")
        csv.field_size_limit(sys.maxsize)
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        rows = leads = 0
        try:
            with (
                input.open(encoding="utf-8-sig", newline="") as source,
                os.fdopen(fd, "w", encoding="utf-8", newline="") as target,
            ):
                reader = csv.DictReader(source)
                fields = self._fields(reader, input)
                model = get_model()  # after the header check: bad input fails fast
                writer = csv.DictWriter(
                    target,
                    fieldnames=fields + [c for c in ADDED_COLUMNS if c not in fields],
                    extrasaction="ignore",
                )
                writer.writeheader()
                batch: list[dict] = []
                for row in reader:
                    batch.append(row)
                    if len(batch) >= batch_size:
                        leads += self._write(model, batch, writer, threshold)
                        rows += len(batch)
                        batch = []
                if batch:
                    leads += self._write(model, batch, writer, threshold)
                    rows += len(batch)
            os.replace(tmp, output)
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{input}: not UTF-8 text (byte {exc.start} of a read block); save it as UTF-8"
            ) from exc
        except csv.Error as exc:
            raise CommandError(f"{input}: not a readable CSV: {exc}") from exc
        finally:
            Path(tmp).unlink(missing_ok=True)
        self.stdout.write(f"Scored {rows} comments, {leads} leads, into {output}")

    @staticmethod
    def _fields(reader: csv.DictReader, path: Path) -> list[str]:
        fields = [f.strip() for f in reader.fieldnames or []]
        if "text" not in fields:
            found = ", ".join(fields) if fields else "no header"
            raise CommandError(f"{path}: needs a 'text' column in its header (found: {found})")
        reader.fieldnames = fields
        return fields

    @staticmethod
    def _write(model, batch: list[dict], writer: csv.DictWriter, threshold: float) -> int:
        predictions = model.predict_many([row.get("text") or "" for row in batch], explain=False)
        leads = 0
        for row, prediction in zip(batch, predictions, strict=True):
            row.pop(None, None)  # cells beyond the header: dropped, not copied
            is_lead = (
                prediction.unsure not in ABSTAIN_ABOVE and prediction.lead_probability >= threshold
            )
            leads += is_lead
            breakdown = score_comment(
                ScoreInput(
                    text=row.get("text") or "",
                    headline=row.get("headline") or "",
                    prediction=prediction,
                )
            )
            row.update(
                intent=prediction.intent,
                intent_probability=f"{prediction.intent_probability:.4f}",
                lead_probability=f"{prediction.lead_probability:.4f}",
                unsure=prediction.unsure,
                is_lead="true" if is_lead else "false",
                score=breakdown.score,
            )
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return leads
