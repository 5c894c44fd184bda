"""Versions, publishing, runs and their transcript, statistics."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.lib.testing import query_budget
from tuki.scripts import services
from tuki.scripts.models import RunOutcome, Script, ScriptVersion, VersionState
from tuki.scripts.tests.helpers import build_vpn_script
from tuki.scripts.views.stats import version_stats
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Comment

pytestmark = pytest.mark.django_db


def test_only_administrators_build(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.create_script(desk.operator, name="x")
    assert not Script.objects.exists()


def test_a_name_is_required(desk: Desk) -> None:
    with pytest.raises(ServiceError) as exc:
        services.create_script(desk.admin, name="  ")
    assert exc.value.field == "name"


def test_publishing_an_invalid_tree_names_the_node(desk: Desk) -> None:
    script = services.create_script(desk.admin, name="S")
    n1 = services.add_node(desk.admin, script, kind="question")
    services.update_node(desk.admin, script, n1, {"text": "Q?", "answers": ["Yes"]})
    with pytest.raises(ServiceError) as exc:
        services.publish(desk.admin, script)
    assert exc.value.field == "tree" and exc.value.message.startswith("n1:")
    assert services.published(script) is None


def test_publish_freezes_and_editing_makes_a_new_draft(desk: Desk) -> None:
    script = build_vpn_script(desk)
    v1 = services.published(script)
    assert v1 is not None and v1.number == 1 and services.draft(script) is None
    draft = services.edit_draft(desk.admin, script)
    assert draft.number == 2 and draft.tree == v1.tree
    services.update_node(desk.admin, script, "n1", {"text": "Is it on?", "answers": ["Yes", "No"]})
    v1.refresh_from_db()
    assert v1.tree["nodes"]["n1"]["text"] == "Is the laptop online?"
    services.publish(desk.admin, script)
    states = dict(ScriptVersion.objects.filter(script=script).values_list("number", "state"))
    assert states == {1: VersionState.RETIRED, 2: VersionState.PUBLISHED}


def test_deleting_a_node_removes_what_follows(desk: Desk) -> None:
    script = build_vpn_script(desk)
    services.delete_node(desk.admin, script, "n2")
    tree = services.draft(script).tree  # type: ignore[union-attr]
    assert set(tree["nodes"]) == {"n1", "n5"}
    assert tree["nodes"]["n1"]["answers"][0]["next"] == ""


def test_a_run_walks_back_and_records_its_transcript(desk: Desk) -> None:
    script = build_vpn_script(desk)
    run = services.start_run(desk.operator, script)
    services.answer(desk.operator, run, 0)
    services.answer(desk.operator, run, 1)
    services.back(desk.operator, run)
    services.answer(desk.operator, run, 0)
    services.answer(desk.operator, run, 0)
    assert services.outcome_node(run)["type"] == "resolve"  # type: ignore[index]
    ticket = ticket_services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    services.finish(desk.operator, run, ticket)
    run.refresh_from_db()
    assert run.ticket == ticket and run.outcome == RunOutcome.RESOLVE and run.outcome_node == "n4"
    assert [row["answer"] for row in services.transcript(run)] == ["Yes", "Yes", "Yes"]
    note = Comment.objects.get(ticket=ticket, is_internal=True)
    assert "Is the VPN client installed? → Yes" in note.body


def test_a_bad_answer_is_a_field_error(desk: Desk) -> None:
    run = services.start_run(desk.operator, build_vpn_script(desk))
    with pytest.raises(ServiceError) as exc:
        services.answer(desk.operator, run, 7)
    assert exc.value.field == "answer" and run.path == []


def test_an_abandoned_run_records_where(desk: Desk) -> None:
    run = services.start_run(desk.operator, build_vpn_script(desk))
    services.answer(desk.operator, run, 0)
    services.abandon(desk.operator, run)
    assert run.outcome == RunOutcome.ABANDONED and run.dropped_at == "n2"
    with pytest.raises(ServiceError):
        services.answer(desk.operator, run, 0)


def test_requesters_do_not_run_scripts(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.start_run(desk.requester, build_vpn_script(desk))


def test_statistics_count_uses_resolutions_and_drop_outs(desk: Desk) -> None:
    script = build_vpn_script(desk)
    ticket = ticket_services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    for answers, finish in (([0, 0, 0], True), ([0, 0, 0], True), ([0], False), ([], False)):
        run = services.start_run(desk.operator, script)
        for a in answers:
            services.answer(desk.operator, run, a)
        if finish:
            services.finish(desk.operator, run, ticket)
        else:
            services.abandon(desk.operator, run)
    with query_budget(2):
        rows = version_stats(script.pk)
    [row] = rows
    assert (row["uses"], row["resolved"], row["dropped"], row["rate"]) == (4, 2, 2, 50)
    assert sorted((d["node"], d["count"]) for d in row["drops"]) == [("n1", 1), ("n2", 1)]
