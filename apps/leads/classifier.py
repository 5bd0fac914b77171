"""The comment intent classifier: what does a comment under a consultant's post want?

Nine intents (`INTENTS`); five of them make the commenter a possible client (`LEAD_INTENTS`).
The model is a scikit-learn pipeline: word TF-IDF (1-2 grams) and character TF-IDF within word
boundaries (2-5 grams, for typos, lower case and German compounds) feed a class-balanced
logistic regression, wrapped in `CalibratedClassifierCV` (temperature scaling, 3 folds) so that
its probabilities can be compared with a threshold. `lead_probability` is the sum of the lead
intents' probabilities.

Training data is the corpus in `apps/leads/data/*.csv` (columns text, intent, language, split).
Rows whose split is "heldout" are never used for the model that `get_model()` serves; they are
what `evaluate()` (and `manage.py leads_eval`) measure. The model is trained on first use and
cached, in the process and as `LEADS_MODEL_DIR/<hash>.joblib`, where the hash covers the corpus
files, this module's source and the scikit-learn version: change any of them and the next
`get_model()` trains afresh. Nothing here touches the database; workspace feedback comes in as
plain `(text, intent)` pairs from the caller (`train(extra_examples=...)`).

The explanation for a prediction is the handful of words and word pairs of the comment that
pushed hardest toward the predicted intent: the comment's TF-IDF weight for a term times the
model's weight for that intent minus its mean weight over all intents.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
from django.conf import settings
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.pipeline import FeatureUnion, Pipeline

INTENTS: tuple[str, ...] = (
    "direct_inquiry",
    "pricing_question",
    "hiring_signal",
    "pain_signal",
    "referral",
    "technical_question",
    "praise",
    "spam",
    "other",
)
LEAD_INTENTS: frozenset[str] = frozenset(
    {"direct_inquiry", "pricing_question", "hiring_signal", "pain_signal", "referral"}
)
# Lead versus not-lead: a comment is a lead when lead_probability >= this. Chosen on the held-out
# split (`manage.py leads_eval --sweep`): F1 peaks at 0.40 both on the whole split (P 0.97,
# R 0.99) and on its hand-written comments alone (P 0.95, R 0.99), the more honest subset.
# Precision stays >= 0.95 there; a missed inquiry costs a consultant more than one glance at a
# false alert, and above 0.75 recall collapses. Workspaces set their own alert *score* on top.
DEFAULT_LEAD_THRESHOLD: float = 0.4

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = Path(__file__).resolve()
SPLITS = ("train", "heldout")
EXPLANATION_TERMS = 6
MIN_EXPLANATION_TERMS = 3
# Words that carry no reason on their own ("the", "we", "und"): the model may weigh them, but
# "Why this score" listing them explained nothing. A term made only of these is not shown.
EXPLANATION_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "aber",
    "als",
    "am",
    "an",
    "auch",
    "auf",
    "aus",
    "bei",
    "bin",
    "bis",
    "da",
    "das",
    "dass",
    "dem",
    "den",
    "der",
    "des",
    "die",
    "du",
    "ein",
    "eine",
    "einen",
    "er",
    "es",
    "für",
    "hat",
    "ich",
    "ihr",
    "im",
    "in",
    "ist",
    "ja",
    "mit",
    "nach",
    "nicht",
    "noch",
    "oder",
    "sie",
    "sind",
    "so",
    "über",
    "um",
    "und",
    "uns",
    "von",
    "vor",
    "war",
    "was",
    "wie",
    "wir",
    "zu",
}
_MEMORY_CACHE_SIZE = 4  # global model + a few workspaces' feedback models per process


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    split: str
    source: str = ""  # the corpus file's stem: "corpus" (templated) or "handwritten"


@dataclass(frozen=True)
class Prediction:
    intent: str
    intent_probability: float
    lead_probability: float  # sum of the lead intents' probabilities
    probabilities: dict[str, float] = field(hash=False)
    explanation: list[tuple[str, float]] = field(
        hash=False
    )  # terms toward `intent`, strongest first

    @property
    def is_lead_intent(self) -> bool:
        return self.intent in LEAD_INTENTS


# --- Corpus ----------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


def load_corpus() -> list[Example]:
    """Every labelled row of every corpus file, in file order."""
    examples = []
    for path in corpus_files():
        with path.open(encoding="utf-8", newline="") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                intent, split = row["intent"].strip(), row["split"].strip()
                if intent not in INTENTS or split not in SPLITS:
                    raise ValueError(f"{path.name}:{line}: bad intent or split: {row!r}")
                examples.append(
                    Example(row["text"], intent, row["language"].strip(), split, path.stem)
                )
    return examples


def fingerprint(text: str) -> str:
    """A short, stable key for a text (case and spacing ignored), so that a model can say what
    it was trained on without keeping commenters' words."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:16]


