"""The one similarity measure between posts.

Used by the engine (a draft that is a near-copy of the workspace's recent posts is written
again), by plan-my-week (the drafts of one week differ from each other) and by the checker's
near-duplicate rule. Keeping it in one place means "70 % similar" means the same everywhere.

The measure is the cosine of TF-IDF vectors: words of two or more letters and pairs of
neighbouring words, lower-cased; a word's weight is 1 + ln(count) times its smoothed inverse
document frequency over the texts compared with, ln((1 + n) / (1 + df)) + 1 (what
scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` computes, without
its fitting cost: a week's drafts or a hundred recent posts are prepared in a few
milliseconds). A new text's words that none of the others uses still count towards its length,
with the weight of a term never seen, so new material lowers the similarity.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy import sparse

WORD = re.compile(r"\b\w\w+\b")  # the token pattern scikit-learn uses
# Drafts at least this similar to another are written again: a margin below the checker's
# near-duplicate threshold (LintSettings.near_duplicate_threshold, 0.8).
NEAR_DUPLICATE = 0.7


@lru_cache(maxsize=1024)
def terms(text: str) -> Counter:
    """The words and neighbouring word pairs of a text, counted (shared: read, never change).

    Kept for the most recent texts: a workspace's recent posts are compared with every draft
    written for it, and counting them is most of the cost of a comparison."""
    words = WORD.findall(text.replace("\r\n", "\n").replace("\r", "\n").lower())
    counted = Counter(words)
    counted.update(map(" ".join, pairwise(words)))
    return counted


class SimilarityIndex:
    """Texts prepared once, so each later comparison costs one sparse product."""

    def __init__(self, texts: Sequence[str]):
        if isinstance(texts, str):
            raise TypeError("SimilarityIndex takes a sequence of texts, not one string")
        self.texts = tuple(texts)
        self._vocabulary: dict[str, int] = {}
        self._matrix = None
        counted = [terms(text) for text in self.texts]
        frequency: Counter = Counter()
        for counts in counted:
            frequency.update(counts.keys())
        if not frequency:
            return
        self._vocabulary = {term: column for column, term in enumerate(frequency)}
        n = len(self.texts)
        idf = np.log((1 + n) / (1 + np.fromiter(frequency.values(), float, len(frequency)))) + 1
        self._idf = idf
        self._unseen_idf = math.log(1 + n) + 1  # a document frequency of 0
        vocabulary = self._vocabulary
        columns: list[int] = []
        counts_flat: list[int] = []
        row_starts = [0]
        for counts in counted:
            columns += map(vocabulary.__getitem__, counts)
            counts_flat += counts.values()
            row_starts.append(len(columns))
        column_array = np.asarray(columns, dtype=np.int64)
        weights = (1 + np.log(np.asarray(counts_flat, dtype=float))) * idf[column_array]
        starts = np.asarray(row_starts)
        rows = np.repeat(np.arange(n), np.diff(starts))
        norms = np.sqrt(np.bincount(rows, weights=weights**2, minlength=n))
        weights /= norms[rows]  # a row with terms has a norm above 0
        self._matrix = sparse.csr_matrix(
            (weights, column_array, starts), shape=(n, len(vocabulary))
        ).tocsc()

    def __len__(self) -> int:
        return len(self.texts)

    def most_similar(self, text: str) -> tuple[int | None, float]:
        """The index of the text most similar to `text` and their similarity (0 to 1), or
        (None, 0.0) when nothing is similar at all."""
        if self._matrix is None:
            return None, 0.0
        columns, weights = [], []
        squared_norm = 0.0
        for term, count in terms(text).items():
            tf = 1 + math.log(count)
            column = self._vocabulary.get(term)
            if column is None:
                squared_norm += (tf * self._unseen_idf) ** 2
            else:
                weight = tf * float(self._idf[column])
                columns.append(column)
                weights.append(weight)
                squared_norm += weight**2
        if not columns:
            return None, 0.0
        scores = np.asarray(self._matrix[:, columns] @ np.asarray(weights)).ravel()
        best = int(scores.argmax())
        similarity = min(1.0, float(scores[best]) / math.sqrt(squared_norm))
        if similarity <= 0:
            return None, 0.0
        return best, round(similarity, 4)


def max_similarity(text: str, others: Sequence[str]) -> float:
    """How similar `text` is to the most similar of `others` (0.0 when there are none)."""
    if not others:
        return 0.0
    return SimilarityIndex(others).most_similar(text)[1]
