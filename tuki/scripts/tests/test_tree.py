"""Tree validation: every path ends in an outcome, no dangling references, no cycles, one root."""

from __future__ import annotations

from typing import Any

from tuki.scripts import tree


def q(text: str, *nexts: str) -> dict[str, Any]:
    return {
        "type": "question",
        "text": text,
        "answers": [{"label": f"a{i}", "next": n} for i, n in enumerate(nexts)],
    }


RESOLVE = {"type": "resolve", "text": "Fixed"}


def test_a_tree_ending_in_outcomes_is_valid() -> None:
    t = {
        "root": "n1",
        "nodes": {"n1": q("Q", "n2", "n3"), "n2": RESOLVE, "n3": {"type": "escalate", "group": 1}},
    }
    assert tree.validate(t) == []


def test_an_empty_tree_is_refused() -> None:
    assert tree.validate(tree.empty())


def test_a_missing_root_is_named() -> None:
    t = {"root": "", "nodes": {"n2": RESOLVE}}
    assert ("", "The script has no first step.") in tree.validate(t)


def test_a_dangling_reference_names_the_node() -> None:
    t = {"root": "n1", "nodes": {"n1": q("Q", "n9")}}
    errors = tree.validate(t)
    assert errors[0][0] == "n1" and "n9" in errors[0][1]


def test_an_answer_leading_nowhere_is_named() -> None:
    t = {"root": "n1", "nodes": {"n1": q("Q", "n2", ""), "n2": RESOLVE}}
    assert [node for node, _ in tree.validate(t)] == ["n1"]


def test_a_cycle_is_found() -> None:
    t = {"root": "n1", "nodes": {"n1": q("Q", "n2"), "n2": q("R", "n1")}}
    assert any("loop" in message for _, message in tree.validate(t))


def test_an_unreachable_node_is_named() -> None:
    t = {"root": "n1", "nodes": {"n1": q("Q", "n2"), "n2": RESOLVE, "n3": RESOLVE}}
    assert tree.validate(t) == [("n3", "No path leads to this step.")]


def test_empty_answers_and_texts_are_refused() -> None:
    t = {"root": "n1", "nodes": {"n1": {"type": "question", "text": "", "answers": []}}}
    messages = [m for _, m in tree.validate(t)]
    assert "The step needs a text." in messages
    assert "The step needs at least one answer." in messages


def test_outcomes_need_their_target() -> None:
    for node in (
        {"type": "escalate"},
        {"type": "catalogue"},
        {"type": "fill", "values": {}},
        {"type": "resolve", "text": ""},
    ):
        t = {"root": "n1", "nodes": {"n1": q("Q", "n2"), "n2": node}}
        assert tree.validate(t)[0][0] == "n2"


def test_an_unknown_type_is_refused() -> None:
    t = {"root": "n1", "nodes": {"n1": {"type": "dance"}}}
    assert tree.validate(t) == [("n1", "Unknown step type.")]


def test_current_follows_the_path() -> None:
    t = {"root": "n1", "nodes": {"n1": q("Q", "n2", "n3"), "n2": RESOLVE, "n3": RESOLVE}}
    assert tree.current(t, []) == "n1"
    assert tree.current(t, [{"node": "n1", "answer": 1}]) == "n3"
