"""Builder pages per role, field errors, and running a script in Log a call."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.scripts import services
from tuki.scripts.models import RunOutcome, Script, ScriptRun
from tuki.scripts.tests.helpers import build_vpn_script
from tuki.tickets.models import Comment, ResolutionCode, Ticket

pytestmark = pytest.mark.django_db
NON_ADMINS = ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"]


def pages(script: Script) -> list[str]:
    p = f"/scripts/{script.pk}/"
    return ["/scripts/", "/scripts/new/", p, p + "preview/", p + "stats/", p + "versions/1/"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_builder_pages_are_hidden_from_everyone_but_administrators(desk: Desk, role: str) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(getattr(desk, role))
    for url in pages(script):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/scripts/{script.pk}/publish/").status_code == 404


def test_anonymous_visitors_sign_in(desk: Desk) -> None:
    response = Client().get("/scripts/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_administrators_see_every_page(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.admin)
    for url in pages(script):
        assert client.get(url).status_code == 200, url


def test_the_list_costs_the_same_for_many_scripts(desk: Desk) -> None:
    for i in range(6):
        services.create_script(desk.admin, name=f"S{i}")
    client = desk.client_for(desk.admin)
    client.get("/scripts/")
    with query_budget(12):
        assert client.get("/scripts/").status_code == 200


def test_creating_without_a_name_is_a_field_error(desk: Desk) -> None:
    response = desk.client_for(desk.admin).post("/scripts/new/", {"name": ""})
    assert response.status_code == 422 and not Script.objects.exists()


def test_building_through_the_pages(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = client.post("/scripts/new/", {"name": "Printer", "is_active": "on"})
    script = Script.objects.get()
    assert response.status_code == 302
    client.post(f"/scripts/{script.pk}/nodes/", {"kind": "question"})
    client.post(f"/scripts/{script.pk}/nodes/n1/", {"n1-text": "Paper?", "n1-answers": "Yes\nNo"})
    for answer in (0, 1):
        client.post(
            f"/scripts/{script.pk}/nodes/", {"kind": "resolve", "parent": "n1", "answer": answer}
        )
    client.post(f"/scripts/{script.pk}/nodes/n2/", {"n2-text": "Added paper"})
    response = client.post(f"/scripts/{script.pk}/publish/")
    assert response.status_code == 422 and "n3" in response.content.decode()
    client.post(f"/scripts/{script.pk}/nodes/n3/", {"n3-text": "Told them to call again"})
    assert client.post(f"/scripts/{script.pk}/publish/").status_code == 302
    assert services.published(script) is not None


def test_bad_node_input_is_a_field_error(desk: Desk) -> None:
    script = build_vpn_script(desk, publish=False)
    response = desk.client_for(desk.admin).post(
        f"/scripts/{script.pk}/nodes/n1/", {"n1-text": "x" * 2001}
    )
    assert response.status_code == 422 and "At most 2000 characters." in response.content.decode()


def test_the_preview_walks_without_recording(desk: Desk) -> None:
    script = build_vpn_script(desk)
    response = desk.client_for(desk.admin).get(f"/scripts/{script.pk}/preview/?path=0,0")
    assert "Restart the VPN client" in response.content.decode()
    assert not ScriptRun.objects.exists()


# --- running in Log a call ------------------------------------------------------------------


def call(desk: Desk, client: Client, **data: object) -> object:
    payload = {
        "requester": desk.requester.pk,
        "category": desk.vpn.pk,
        "title": "VPN will not connect",
        "description": "Error 809",
        "impact": 2,
        "urgency": 2,
        "outcome": "save",
        "kind": "incident",
    }
    payload.update(data)
    return client.post("/desk/call/", payload)


def test_scripts_are_suggested_by_category_and_title(desk: Desk) -> None:
    build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    assert (
        "VPN will not connect"
        in client.get(f"/scripts/run/suggest/?category={desk.vpn.pk}").content.decode()
    )
    assert (
        "VPN will not connect"
        in client.get("/scripts/run/suggest/?title=my+tunnel+is+down").content.decode()
    )
    assert (
        "VPN will not connect"
        not in client.get("/scripts/run/suggest/?title=printer").content.decode()
    )


def test_a_run_resolves_the_call_at_first_contact_with_a_transcript(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    html = client.post(f"/scripts/run/start/{script.pk}/").content.decode()
    assert "Is the laptop online?" in html
    run = ScriptRun.objects.get()
    for answer in ("0", "0", "0"):
        client.post(f"/scripts/run/{run.pk}/step/", {"answer": answer})
    response = call(desk, client, script_run=run.pk)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (
        ticket.status.category == "resolved"
        and ticket.resolution_code == ResolutionCode.FIRST_CONTACT
    )
    assert "Restarted the VPN client." in ticket.resolution
    run.refresh_from_db()
    assert run.ticket == ticket and run.outcome == RunOutcome.RESOLVE
    assert Comment.objects.filter(ticket=ticket, is_internal=True, body__contains="→ Yes").exists()
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="script-transcripts"' in page
    runs = client.get(f"/scripts/tickets/{ticket.number}/").content.decode()
    assert "Is the VPN client installed?" in runs
    assert (
        desk.client_for(desk.other_agent).get(f"/scripts/tickets/{ticket.number}/").status_code
        == 404
    )


def test_an_escalate_outcome_sends_the_call_to_its_group(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    client.post(f"/scripts/run/start/{script.pk}/")
    run = ScriptRun.objects.get()
    client.post(f"/scripts/run/{run.pk}/step/", {"answer": "1"})
    call(desk, client, script_run=run.pk)
    ticket = Ticket.objects.get()
    assert ticket.group == desk.network_hel
    run.refresh_from_db()
    assert run.outcome == RunOutcome.ESCALATE


def test_registering_mid_script_records_the_drop_out(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    client.post(f"/scripts/run/start/{script.pk}/")
    run = ScriptRun.objects.get()
    client.post(f"/scripts/run/{run.pk}/step/", {"answer": "0"})
    call(desk, client, script_run=run.pk)
    run.refresh_from_db()
    assert run.outcome == RunOutcome.ABANDONED and run.dropped_at == "n2" and run.ticket is not None


def test_another_operators_run_is_not_found(desk: Desk) -> None:
    script = build_vpn_script(desk)
    run = services.start_run(desk.operator, script)
    client = desk.client_for(desk.specialist)
    assert client.post(f"/scripts/run/{run.pk}/step/", {"answer": "0"}).status_code == 404
    response = call(desk, client, script_run=run.pk)
    assert response.status_code == 422 and not Ticket.objects.exists()


def test_a_bad_answer_shows_an_error_in_the_panel(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    client.post(f"/scripts/run/start/{script.pk}/")
    run = ScriptRun.objects.get()
    html = client.post(f"/scripts/run/{run.pk}/step/", {"answer": "x"}).content.decode()
    assert "Choose one of the answers." in html
