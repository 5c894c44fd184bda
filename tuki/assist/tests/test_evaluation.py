"""The held-out test at training: split by time, scored by a learner that never saw the
newest tickets, stored with the model."""

from __future__ import annotations

from tuki.assist import evaluation, services
from tuki.assist.learning import Learner
from tuki.assist.models import Kind
from tuki.assist.tests.test_services import history  # noqa: F401  # the fixture
from tuki.conftest import Desk


def _records(n: int) -> tuple[list[dict[str, str]], list[str]]:
    records, labels = [], []
    for i in range(n):
        vpn = i % 2 == 0
        records.append({"title": "vpn drops" if vpn else "payroll crashes", "channel": "phone"})
        labels.append("network" if vpn else "apps")
    return records, labels


def test_the_newest_fifth_is_the_test_and_the_older_samples_train():
    train, test = evaluation.split(100)
    assert (train.start, train.stop, test.start, test.stop) == (0, 80, 80, 100)
    assert evaluation.split(evaluation.MIN_SAMPLES - 1) is None


def test_the_cost_is_bounded_on_a_large_desk():
    train, test = evaluation.split(200_000)
    assert test.stop - test.start == evaluation.MAX_TEST
    assert train.stop == test.start and train.stop - train.start == evaluation.MAX_TRAIN


def test_an_easy_history_scores_full_marks():
    records, labels = _records(50)
    result = evaluation.held_out(
        records, labels, Learner, times=[f"2026-01-{i % 28 + 1:02d}" for i in range(50)]
    )
    assert result["train"] == 40 and result["test"] == 10
    assert result["top1"] == result["top3"] == result["macro_f1"] == 1.0
    assert result["baseline_top1"] == 0.5
    assert result["classes_test"] == 2 and result["unseen_test"] == 0
    assert result["test_from"] == "2026-01-13"


def test_a_value_never_seen_in_training_counts_as_wrong():
    records, labels = _records(40)
    records += [{"title": "printer jams", "channel": "phone"}] * 10
    labels += ["printers"] * 10  # only in the newest fifth
    result = evaluation.held_out(records, labels, Learner)
    assert result["test"] == 10 and result["unseen_test"] == 10
    assert result["top1"] == 0.0 and result["top3"] == 0.0
    assert result["macro_f1"] == 0.0


def test_a_small_history_is_not_held_out():
    records, labels = _records(evaluation.MIN_SAMPLES - 1)
    assert evaluation.held_out(records, labels, Learner)["skipped"] == "too few samples"


def test_training_stores_the_held_out_test_with_the_model(desk: Desk, history):  # noqa: F811  # the fixture
    model = services.train(Kind.GROUP)
    assert model is not None
    held = model.metrics["held_out"]
    assert held["method"] == evaluation.METHOD
    assert held["train"] + held["test"] == model.samples == 12
    assert 0.0 <= held["top1"] <= held["top3"] <= 1.0
    assert "macro_f1" in held and held["test_from"] <= held["test_to"]
