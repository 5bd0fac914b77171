"""Print the lead classifier's figures: `manage.py leads_eval`.

First what matters: per source and language of the real validation rows
(`apps/leads/data/validation/real_valid.csv`, never trained on) and on the hand-written
held-out comments ("hw"), lead recall, false-positive rate and precision for the model at the
operating point and for the keyword rule (`apps/leads/keyword_rule.py`) side by side; with
`--sweep`, the same per threshold, which is how the operating point was chosen. Then, as
before, the templated held-out split: per intent precision, recall, F1 and support as an
aligned table, then lead versus not-lead precision and recall at the alert threshold
(`--threshold`, default the classifier's), and with `--sweep` the same at thresholds from 0.20
to 0.85. The
model is the one the app serves (trained on the training split only), trained first if needed.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.leads.classifier import (
    DEFAULT_LEAD_THRESHOLD,
    INTENTS,
    evaluate,
    evaluate_real,
    get_model,
)


def _figure(value) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def format_real(report: dict, *, sweep: bool = False) -> str:
    """The real-text table: one row per source/language, model and keyword rule side by side."""
    width = max(len(name) for name in report["groups"])
    metrics = ("recall", "fpr", "precision")
    head = "  ".join(f"{m:>9}" for m in metrics)
    lines = [
        f"real validation and hand-written held-out comments, lead threshold"
        f" {report['threshold']:.2f}",
        f"{'':<{width}}  {'':>5}  {'':>5}  {'model':^{len(head)}}"
        f"  |  {'keyword rule':^{len(head)}}",
        f"{'source/language':<{width}}  {'n':>5}  {'leads':>5}  {head}  |  {head}",
    ]
    for name, row in report["groups"].items():
        model = "  ".join(f"{_figure(row['model'][m]):>9}" for m in metrics)
        keyword = "  ".join(f"{_figure(row['keyword'][m]):>9}" for m in metrics)
        lines.append(f"{name:<{width}}  {row['n']:>5d}  {row['leads']:>5d}  {model}  |  {keyword}")
    if sweep:
        lines.append("")
        lines.append(
            f"{'threshold':>9}  {'real recall':>11}  {'hw recall':>9}"
            f"  {'worst FPR, negative-only source':>31}  {'worst FPR, any source':>21}"
        )
        for row in report["sweep"]:
            lines.append(
                f"{row['threshold']:>9.2f}  {row['recall']:>11.3f}  {row['hw_recall']:>9.3f}"
                f"  {row['max_negative_source_fpr']:>31.3f}  {row['max_fpr']:>21.3f}"
                f" ({row['worst_source']})"
            )
    return "\n".join(lines)


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
    keyword = report["keyword_lead"]
    lines.append(
        f"keyword rule, same comments: precision {keyword['precision']:.2f}, recall"
        f" {keyword['recall']:.2f}, F1 {keyword['f1']:.2f} ({keyword['flagged']} flagged)"
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
    help = (
        "Lead recall, false-positive rate and precision on real validation text per source and"
        " language (model and keyword rule), then per-intent figures on the templated split."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, default=DEFAULT_LEAD_THRESHOLD)
        parser.add_argument("--sweep", action="store_true", help="also lead P/R per threshold")

    def handle(self, *args, threshold: float, sweep: bool, **options):
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be in (0, 1]")
        model = get_model()
        self.stdout.write(format_real(evaluate_real(model, threshold=threshold), sweep=sweep))
        self.stdout.write("")
        self.stdout.write("templated held-out split")
        self.stdout.write(format_report(evaluate(model, threshold=threshold), sweep=sweep))
