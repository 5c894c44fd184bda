"""Two approvers deciding at the same moment (PostgreSQL: real row locks, real threads).

Without the locks both would count one approval of an "all" step of two, and neither would
finish it; or both would, moving the ticket twice. With them the step passes exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tuki.approvals import services
from tuki.approvals.models import Approval, ApprovalDecision, State
from tuki.tickets.models import TicketEvent


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_pass_the_step_exactly_once(desk, hw_request, managers):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    approval = services.request_approval(
        desk.operator, hw_request, steps=[{"rule": "all", "users": [m.pk for m in managers[:2]]}]
    )
    step = approval.steps.get()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def vote(user):
        try:
            barrier.wait()
            services.decide(user, step, "approve", f"yes from {user}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(m,)) for m in managers[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ApprovalDecision.objects.count() == 2
    assert Approval.objects.get().state == State.APPROVED
    moves = TicketEvent.objects.filter(ticket=hw_request, action="status", new_value="Assigned")
    assert moves.count() == 1
