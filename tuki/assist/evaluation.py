"""How good a model is, measured when it is trained: a held-out test by time.

`services.train` fits the model it keeps on every sample; this module fits a second, throw-away
learner of the same make on the older samples only and scores it on the newest ones, which
it never saw. The split is by time, not at random: a desk's tickets drift (new groups, new
kinds of trouble), and a random split would score the model on tickets older than some it
learnt from, which flatters it. It is one split (not rolling-origin): one extra fit, so a
retraining costs at most about twice the fit of the model itself.

1. The samples arrive oldest first. The newest TEST_SHARE of them (at most MAX_TEST) are the
   test; the samples before them (the most recent MAX_TRAIN) are the training part.
2. A learner is fitted on the training part and predicts the test part in one batch
   (probabilities only: no reason is looked up).
3. Scored: top-1 (the best value is the truth), top-3 (the truth is among the best three),
   macro-F1 over the values that occur in the test's truth or predictions (each value's F1
   counts the same, so rare groups weigh as much as busy ones), and, for comparison, the top-1
   of always answering the training part's most common value.

Pure: no Tuki models, so it can be tested on plain records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from tuki.assist.learning import Learner, Record

TEST_SHARE = 0.2  # the newest fifth of the samples is the test
MAX_TEST = 5_000  # the newest samples scored, at most
MAX_TRAIN = 20_000  # the samples just before the test the evaluation learner fits on, at most
MIN_TEST = 2  # fewer test samples than this: no evaluation
MIN_SAMPLES = 10  # fewer samples in all: no evaluation (the model is still trained)
METHOD = "held-out by time"


def split(count: int) -> tuple[slice, slice] | None:
    """The training and test positions among `count` samples (oldest first), or None."""
    if count < MIN_SAMPLES:
        return None
    test = min(MAX_TEST, max(MIN_TEST, round(count * TEST_SHARE)))
    start = count - test
    return slice(max(0, start - MAX_TRAIN), start), slice(start, count)


def held_out(
    records: Sequence[Record],
    labels: Sequence[str],
    make: Callable[[], Learner],
    *,
    times: Sequence[str] = (),
) -> dict[str, Any]:
    """Score a learner made by `make` on the newest samples, fitted on the older ones.

    `records` and `labels` are in time order, oldest first; `times` (ISO dates, same order)
    name the period the test covers. The answer is stored in `AssistModel.metrics`.
    """
    parts = split(len(records))
    if parts is None:
        return {"method": METHOD, "skipped": "too few samples", "samples": len(records)}
    train, test = parts
    truth = list(labels[test])
    learner = make()
    learner.fit(records[train], labels[train], [str(i) for i in range(train.start, train.stop)])
    probs, classes = learner.probabilities(records[test])
    best = np.argsort(-probs, axis=1, kind="stable")[:, :3]
    top3 = [[classes[i] for i in row] for row in best]
    predicted = [row[0] for row in top3]
    common = Counter(labels[train]).most_common(1)[0][0]
    result: dict[str, Any] = {
        "method": METHOD,
        "train": train.stop - train.start,
        "test": len(truth),
        "top1": _share(sum(p == t for p, t in zip(predicted, truth, strict=True)), len(truth)),
        "top3": _share(sum(t in row for row, t in zip(top3, truth, strict=True)), len(truth)),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "baseline_top1": _share(sum(t == common for t in truth), len(truth)),
        "classes_train": len(set(labels[train])),
        "classes_test": len(set(truth)),
        "unseen_test": sum(t not in set(classes) for t in truth),
    }
    if times:
        result["test_from"], result["test_to"] = times[test.start], times[test.stop - 1]
    return result


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
