"""The learner behind Assist: a linear classifier over the fields known when a ticket opens.

Pure (no Tuki models): the desk's training (services.py) and the UCI replay bench
(tuki/bench/assist_replay.py) feed it the same way, a record being a dict of field name to
value (text fields split into words). Each field becomes a one-hot token, and a few pairs of
fields are crossed (category with subcategory, location with category...), so that a linear
model learns "this caller's VPN trouble goes to Network Helsinki" without trees.

The reason shown with a suggestion is the nearest past records (cosine over the same
tokens) among those that went where the suggestion says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

Record = Mapping[str, str]
WORD = re.compile(r"\w{2,}", re.UNICODE)
# Fields whose value is free text: one token per distinct word.
TEXT_FIELDS = frozenset({"title", "description"})
MAX_NEIGHBOURS = 20_000  # past records kept for the reason (the most recent)


@dataclass(frozen=True)
class Prediction:
    value: str
    confidence: float
    top: list[tuple[str, float]]  # the three best, best first
    similar: list[str]  # ids of the nearest past records that went to `value`


def tokens(record: Record, crosses: Sequence[tuple[str, str]]) -> dict[str, float]:
    """The record's features: `field=value` for each field, `a×b=va|vb` for each cross."""
    out: dict[str, float] = {}
    for name, value in record.items():
        if not value:
            continue
        if name in TEXT_FIELDS:
            for word in set(WORD.findall(value.lower())):
                out[f"{name}~{word}"] = 1.0
        else:
            out[f"{name}={value}"] = 1.0
    for a, b in crosses:
        va, vb = record.get(a, ""), record.get(b, "")
        if va and vb:
            out[f"{a}×{b}={va}|{vb}"] = 1.0
    return out


def _int32(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    # DictVectorizer may build 64-bit indices, which the solvers refuse.
    csr = sparse.csr_matrix(matrix)
    csr.indices = csr.indices.astype(np.int32)
    csr.indptr = csr.indptr.astype(np.int32)
    return csr


def _normalised(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return _int32(sparse.diags(1.0 / norms) @ matrix)


class Learner:
    """Fit on past records and their outcome; predict the top values of new ones.

    Pickled whole into `AssistModel.blob` (signed, see models.py)."""

    def __init__(self, crosses: Sequence[tuple[str, str]] = (), c: float = 1.0) -> None:
        self.crosses: list[tuple[str, str]] = [(a, b) for a, b in crosses]
        self.c = c
        self.vectorizer = DictVectorizer()
        self.classifier: LogisticRegression | None = None
        self.constant: str | None = None  # the one value seen, when only one was
        self.neighbours: sparse.csr_matrix | None = None
        self.neighbour_ids: list[str] = []
        self.neighbour_labels: np.ndarray = np.array([], dtype=object)

    def features(self, records: Iterable[Record]) -> list[dict[str, float]]:
        return [tokens(r, self.crosses) for r in records]

    def fit(self, records: Sequence[Record], labels: Sequence[str], ids: Sequence[str]) -> None:
        if not records:
            raise ValueError("nothing to learn from")
        x = _int32(self.vectorizer.fit_transform(self.features(records)))
        if len(set(labels)) == 1:
            self.constant = labels[0]
        else:
            self.classifier = LogisticRegression(C=self.c, max_iter=200, tol=1e-3)
            self.classifier.fit(x, list(labels))
        keep = slice(max(0, len(records) - MAX_NEIGHBOURS), len(records))
        self.neighbours = _normalised(x[keep])
        self.neighbour_ids = list(ids[keep])
        self.neighbour_labels = np.array(labels[keep], dtype=object)

    def probabilities(self, records: Sequence[Record]) -> tuple[np.ndarray, list[str]]:
        """One row per record, one column per value (the second result names them)."""
        if self.classifier is None:
            return np.ones((len(records), 1)), [str(self.constant)]
        x = _int32(self.vectorizer.transform(self.features(records)))
        return self.classifier.predict_proba(x), [str(c) for c in self.classifier.classes_]

    def predict(self, record: Record, *, similar: int = 3) -> Prediction:
        probs, classes = self.probabilities([record])
        order = np.argsort(-probs[0])[:3]
        top = [(classes[i], float(probs[0][i])) for i in order]
        return Prediction(top[0][0], top[0][1], top, self.similar(record, top[0][0], similar))

    def similar(self, record: Record, value: str, count: int) -> list[str]:
        """Ids of the `count` past records most like `record` that went to `value`."""
        if self.neighbours is None or count <= 0:
            return []
        x = _normalised(_int32(self.vectorizer.transform(self.features([record]))))
        scores = np.asarray((self.neighbours @ x.T).todense()).ravel()
        scores[self.neighbour_labels != value] = -1.0
        best = [i for i in np.argsort(-scores, kind="stable")[:count] if scores[i] > 0]
        return [self.neighbour_ids[i] for i in best]
