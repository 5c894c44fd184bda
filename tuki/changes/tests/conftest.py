"""Change management on top of the desk: a CAB (the lead approves) and an ECAB (the admin
approves), set as the desk's advisory boards; a restricted normal change of Network Helsinki
(other_agent, of Applications, may not see it); an approved standard change template."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tuki.approvals import services as approvals
from tuki.approvals.models import ApprovalTemplate
from tuki.changes import services
from tuki.changes.models import Change, ChangeSettings, ChangeTemplate, TemplateState
from tuki.conftest import Desk


@dataclass
class Board:
    cab: ApprovalTemplate
    ecab: ApprovalTemplate
    change: Change  # normal, restricted, Network Helsinki's, new
    template: ChangeTemplate  # approved


def board_template(name: str, approver_id: int) -> ApprovalTemplate:
    return ApprovalTemplate.objects.create(
        name=name, kinds=["change"], steps=[{"rule": "any", "users": [approver_id], "group": None}]
    )


def approve(change: Change, approver) -> None:
    """The latest pending approval's open step, approved by `approver`."""
    approval = change.ticket.approvals.get(state="pending")
    step = approval.steps.get(state="pending")
    approvals.decide(approver, step, "approve", "Fine.")


@pytest.fixture
def board(desk: Desk) -> Board:
    cab = board_template("CAB", desk.lead.pk)
    ecab = board_template("ECAB", desk.admin.pk)
    settings = ChangeSettings.load()
    settings.cab, settings.ecab = cab, ecab
    settings.save()
    change = services.create_change(
        desk.specialist,
        title="Upgrade the core switch firmware",
        requester=desk.specialist,
        group=desk.network_hel,
        justification="A security fix.",
        implementation_plan="Upload, reboot in the window.",
        backout_plan="Boot the previous image.",
        restricted=True,
    )
    template = ChangeTemplate.objects.create(
        name="Restart the mail relay",
        implementation_plan="systemctl restart relay",
        backout_plan="Nothing to back out.",
        group=desk.network_hel,
        state=TemplateState.APPROVED,
        approved_by=desk.lead,
    )
    return Board(cab, ecab, change, template)
