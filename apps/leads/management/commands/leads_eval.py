"""Print the intent model's figures on the held-out split: `manage.py leads_eval`.

Per intent precision, recall, F1 and support as an aligned table, then lead versus not-lead
precision and recall at the alert threshold (`--threshold`, default the classifier's), and with
`--sweep` the same at thresholds from 0.20 to 0.85, which is how the default was chosen. The
model is the one the app serves (trained on the training split only), trained first if needed.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.leads.classifier import DEFAULT_LEAD_THRESHOLD, INTENTS, evaluate, get_model


def format_report(report: dict, *, sweep: bool = False) -> str:
    width = max(len(i) for i in INTENTS)
    lines = [f"{'intent':<{width}}  {'precision':>9}  {'recall':>6}  {'f1':>5}  {'support':>7}"]
    for intent in INTENTS:
        m = report["intents"][intent]
        lines.append(
            f"{intent:<{width}}  {m['precision']:>9.2f}  {m['recall']:>6.2f}  {m['f1']:>5.2f}"
            f"  {m['support']:>7d}"
        )
    lines.append(
        f"{'macro avg':<{width}}  {'':>9}  {'':>6}  {report['macro_f1']:>5.2f}  {report['n']:>7d}"
    )
    lines.append(f"accuracy {report['accuracy']:.2f}")
    for name, key in (("language", "accuracy_by_language"), ("source", "accuracy_by_source")):
        groups = ", ".join(f"{k} {acc:.2f} (n={n})" for k, (acc, n) in report[key].items())
        lines.append(f"accuracy by {name}: {groups}")
    lead = report["lead"]
    lines.append("")
    lines.append(
        f"lead vs not lead at threshold {lead['threshold']:.2f}: precision {lead['precision']:.2f}"
        f", recall {lead['recall']:.2f}, F1 {lead['f1']:.2f}"
        f" ({lead['flagged']} flagged, {lead['support']} leads in {report['n']} comments)"
    )
    if sweep:
        lines.append("")
        lines.append(
            f"{'threshold':>9}  {'precision':>9}  {'recall':>6}  {'f1':>5}  {'flagged':>7}"
        )
        for row in report["lead_sweep"]:
            lines.append(
                f"{row['threshold']:>9.2f}  {row['precision']:>9.3f}  {row['recall']:>6.3f}"
                f"  {row['f1']:>5.3f}  {row['flagged']:>7d}"
            )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Per-intent and lead/not-lead precision and recall on the held-out split."

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, default=DEFAULT_LEAD_THRESHOLD)
        parser.add_argument("--sweep", action="store_true", help="also lead P/R per threshold")

    def handle(self, *args, threshold: float, sweep: bool, **options):
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be in (0, 1]")
        report = evaluate(get_model(), threshold=threshold)
        self.stdout.write(format_report(report, sweep=sweep))