def _check_examples(examples: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    checked = []
    for text, intent in examples:
        if intent not in INTENTS:
            raise ValueError(f"Unknown intent {intent!r}; expected one of {', '.join(INTENTS)}")
        if text and text.strip():
            checked.append((text, intent))
    return checked


def training_examples(
    *, extra_examples: Iterable[tuple[str, str]] = (), include_heldout: bool = False
) -> list[tuple[str, str]]:
    """(text, intent) pairs to train on: the corpus' training split (plus the held-out split if
    asked, which leaves nothing honest to evaluate on), then the caller's extra examples."""
    corpus = [(e.text, e.intent) for e in load_corpus() if e.split == "train" or include_heldout]
    return corpus + _check_examples(extra_examples)


def model_hash(extra_examples: Sequence[tuple[str, str]] = (), include_heldout: bool = False):
    digest = hashlib.sha256()
    for path in corpus_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(SOURCE.read_bytes())
    digest.update(f"sklearn={sklearn.__version__}".encode())
    if include_heldout:
        digest.update(b"include_heldout")
    for text, intent in extra_examples:
        digest.update(b"\0extra\0" + text.encode() + b"\0" + intent.encode())
    return digest.hexdigest()


# --- Model -----------------------------------------------------------------------------------

_MENTION = re.compile(r"@[\w.-]+(?:\s+[A-ZÄÖÜ][\w-]+)?")
_URL = re.compile(r"https?://\S+|www\.\S+")
_DIGITS = re.compile(r"\d")
_DASHES = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
    }
)


def normalise(text: str) -> str:
    """Lower case, NFKC, plain dashes and quotes, digits as 0, @mentions and links as tokens."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = _URL.sub(" urltoken ", text)
    text = _MENTION.sub(" mentiontoken ", text)
    return _DIGITS.sub("0", text.lower())


def build_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    preprocessor=normalise,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w[\w']*\b|[?€$💰🚀👉]",  # noqa: S106
                    dtype=np.float32,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    preprocessor=normalise,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=120_000,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    classifier = CalibratedClassifierCV(
        LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000),
        method="temperature",
        cv=3,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


class IntentModel:
    """A trained pipeline plus what explaining and auditing it needs."""

    def __init__(self, pipeline: Pipeline, *, key: str, fingerprints: frozenset[str]):
        self.pipeline = pipeline
        self.key = key
        self.training_fingerprints = fingerprints  # what it was trained on (see `fingerprint`)
        classes = list(pipeline.classes_)
        self.classes: tuple[str, ...] = tuple(classes)
        self._lead_columns = np.array([c in LEAD_INTENTS for c in classes])
        # Word features come first in the union; explanations use those (readable terms).
        word = pipeline.named_steps["features"].transformer_list[0][1]
        self._n_word = len(word.vocabulary_)
        self._terms = word.get_feature_names_out()
        coef = np.mean(
            [
                c.estimator.coef_[:, : self._n_word]
                for c in pipeline.named_steps["classifier"].calibrated_classifiers_
            ],
            axis=0,
        )
        self._contrast = (coef - coef.mean(axis=0, keepdims=True)).astype(np.float32)

    @property
    def training_size(self) -> int:
        return len(self.training_fingerprints)

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]:
        """Predictions for many texts in one vectorised pass. `explain=False` skips the
        per-comment explanation (an empty list), which bulk scoring does not need."""
        if not texts:
            return []
        texts = [t or "" for t in texts]
        features = self.pipeline.named_steps["features"].transform(texts)
        probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)
        best = probabilities.argmax(axis=1)
        lead = probabilities[:, self._lead_columns].sum(axis=1)
        explanations = self._explain_rows(features, best) if explain else None
        predictions = []
        for i, row in enumerate(probabilities.tolist()):
            predictions.append(
                Prediction(
                    intent=self.classes[best[i]],
                    intent_probability=row[best[i]],
                    lead_probability=min(1.0, float(lead[i])),
                    probabilities=dict(zip(self.classes, row, strict=True)),
                    explanation=explanations[i] if explanations is not None else [],
                )
            )
        return predictions

    def explain(self, text: str, intent: str | None = None) -> list[tuple[str, float]]:
        """The terms of `text` that pushed hardest toward `intent` (default: the predicted one),
        with their weight, strongest first."""
        features = self.pipeline.named_steps["features"].transform([text or ""])
        if intent is None:
            column = int(self.pipeline.named_steps["classifier"].predict_proba(features).argmax())
        else:
            column = self.classes.index(intent)
        return self._explain_rows(features, np.array([column]))[0]

    def _explain_rows(self, features, columns: np.ndarray) -> list[list[tuple[str, float]]]:
        words = features[:, : self._n_word].tocsr()
        rows = np.repeat(columns, np.diff(words.indptr))
        contributions = words.data * self._contrast[rows, words.indices]
        result = []
        for i in range(words.shape[0]):
            start, end = words.indptr[i], words.indptr[i + 1]
            values, indices = contributions[start:end], words.indices[start:end]
            order = np.argsort(-values)
            chosen: list[tuple[str, float]] = []
            for j in order:
                if len(chosen) >= EXPLANATION_TERMS:
                    break
                term, weight = str(self._terms[indices[j]]), float(values[j])
                if weight <= 0 and len(chosen) >= MIN_EXPLANATION_TERMS:
                    break
                if term in ("?", "0") or any(term in t.split() for t, _ in chosen):
                    continue  # punctuation alone, or a word already shown in a pair
                if all(word in EXPLANATION_STOP_WORDS for word in term.split()):
                    continue
                chosen.append((term, round(weight, 4)))
            result.append(chosen)
        return result


def train(
    *, extra_examples: Iterable[tuple[str, str]] = (), include_heldout: bool = False
) -> IntentModel:
    """Train a model on the corpus' training split plus `extra_examples` ((text, intent) pairs,
    e.g. a workspace's "is a lead" / "not a lead" feedback). Deterministic for the same input."""
    extra = _check_examples(extra_examples)
    pairs = training_examples(extra_examples=extra, include_heldout=include_heldout)
    texts = [t for t, _ in pairs]
    labels = [i for _, i in pairs]
    pipeline = build_pipeline().fit(texts, labels)
    return IntentModel(
        pipeline,
        key=model_hash(extra, include_heldout),
        fingerprints=frozenset(fingerprint(t) for t in texts),
    )


