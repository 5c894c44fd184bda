"""The problem radar: alike open incidents cluster into proposals; unrelated ones do not."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import CIClass
from tuki.problems import radar, services
from tuki.problems.tests.conftest import make_incident
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def vpn_wave(desk):
    alike = [
        make_incident(desk, "VPN disconnects every few minutes", "The VPN client drops."),
        make_incident(desk, "VPN keeps disconnecting", "Client drops the tunnel, disconnects."),
        make_incident(desk, "Disconnected from VPN again", "VPN client dropped me twice."),
    ]
    unrelated = [
        make_incident(desk, "Printer out of toner", "Third floor printer."),
        make_incident(desk, "New laptop for the intern", "Starts Monday."),
        make_incident(desk, "Password reset", "Locked out of email."),
    ]
    return alike, unrelated


class TestProposals:
    def test_alike_incidents_cluster_and_unrelated_ones_do_not(self, desk, vpn_wave):
        alike, unrelated = vpn_wave
        found = radar.proposals(desk.operator)
        assert len(found) == 1
        assert set(found[0].ids) == {t.pk for t in alike}
        assert "vpn" in found[0].words

    def test_fewer_than_the_minimum_make_no_proposal(self, desk, vpn_wave, settings):
        settings.PROBLEM_RADAR_MIN_INCIDENTS = 4
        assert radar.proposals(desk.operator) == []

    def test_incidents_older_than_the_window_are_left_out(self, desk, vpn_wave):
        alike, _unrelated = vpn_wave
        Ticket.objects.filter(pk=alike[0].pk).update(
            created_at=timezone.now() - datetime.timedelta(days=30)
        )
        assert radar.proposals(desk.operator) == []

    def test_linked_and_dismissed_incidents_are_left_out(self, desk, vpn_wave):
        alike, _unrelated = vpn_wave
        services.dismiss_incidents(desk.operator, alike[:1])
        assert radar.proposals(desk.operator) == []

    def test_an_agent_sees_only_proposals_of_tickets_they_may_see(self, desk, vpn_wave):
        assert radar.proposals(desk.other_agent) == []

    def test_the_same_item_and_category_make_alike_incidents_without_shared_words(self, desk):
        server = cmdb_services.create_item(
            desk.admin, name="mail01", ci_class=CIClass.objects.get(key="server")
        )
        tickets = [
            make_incident(desk, "Cannot send", category=desk.vpn),
            make_incident(desk, "Outbox stuck", category=desk.vpn),
            make_incident(desk, "Slow inbox", category=desk.vpn),
        ]
        for ticket in tickets:
            cmdb_services.name_affected(desk.operator, ticket, [server])
        found = radar.proposals(desk.operator)
        assert len(found) == 1 and set(found[0].ids) == {t.pk for t in tickets}
        assert found[0].items == ["mail01"] and found[0].category == desk.vpn.path


class TestSimilarToAProblem:
    def test_open_unlinked_incidents_like_the_problem_are_listed(self, desk, vpn_wave):
        alike, unrelated = vpn_wave
        problem = services.create_problem(
            desk.operator, title="VPN disconnects", description="Clients drop the VPN tunnel."
        )
        similar = [t.pk for t, _score in radar.similar_incidents(desk.operator, problem.ticket)]
        assert set(similar) == {t.pk for t in alike}
