"""Shared test fixtures: a small service desk with named people (STYLE.md, Tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.tickets import services
from tuki.tickets.models import Category, Channel, Ticket

PASSWORD = "correct-horse-battery"


@dataclass
class Desk:
    helsinki: Location
    bucharest: Location
    acme: Organisation
    globex: Organisation
    service_desk: SupportGroup
    network_hel: SupportGroup
    network_buc: SupportGroup
    apps: SupportGroup
    operator: User  # first line, service desk, may write to requesters
    specialist: User  # second line, Network Helsinki, internal notes only
    lead: User  # manager of Network Helsinki
    other_agent: User  # second line, Applications: must not see Network's tickets
    requester: User  # Acme employee in Helsinki
    colleague: User  # another Acme employee (sees org tickets only if granted)
    outsider: User  # Globex employee: must see nothing of Acme's
    admin: User
    vpn: Category

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_user(email: str, name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, **extra)


@pytest.fixture
def desk(db: None) -> Desk:
    helsinki = Location.objects.create(name="Helsinki", time_zone="Europe/Helsinki")
    bucharest = Location.objects.create(name="Bucharest", time_zone="Europe/Bucharest")
    acme = Organisation.objects.create(name="Acme Oy", domains="acme.fi")
    globex = Organisation.objects.create(name="Globex SRL", domains="globex.ro")
    lead = make_user("lead@tuki.test", "Liisa Lead", is_agent=True)
    service_desk = SupportGroup.objects.create(
        name="Service Desk", tier=1, may_write_to_requesters=True
    )
    network_hel = SupportGroup.objects.create(
        name="Network Helsinki", tier=2, location=helsinki, manager=lead
    )
    network_buc = SupportGroup.objects.create(name="Network Bucharest", tier=2, location=bucharest)
    apps = SupportGroup.objects.create(name="Applications", tier=2)
    operator = make_user("operator@tuki.test", "Olli Operator", is_agent=True, phone="+358401111")
    specialist = make_user("specialist@tuki.test", "Sanna Specialist", is_agent=True)
    other_agent = make_user("apps@tuki.test", "Andrei Apps", is_agent=True)
    service_desk.members.add(operator)
    network_hel.members.add(specialist, lead)
    apps.members.add(other_agent)
    requester = make_user(
        "maija@acme.fi",
        "Maija Meikäläinen",
        organisation=acme,
        location=helsinki,
        phone="+358 40 555 1234",
    )
    colleague = make_user("matti@acme.fi", "Matti Virtanen", organisation=acme, location=helsinki)
    outsider = make_user("ion@globex.ro", "Ion Popescu", organisation=globex, location=bucharest)
    admin = User.objects.create_superuser("admin@tuki.test", PASSWORD, full_name="Ada Admin")
    network = Category.objects.create(name="Network", default_group=network_hel)
    vpn = Category.objects.create(name="VPN", parent=network, default_group=network_hel)
    return Desk(
        helsinki,
        bucharest,
        acme,
        globex,
        service_desk,
        network_hel,
        network_buc,
        apps,
        operator,
        specialist,
        lead,
        other_agent,
        requester,
        colleague,
        outsider,
        admin,
        vpn,
    )


@pytest.fixture
def incident(desk: Desk) -> Ticket:
    """A phone call the operator registered for the requester, still with the desk."""
    return services.create_ticket(
        desk.operator,
        title="VPN drops every few minutes",
        description="Since this morning the VPN disconnects.",
        requester=desk.requester,
        category=desk.vpn,
        channel=Channel.PHONE,
        impact=2,
        urgency=2,
    )


@pytest.fixture
def escalated(desk: Desk, incident: Ticket) -> Ticket:
    return services.escalate_ticket(
        desk.operator, incident, group=desk.network_hel, reason="Needs the network team"
    )
