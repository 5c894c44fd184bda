"""The pages: who may open them (a 404 for whoever may not), query budgets, the forms."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.lib.testing import assert_same_count, query_budget
from tuki.majors import services
from tuki.majors.models import Communication, MajorIncident, State
from tuki.majors.tests.conftest import Kids, make_incident
from tuki.tickets.models import LinkType, Ticket, TicketLink

pytestmark = pytest.mark.django_db

ROLES = ["requester", "outsider", "operator", "specialist", "lead", "other_agent", "admin"]
LIST_QUERIES = 8
DETAIL_QUERIES = 22


def client(desk: Desk, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_who_may_open_the_list_and_the_page(desk: Desk, major: MajorIncident, role: str):
    c = client(desk, role)
    listing = c.get("/majors/")
    page = c.get(f"/majors/{major.pk}/")
    if role == "anonymous":
        assert listing.status_code == 302 and page.status_code == 302
        return
    if role in ("requester", "outsider"):
        assert listing.status_code == 404 and page.status_code == 404
        return
    assert listing.status_code == 200
    # The parent is Network Helsinki's: the applications agent does not see it.
    sees = role in ("specialist", "lead", "admin", "operator")
    assert page.status_code == (200 if sees else 404)
    assert (f">{major.ticket.number}<" in listing.content.decode()) == sees


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_who_may_post_an_update(desk: Desk, major: MajorIncident, role: str):
    response = client(desk, role).post(
        f"/majors/{major.pk}/update/", {"body": "Hi", "kind": "public"}
    )
    posted = Communication.objects.exists()
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("requester", "outsider", "other_agent"):
        assert response.status_code == 404
    elif role in ("lead", "admin"):
        assert response.status_code == 302 and posted
        return
    else:  # an agent who sees it but does not run it
        assert response.status_code == 403
    assert not posted


def test_a_restricted_parent_stays_hidden_from_agents_of_other_groups(desk: Desk, major):
    from tuki.tickets import services as tickets

    desk.other_agent.sees_all_tickets = True
    desk.other_agent.save()
    c = desk.client_for(desk.other_agent)
    assert c.get(f"/majors/{major.pk}/").status_code == 200
    tickets.update_ticket(desk.admin, major.ticket, restricted=True)
    assert c.get(f"/majors/{major.pk}/").status_code == 404
    assert f">{major.ticket.number}<" not in c.get("/majors/").content.decode()
    assert desk.client_for(desk.lead).get(f"/majors/{major.pk}/").status_code == 200


def test_the_list_costs_the_same_with_more_majors(desk: Desk, major: MajorIncident):
    c = desk.client_for(desk.admin)
    c.get("/majors/")
    with query_budget(LIST_QUERIES) as few:
        c.get("/majors/")
    for n in range(5):
        services.declare_major(desk.admin, make_incident(desk, desk.requester, f"Down {n}"))
    with query_budget(LIST_QUERIES) as many:
        response = c.get("/majors/")
    assert_same_count(few, many)
    assert response.content.decode().count("major-row") == 6


def test_the_major_page_costs_the_same_with_more_children(desk: Desk, major, kids: Kids):
    c = desk.client_for(desk.admin)
    services.attach_children(desk.admin, major, [kids.matti])
    services.post_update(desk.admin, major, "First")
    c.get(f"/majors/{major.pk}/")
    with query_budget(DETAIL_QUERIES) as few:
        c.get(f"/majors/{major.pk}/")
    services.attach_children(desk.admin, major, [kids.ion, kids.maija_1, kids.maija_2])
    services.post_update(desk.admin, major, "Second")
    services.post_update(desk.admin, major, "Third", public=False)
    with query_budget(DETAIL_QUERIES) as many:
        response = c.get(f"/majors/{major.pk}/")
    assert_same_count(few, many)
    body = response.content.decode()
    assert body.count('class="list-group-item small child"') == 4
    assert "Second" in body and "Third" in body


def test_attaching_by_number_from_the_page(desk: Desk, major: MajorIncident, kids: Kids):
    c = desk.client_for(desk.admin)
    response = c.post(
        f"/majors/{major.pk}/children/", {"tickets": f"{kids.matti.number} {kids.ion.number}"}
    )
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=major.ticket, type=LinkType.PARENT_OF).count() == 2
    response = c.post(f"/majors/{major.pk}/children/", {"ticket": [kids.maija_1.number]})
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=major.ticket, type=LinkType.PARENT_OF).count() == 3


def test_a_bad_number_is_an_error_by_the_field(desk: Desk, major: MajorIncident):
    response = desk.client_for(desk.admin).post(
        f"/majors/{major.pk}/children/", {"tickets": "INC-99999"}
    )
    assert response.status_code == 422
    assert "is-invalid" in response.content.decode()
    assert not TicketLink.objects.filter(type=LinkType.PARENT_OF).exists()


def test_the_review_form_saves_and_marks_it_reviewed(desk: Desk, major: MajorIncident):
    c = desk.client_for(desk.lead)
    assert c.post(f"/majors/{major.pk}/resolve/", {"code": "solved"}).status_code == 302
    response = c.post(f"/majors/{major.pk}/review/", {"review_timeline": ""})
    assert response.status_code == 422
    response = c.post(
        f"/majors/{major.pk}/review/",
        {
            "review_timeline": "09:00 down, 11:00 up",
            "review_root_cause": "PRB-3",
            "review_actions": "x",
        },
    )
    assert response.status_code == 302
    major.refresh_from_db()
    assert major.state == State.REVIEWED and major.review_root_cause == "PRB-3"


class TestTicketSection:
    def test_the_ticket_page_loads_the_section_for_agents(self, desk: Desk, incident: Ticket):
        page = desk.client_for(desk.operator).get(incident.get_absolute_url())
        assert f"/majors/ticket/{incident.pk}/section/" in page.content.decode()

    @pytest.mark.parametrize("role", ["anonymous", *ROLES])
    def test_who_may_load_the_section(self, desk: Desk, incident: Ticket, role: str):
        response = client(desk, role).get(f"/majors/ticket/{incident.pk}/section/")
        expected = {"anonymous": 302, "operator": 200, "admin": 200}.get(role, 404)
        assert response.status_code == expected

    def test_an_agent_is_offered_to_propose_a_manager_to_declare(self, desk, escalated):
        agent = desk.client_for(desk.specialist).get(f"/majors/ticket/{escalated.pk}/section/")
        assert 'id="major-propose"' in agent.content.decode()
        manager = desk.client_for(desk.lead).get(f"/majors/ticket/{escalated.pk}/section/")
        assert 'id="major-declare"' in manager.content.decode()

    def test_declaring_from_the_section(self, desk: Desk, escalated: Ticket):
        response = desk.client_for(desk.lead).post(f"/majors/ticket/{escalated.pk}/declare/")
        assert response.status_code == 302
        assert MajorIncident.objects.get(pk=escalated.pk).state == State.DECLARED
        section = desk.client_for(desk.lead).get(f"/majors/ticket/{escalated.pk}/section/")
        assert 'id="major-link"' in section.content.decode()

    def test_an_agent_may_not_declare_from_the_section(self, desk: Desk, escalated: Ticket):
        response = desk.client_for(desk.specialist).post(f"/majors/ticket/{escalated.pk}/declare/")
        assert response.status_code == 422
        assert not MajorIncident.objects.exists()
        response = desk.client_for(desk.specialist).post(f"/majors/ticket/{escalated.pk}/propose/")
        assert response.status_code == 302
        assert MajorIncident.objects.get().state == State.PROPOSED

    def test_a_child_shows_its_parent(self, desk: Desk, major: MajorIncident, kids: Kids):
        services.attach_children(desk.admin, major, [kids.matti])
        section = desk.client_for(desk.admin).get(f"/majors/ticket/{kids.matti.pk}/section/")
        assert 'id="major-parent"' in section.content.decode()


def test_a_child_does_not_name_a_parent_the_reader_may_not_see(desk: Desk, major, kids: Kids):
    from tuki.tickets import services as tickets

    services.attach_children(desk.admin, major, [kids.matti])
    tickets.update_ticket(desk.admin, major.ticket, restricted=True)
    desk.other_agent.sees_all_tickets = True
    desk.other_agent.save()
    section = desk.client_for(desk.other_agent).get(f"/majors/ticket/{kids.matti.pk}/section/")
    assert section.status_code == 200
    assert major.ticket.number not in section.content.decode()
