"""A script's decision tree: its shape, its validation and walking it.

A tree is JSON: `{"root": "n1", "nodes": {"n1": {...}, ...}}`. Every node has a `type`:

- steps, each with `text` and `answers`, a list of `{"label": str, "next": node id}`:
  `question` (any answers), `check` (a thing to verify: answers Yes and No),
  `instruction` (one answer, Done);
- outcomes, where a path ends: `resolve` (`text` and/or `article`, a knowledge article id),
  `fill` (`values`: custom field key → value), `escalate` (`group` id, optional `note`),
  `catalogue` (`item`, a catalogue item id).

`validate` names the node of every error. A valid tree has one root, no dangling
references, no cycles, no unreachable nodes, and every path ends in an outcome.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _, gettext_lazy

STEPS = ("question", "check", "instruction")
OUTCOMES = ("resolve", "fill", "escalate", "catalogue")
TYPES = STEPS + OUTCOMES
TYPE_LABELS = {
    "question": gettext_lazy("Question"),
    "check": gettext_lazy("Check"),
    "instruction": gettext_lazy("Instruction"),
    "resolve": gettext_lazy("Resolve"),
    "fill": gettext_lazy("Fill fields"),
    "escalate": gettext_lazy("Escalate"),
    "catalogue": gettext_lazy("Open a catalogue item"),
}
MAX_NODES = 200


def empty() -> dict[str, Any]:
    return {"root": "", "nodes": {}}


def nodes(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = tree.get("nodes") if isinstance(tree, dict) else None
    return found if isinstance(found, dict) else {}


def is_outcome(node: dict[str, Any]) -> bool:
    return node.get("type") in OUTCOMES


def validate(tree: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem as (node id or "", message); empty when the tree may be published."""
    errors: list[tuple[str, str]] = []
    all_nodes = nodes(tree)
    root = tree.get("root") if isinstance(tree, dict) else None
    if not all_nodes:
        return [("", _("The script has no steps yet."))]
    if len(all_nodes) > MAX_NODES:
        errors.append(("", _("A script has at most %(n)s steps.") % {"n": MAX_NODES}))
    if not root or root not in all_nodes:
        errors.append(("", _("The script has no first step.")))
    for node_id, node in all_nodes.items():
        errors.extend((node_id, message) for message in _node_errors(node, all_nodes))
    if errors:
        return errors
    return _shape_errors(str(root), all_nodes)


def _node_errors(node: Any, all_nodes: dict[str, Any]) -> list[str]:
    if not isinstance(node, dict) or node.get("type") not in TYPES:
        return [_("Unknown step type.")]
    kind = node["type"]
    if kind in STEPS:
        return _step_errors(node, all_nodes)
    if kind == "resolve" and not (str(node.get("text") or "").strip() or node.get("article")):
        return [_("A resolution needs a text or a knowledge article.")]
    if kind == "escalate" and not node.get("group"):
        return [_("Choose the group to escalate to.")]
    if kind == "catalogue" and not node.get("item"):
        return [_("Choose the catalogue item.")]
    if kind == "fill" and not (isinstance(node.get("values"), dict) and node["values"]):
        return [_("Give at least one field value.")]
    return []


def _step_errors(node: dict[str, Any], all_nodes: dict[str, Any]) -> list[str]:
    errors = []
    if not str(node.get("text") or "").strip():
        errors.append(_("The step needs a text."))
    answers = node.get("answers")
    if not isinstance(answers, list) or not answers:
        return [*errors, _("The step needs at least one answer.")]
    for answer in answers:
        if not isinstance(answer, dict) or not str(answer.get("label") or "").strip():
            errors.append(_("An answer is empty."))
        elif not answer.get("next"):
            errors.append(
                _("The answer “%(label)s” leads nowhere: add a step under it.")
                % {"label": answer["label"]}
            )
        elif answer["next"] not in all_nodes:
            errors.append(
                _("The answer “%(label)s” leads to a step that does not exist (%(next)s).")
                % {"label": answer["label"], "next": answer["next"]}
            )
    return errors


def _shape_errors(root: str, all_nodes: dict[str, Any]) -> list[tuple[str, str]]:
    """Cycles and unreachable steps, by a depth-first walk from the root."""
    errors: list[tuple[str, str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[tuple[str, int]] = [(root, 0)]
    state[root] = 1
    while stack:
        node_id, index = stack.pop()
        answers = all_nodes[node_id].get("answers") or []
        if index < len(answers):
            stack.append((node_id, index + 1))
            nxt = answers[index]["next"]
            if state.get(nxt) == 1:
                errors.append((node_id, _("This step leads back to an earlier step (a loop).")))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, 0))
        else:
            state[node_id] = 2
    for node_id in all_nodes:
        if node_id not in state:
            errors.append((node_id, _("No path leads to this step.")))
    return errors


def next_id(tree: dict[str, Any]) -> str:
    taken = set(nodes(tree))
    number = len(taken) + 1
    while f"n{number}" in taken:
        number += 1
    return f"n{number}"


def current(tree: dict[str, Any], path: list[dict[str, Any]]) -> str:
    """The node a run stands at after its path."""
    node_id = str(tree.get("root") or "")
    for step in path:
        node = nodes(tree).get(step.get("node", ""), {})
        answers = node.get("answers") or []
        index = step.get("answer")
        if not isinstance(index, int) or not 0 <= index < len(answers):
            break
        node_id = answers[index]["next"]
    return node_id


def outline(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """The tree as rows for an indented outline: each node once, under the first answer
    leading to it, with its depth and that answer's label."""
    all_nodes = nodes(tree)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(node_id: str, depth: int, via: str) -> None:
        if node_id in seen or node_id not in all_nodes:
            return
        seen.add(node_id)
        rows.append({"id": node_id, "node": all_nodes[node_id], "depth": depth, "via": via})
        for answer in all_nodes[node_id].get("answers") or []:
            if answer.get("next"):
                visit(answer["next"], depth + 1, str(answer.get("label", "")))

    visit(str(tree.get("root") or ""), 0, "")
    for node_id in all_nodes:  # unreachable ones at the end, so they can be fixed
        visit(node_id, 0, "")
    return rows
