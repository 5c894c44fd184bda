"""Issue 17's story in real Chromium, end to end, with a screenshot of each step:

a repeated outage → the problem radar proposes a problem → root cause and known error →
an operator logging the next call sees the workaround → a change approved by the CAB, its
conflict resolved by picking a suggested slot → a release deployed through the gate (signed
yes) → the problem resolved, and with it its incidents.

The approvers' decisions and the pipeline's question are made as they are in life: the
approver through the approvals engine, the pipeline over the API with its token, at a time
inside the change's window (time-machine moves the clock; the browser is not involved)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.test import Client
from django.utils import timezone

from tuki.accounts.tokens import issue_token
from tuki.approvals.services import decide, request_approval
from tuki.changes import scheduling, services as changes
from tuki.changes.models import Change, ChangeSettings
from tuki.changes.tests.calendar_fixtures import make_change
from tuki.changes.tests.conftest import approve, board_template
from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass
from tuki.conftest import ensure_cmdb
from tuki.releases import services as releases, signing
from tuki.releases.models import Stage
from tuki.tickets import services as tickets
from tuki.tickets.models import Kind, LinkType, Ticket
from tuki.tickets.tests.test_browser_layout import DESKTOP, signed_in

pytestmark = pytest.mark.browser

SYMPTOM = "Outlook cannot connect to the mail server"


def test_from_a_repeated_outage_to_a_deployed_fix(chromium, live_server, desk, shoot):
    ensure_cmdb()
    mail = cmdb.create_item(desk.admin, name="mail-01", ci_class=CIClass.objects.get(key="server"))
    settings = ChangeSettings.load()
    settings.cab = board_template("CAB", desk.lead.pk)
    settings.save()
    incidents = []
    for who in (desk.requester, desk.colleague, desk.requester):
        ticket = tickets.create_ticket(
            desk.operator,
            title=SYMPTOM,
            description="Outlook says mail-01 is unavailable; webmail still works.",
            requester=who,
            channel="phone",
        )
        cmdb.name_affected(desk.operator, ticket, [mail])
        incidents.append(ticket)
    page = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)

    # 1. The radar sees the same outage three times and proposes one problem.
    page.goto(f"{live_server.url}/problems/radar/")
    page.wait_for_selector(".radar-proposal")
    assert page.locator(".radar-proposal").count() == 1
    shoot(page, "1-radar")
    page.click(".radar-proposal button:has-text('Create problem')")
    page.wait_for_selector("#problem-edit-form")
    problem = Ticket.objects.get(kind=Kind.PROBLEM)
    caused = Ticket.objects.filter(
        links_out__target=problem, links_out__type=LinkType.CAUSED_BY
    ).values_list("pk", flat=True)
    assert set(caused) == {t.pk for t in incidents}
    tickets.take_ticket(desk.operator, problem)  # the problem manager works it

    # 2. Root cause and workaround; published as a known error.
    page.fill("#pd-root-cause", "The mail relay's TLS certificate expired.")
    page.fill("#pd-workaround", "Use webmail until the certificate is renewed.")
    page.click("#problem-edit-form button[type=submit]")
    page.wait_for_selector("#problem-edit-form")
    page.click("#known-error-form button[type=submit]")
    page.wait_for_selector("#known-error-badge")
    shoot(page, "2-known-error")

    # 3. The next caller: the operator sees the workaround while logging the call.
    page.goto(f"{live_server.url}/desk/call/")
    page.fill("#id_title", "Outlook cannot connect")
    page.wait_for_selector("#call-suggestions >> text=Known error")
    assert "webmail" in page.inner_text("#call-suggestions").lower()
    shoot(page, "3-call-suggestion")

    # 4. The fix is a normal change on mail-01, where another change is already planned.
    start = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    busy = make_change(desk, "Patch mail-01", [mail], start, start + timedelta(hours=2))
    change = changes.create_change(
        desk.operator,
        title="Renew the mail relay certificate",
        requester=desk.operator,
        justification="The expired certificate stops Outlook.",
        implementation_plan="Install the new certificate, reload the relay.",
        backout_plan="Reload the previous configuration.",
        test_plan="Send a mail from Outlook.",
        items=[mail.pk],
    )
    tickets.link_tickets(desk.operator, change.ticket, problem, LinkType.RELATED)
    scheduling.set_window(
        desk.operator, change, start=start + timedelta(hours=1), end=start + timedelta(hours=2)
    )
    page.goto(live_server.url + change.ticket.get_absolute_url())
    page.wait_for_selector(f"#change-conflicts >> text={busy.ticket.number}")
    shoot(page, "4-change-conflict")
    page.locator(".chg-use-slot").first.click()
    page.wait_for_selector("#change-no-conflicts")
    change = Change.objects.get(pk=change.pk)
    assert change.planned_start >= busy.planned_end or change.planned_end <= busy.planned_start

    # 5. The CAB approves; the change is scheduled.
    page.click("#request-cab")
    page.wait_for_selector("#change-approval")
    approve(change, desk.lead)
    page.reload()
    page.wait_for_selector("#change-approval >> text=Approved")
    assert Ticket.objects.get(pk=change.pk).status.key == "scheduled"
    shoot(page, "5-change-approved")

    # 6. A release carries the change; approved, it moves to deploy.
    release = releases.create_release(
        desk.operator,
        title="Mail relay 2026.12",
        version="2026.12",
        planned_start=change.planned_start,
        planned_end=change.planned_end,
    )
    releases.add_change(desk.operator, release, change.ticket.number)
    releases.move_stage(desk.operator, release, Stage.TEST)
    approval = request_approval(
        desk.operator, release.ticket, steps=[{"rule": "any", "users": [desk.lead.pk]}]
    )
    decide(desk.lead, approval.steps.get(), "approve")
    release.refresh_from_db()
    release = releases.move_stage(desk.operator, release, Stage.DEPLOY)
    page.goto(f"{live_server.url}/releases/")
    page.wait_for_selector(f"text={release.ticket.number}")
    shoot(page, "6-release-board")

    # 7. The pipeline asks the gate inside the window: a signed yes naming the change.
    pipeline = Client()
    token = issue_token(desk.operator, name="deploy pipeline")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"release": release.ticket.number, "environment": "production", "ref": "a1b2c3"}
    early = pipeline.post(
        "/api/v1/releases/gate", body, content_type="application/json", **headers
    ).json()
    assert early["allowed"] is False and "outside its window" in early["reason"]
    with time_machine.travel(change.planned_start + timedelta(minutes=5), tick=False):
        answer = pipeline.post(
            "/api/v1/releases/gate", body, content_type="application/json", **headers
        ).json()
        assert answer["allowed"] is True, answer["reason"]
        key = load_pem_public_key(signing.public_key_pem().encode())
        key.verify(base64.b64decode(answer["signature"]), signing.canonical(answer))  # type: ignore[union-attr]
        releases.mark_deployed(desk.operator, release)
        tickets.change_status(desk.operator, Ticket.objects.get(pk=change.pk), "in_progress")
        tickets.resolve_ticket(
            desk.operator, Ticket.objects.get(pk=change.pk), code="solved", resolution="Done."
        )

    # 8. The problem is resolved, and its incidents with it.
    page.goto(live_server.url + problem.get_absolute_url())
    page.wait_for_selector("#problem-resolve-form")
    page.check("#resolve-incidents")
    page.click("#problem-resolve-form button[type=submit]")
    page.wait_for_selector("#problem-resolve-form", state="detached")
    shoot(page, "8-problem-resolved")
    for incident in incidents:
        assert Ticket.objects.get(pk=incident.pk).status.category == "resolved"
    assert Ticket.objects.get(pk=problem.pk).status.category == "resolved"
    assert [e for e in page.errors if "Applying inline style" not in e] == []
