"""The client's service level report in the portal: only the organisation's contacts see it,
with their own organisation's figures and never another's."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from tuki.lib.testing import query_budget
from tuki.tickets import services
from tuki.tickets.models import Channel

URL = "/portal/service-levels/"
LAST_MONTH = "2026-02-10T09:00:00+00:00"
THIS_MONTH = "2026-03-04T09:00:00+00:00"
TODAY = "2026-03-11T10:00:00+00:00"


def raise_tickets(desk, committed, requester, count: int, when: str) -> None:
    with time_machine.travel(when, tick=False):
        for n in range(count):
            with committed():
                services.create_ticket(
                    desk.operator,
                    title=f"{requester.full_name}: laptop {n}",
                    requester=requester,
                    channel=Channel.PHONE,
                )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a change queues on commit: the reports' facts refresh."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def contacts(desk):
    """Acme's colleague and Globex's outsider are their organisations' contacts."""
    for user in (desk.colleague, desk.outsider):
        user.sees_organisation_tickets = True
        user.save()
    return desk


def volume(response) -> tuple[str, str]:
    row = re.search(r'id="sl-volume">(.*?)</tr>', response.content.decode(), re.S)
    assert row
    cells = re.findall(r'<td class="text-end[^"]*" data-count="\d+">([^<]*)</td>', row.group(1))
    return cells[0], cells[1]


class TestWhoSeesIt:
    def test_anonymous_visitors_sign_in_first(self, desk):
        response = Client().get(URL)
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_requesters_without_the_organisations_tickets_get_404(self, desk):
        for user in (desk.requester, desk.colleague, desk.outsider):
            assert desk.client_for(user).get(URL).status_code == 404
            page = desk.client_for(user).get("/portal/").content.decode()
            assert 'id="nav-service-levels"' not in page

    def test_agents_and_administrators_get_404(self, desk):
        for user in (desk.operator, desk.specialist, desk.lead, desk.other_agent, desk.admin):
            user.sees_organisation_tickets = True
            user.organisation = desk.acme
            user.save()
            assert desk.client_for(user).get(URL).status_code == 404

    def test_the_organisations_contacts_see_it_in_their_navigation(self, contacts):
        for user in (contacts.colleague, contacts.outsider):
            client = contacts.client_for(user)
            assert 'id="nav-service-levels"' in client.get("/portal/").content.decode()
            assert client.get(URL).status_code == 200


class TestTheFigures:
    def test_each_organisation_sees_its_own_months_and_never_another(self, contacts, committed):
        desk = contacts
        raise_tickets(desk, committed, desk.requester, 2, LAST_MONTH)
        raise_tickets(desk, committed, desk.requester, 3, THIS_MONTH)
        raise_tickets(desk, committed, desk.outsider, 7, LAST_MONTH)
        raise_tickets(desk, committed, desk.outsider, 5, THIS_MONTH)
        with time_machine.travel(TODAY, tick=False):
            acme = desk.client_for(desk.colleague).get(URL)
            globex = desk.client_for(desk.outsider).get(URL)
        assert volume(acme) == ("2", "3")
        assert volume(globex) == ("7", "5")
        acme_page, globex_page = acme.content.decode(), globex.content.decode()
        assert "Acme Oy" in acme_page and "Globex" not in acme_page
        assert "Globex SRL" in globex_page and "Acme" not in globex_page
        for line in acme.context["lines"]:
            assert line.last.count <= 2 and line.current.count <= 3
        assert "February 2026" in acme_page and "March 2026" in acme_page

    def test_a_query_string_cannot_widen_it(self, contacts, committed):
        desk = contacts
        raise_tickets(desk, committed, desk.outsider, 4, THIS_MONTH)
        with time_machine.travel(TODAY, tick=False):
            response = desk.client_for(desk.colleague).get(
                URL, {"organisations": desk.globex.pk, "start": "2000-01-01"}
            )
        assert volume(response) == ("0", "0")

    def test_restricted_tickets_of_the_organisation_are_not_counted(self, contacts, committed):
        desk = contacts
        raise_tickets(desk, committed, desk.requester, 1, THIS_MONTH)
        with time_machine.travel(THIS_MONTH, tick=False), committed():
            services.create_ticket(
                desk.operator, title="HR case", requester=desk.requester, restricted=True
            )
        with time_machine.travel(TODAY, tick=False):
            assert volume(desk.client_for(desk.colleague).get(URL)) == ("0", "1")

    def test_the_page_has_a_query_budget(self, contacts, committed):
        desk = contacts
        raise_tickets(desk, committed, desk.requester, 3, THIS_MONTH)
        client = desk.client_for(desk.colleague)
        with time_machine.travel(TODAY, tick=False):
            client.get(URL)
            # The session and user; the agreed target; each figure of each month; the
            # organisation.
            with query_budget(14, exact=True):
                client.get(URL)
