"""Retrain the intent model now: `manage.py leads_train [--feedback FEEDBACK.csv]`.

Then refits, for every workspace that has given feedback in the app, its lead calibration
(apps/leads/feedback.py) against the new model: that is how a workspace's answers shape its
scoring (the `leads.refit_lead_calibration` task does the same after each answer).

Always retrains the global model (corpus training split) and overwrites its cached file in
LEADS_MODEL_DIR. With `--feedback`, a CSV with `text` and `intent` columns (for example
workspace "is a lead" / "not a lead" corrections mapped to intents), it also trains the global
corpus plus that feedback and caches it under its own hash, which `get_model(extra_examples=...)`
finds. Prints the held-out figures of what it trained.
"""

import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.tenancy import across_workspaces
from apps.leads.classifier import INTENTS, evaluate, get_model, model_path


def read_feedback(path: Path) -> list[tuple[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"text", "intent"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(
                    f"{path}: needs columns text and intent (missing: {', '.join(sorted(missing))})"
                )
            examples = []
            for line, row in enumerate(reader, start=2):
                intent = (row["intent"] or "").strip()
                if intent not in INTENTS:
                    raise CommandError(
                        f"{path}:{line}: unknown intent {intent!r} (one of {', '.join(INTENTS)})"
                    )
                if (row["text"] or "").strip():
                    examples.append((row["text"], intent))
            return examples
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text; save it as UTF-8") from exc


class Command(BaseCommand):
    help = "Retrain the intent model (global corpus, plus feedback from --feedback CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--feedback", type=Path, help="CSV with text,intent columns")

    def handle(self, *args, feedback: Path | None, **options):
        with across_workspaces(
            reason="staff command: the shared model learns from every workspace"
        ):
            runs = [("global", [])]
            if feedback:
                runs.append(("global + feedback", read_feedback(feedback)))
            # Afterwards, each workspace's calibration against the new global model.
            from apps.accounts.models import Workspace
            from apps.leads.models import Feedback
            from apps.leads.services import calibration_refit

            for name, extra in runs:
                started = time.perf_counter()
                model = get_model(extra_examples=extra, retrain=True)
                seconds = time.perf_counter() - started
                report = evaluate(model)
                lead = report["lead"]
                self.stdout.write(
                    f"{name}: trained on {model.training_size} comments in {seconds:.1f} s"
                    f" -> {model_path(model.key)}\n"
                    f"  held-out macro F1 {report['macro_f1']:.2f}, lead precision"
                    f" {lead['precision']:.2f}, recall {lead['recall']:.2f}"
                    f" at {lead['threshold']:.2f}"
                )
            for workspace in Workspace.objects.filter(
                pk__in=Feedback.objects.values("workspace_id")
            ).order_by("pk"):
                calibration = calibration_refit(workspace=workspace)
                self.stdout.write(
                    f"{workspace.slug}: calibration {calibration.offset:+.2f} from"
                    f" {calibration.answers} answers"
                )
