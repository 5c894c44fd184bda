"""The accuracy page's figures on a constructed log (conftest.py's `log`), worked out by hand."""

from __future__ import annotations

import pytest

from tuki.assist.accuracy import accuracy
from tuki.assist.models import Kind
from tuki.assist.tests.conftest import Log


def _kind(log: Log, kind: str, days: int = 30):
    figures = accuracy(log.desk.admin, days)
    return next(k for k in figures.kinds if k.kind == kind)


def test_the_outcomes_of_the_period_are_counted(log: Log):
    live = _kind(log, Kind.GROUP).live
    assert (live.shown, live.accepted, live.rejected, live.pending) == (6, 2, 2, 2)
    assert live.decided == 4 and live.acceptance == 0.5


def test_a_longer_period_takes_in_the_older_suggestions(log: Log):
    live = _kind(log, Kind.GROUP, 90).live
    assert (live.shown, live.rejected) == (7, 3)


def test_top_1_and_top_3_in_practice_score_each_settled_tickets_first_suggestion(log: Log):
    live = _kind(log, Kind.GROUP).live
    assert live.settled == 4  # t4 is open; t1's second suggestion is not its first
    assert live.top1 == 0.75  # t1, t2, t5
    assert live.top3 == 1.0  # t3's final group was its second best


def test_macro_f1_in_practice_weighs_each_group_alike(log: Log):
    # truth NH NH NH SD, suggested NH NH AP SD: NH 0.8 (precision 1, recall 2/3), AP 0, SD 1.
    assert _kind(log, Kind.GROUP).live.macro_f1 == pytest.approx((0.8 + 0 + 1) / 3)


def test_reassignments_avoided_count_right_accepted_suggestions_sent_there_first(log: Log):
    live = _kind(log, Kind.GROUP).live
    assert live.right == 3
    assert live.right_first == 2  # t1 (sent to NH first), t5 (never left the desk)
    assert live.avoided == 1  # t1: accepted
    assert live.avoidable == 1  # t2: right, but first sent to Applications
    assert live.caused == 1  # t3: accepted, but it ended with Network Helsinki


def test_categories_and_priorities_are_scored_against_the_final_values(log: Log):
    category = _kind(log, Kind.CATEGORY).live
    assert (category.shown, category.settled, category.top1) == (2, 2, 0.5)
    priority = _kind(log, Kind.PRIORITY).live
    assert (priority.shown, priority.pending, priority.settled, priority.top1) == (1, 1, 1, 1.0)
    assert priority.acceptance is None  # nothing decided


def test_the_latest_decisions_name_the_values_and_only_tickets_the_viewer_may_see(log: Log):
    recent = _kind(log, Kind.GROUP).recent
    assert [d.outcome for d in recent].count("accepted") == 2 and len(recent) == 5
    assert {d.shown_value for d in recent} >= {"Network Helsinki", "Applications"}
    # The desk's manager is no member of any group: sees none of these tickets.
    assert _recent_for(log, log.manager) == []


def _recent_for(log: Log, user):
    return next(k for k in accuracy(user).kinds if k.kind == Kind.GROUP).recent


def test_without_a_model_there_is_no_held_out_test(log: Log):
    kind = _kind(log, Kind.GROUP)
    assert kind.model is None and kind.held_out == {}