# --- Cache -----------------------------------------------------------------------------------

_lock = threading.RLock()
_models: OrderedDict[str, IntentModel] = OrderedDict()


def model_dir() -> Path:
    return Path(settings.LEADS_MODEL_DIR)


def model_path(key: str) -> Path:
    return model_dir() / f"{key}.joblib"


def save_model(model: IntentModel, path: Path | None = None) -> Path:
    """Write atomically: a temporary file in the same directory, then a rename."""
    path = path or model_path(model.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".joblib")
    try:
        with os.fdopen(fd, "wb") as f:
            joblib.dump(model, f, compress=3)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _load(path: Path, key: str) -> IntentModel | None:
    try:
        model = joblib.load(path)
    except Exception:  # a truncated or stale file is retrained, not fatal
        return None
    return model if isinstance(model, IntentModel) and model.key == key else None


def get_model(
    *, extra_examples: Iterable[tuple[str, str]] = (), retrain: bool = False
) -> IntentModel:
    """The model for the current corpus and code (plus `extra_examples`, if any): from this
    process' cache, else from `LEADS_MODEL_DIR/<hash>.joblib`, else trained and saved there.
    Thread-safe; `retrain=True` trains and overwrites the cached file regardless."""
    extra = _check_examples(extra_examples)
    key = model_hash(extra)
    with _lock:
        if not retrain:
            if key in _models:
                _models.move_to_end(key)
                return _models[key]
            path = model_path(key)
            model = _load(path, key) if path.exists() else None
        else:
            model = None
        if model is None:
            model = train(extra_examples=extra)
            save_model(model)
        _models[key] = model
        while len(_models) > _MEMORY_CACHE_SIZE:
            _models.popitem(last=False)
        return model


def clear_memory_cache() -> None:
    with _lock:
        _models.clear()


# --- Evaluation ------------------------------------------------------------------------------


def heldout_examples() -> list[Example]:
    return [e for e in load_corpus() if e.split == "heldout"]


def evaluate(model: IntentModel | None = None, *, threshold: float = DEFAULT_LEAD_THRESHOLD):
    """Per-intent precision/recall/F1/support, macro F1 and accuracy, and lead versus not-lead
    precision/recall/F1 at `threshold` — on the held-out split only."""
    model = model or get_model()
    examples = heldout_examples()
    predictions = model.predict_many([e.text for e in examples], explain=False)
    truth = [e.intent for e in examples]
    predicted = [p.intent for p in predictions]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(INTENTS), zero_division=0
    )
    intents = {
        intent: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, intent in enumerate(INTENTS)
    }
    lead_truth = np.array([t in LEAD_INTENTS for t in truth])
    lead_scores = np.array([p.lead_probability for p in predictions])
    return {
        "n": len(examples),
        "intents": intents,
        "macro_f1": float(np.mean(f1)),
        "accuracy": float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])),
        "lead": lead_metrics(lead_truth, lead_scores, threshold),
        "lead_sweep": [
            lead_metrics(lead_truth, lead_scores, t)
            for t in np.round(np.arange(0.2, 0.86, 0.05), 2)
        ],
        "accuracy_by_language": _accuracy_by(examples, predicted, "language"),
        # The hand-written rows are the honest figure: no template shares their phrasing.
        "accuracy_by_source": _accuracy_by(examples, predicted, "source"),
    }


def _accuracy_by(examples: list[Example], predicted: list[str], attribute: str) -> dict:
    groups: dict[str, list[bool]] = {}
    for example, intent in zip(examples, predicted, strict=True):
        groups.setdefault(getattr(example, attribute), []).append(example.intent == intent)
    return {name: (float(np.mean(hits)), len(hits)) for name, hits in sorted(groups.items())}


def lead_metrics(truth: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    flagged = scores >= threshold
    tp = int(np.sum(flagged & truth))
    precision = tp / max(1, int(flagged.sum()))
    recall = tp / max(1, int(truth.sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": float(threshold),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": int(truth.sum()),
        "flagged": int(flagged.sum()),
    }
