"""The rules of major incidents: who declares, children, updates, resolution, review."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.core.exceptions import PermissionDenied

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.mail.models import OutboundMessage
from tuki.majors import services
from tuki.majors.models import Communication, DeclaredVia, MajorIncident, State
from tuki.majors.tests.conftest import Kids, make_incident
from tuki.tickets import services as tickets
from tuki.tickets.models import (
    ActorKind,
    LinkType,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketLink,
)

pytestmark = pytest.mark.django_db


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.with_related().get(pk=ticket.pk)


class TestDeclaring:
    def test_an_agent_who_manages_no_group_may_not_declare(self, desk: Desk, incident: Ticket):
        with pytest.raises(PermissionDenied):
            services.declare_major(desk.operator, incident)
        assert not MajorIncident.objects.exists()
        assert fresh(incident).priority != 1

    def test_a_group_manager_declares_and_the_priority_becomes_critical(
        self, desk: Desk, escalated: Ticket
    ):
        major = services.declare_major(desk.lead, escalated, summary="VPN down")
        assert major.state == State.DECLARED
        assert major.declared_by == desk.lead and major.declared_via == DeclaredVia.MANAGER
        assert major.manager == desk.lead  # the declaring manager runs it unless told
        ticket = fresh(escalated)
        assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 1, 1)
        assert TicketEvent.objects.filter(ticket=ticket, action=services.DECLARED).exists()

    def test_an_administrator_declares_with_another_manager(self, desk: Desk, incident: Ticket):
        major = services.declare_major(desk.admin, incident, manager=desk.operator)
        assert major.manager == desk.operator

    def test_a_requester_cannot_be_the_manager(self, desk: Desk, incident: Ticket):
        with pytest.raises(ServiceError) as exc:
            services.declare_major(desk.admin, incident, manager=desk.requester)
        assert exc.value.field == "manager"
        assert not MajorIncident.objects.exists()

    def test_a_manager_may_not_declare_what_they_cannot_see(self, desk: Desk, incident: Ticket):
        # The incident is still with the service desk: Network Helsinki's lead does not see it.
        with pytest.raises(PermissionDenied):
            services.declare_major(desk.lead, incident)
        assert not MajorIncident.objects.exists()

    def test_a_rule_declares(self, desk: Desk, incident: Ticket):
        with tickets.acting_as(ActorKind.RULE, "Many VPN calls"):
            major = services.declare_major(None, incident)
        assert major.declared_via == DeclaredVia.RULE and major.rule_name == "Many VPN calls"
        assert major.declared_by is None and major.manager is None
        assert fresh(incident).priority == 1

    def test_nobody_without_a_rule_declares_with_no_actor(self, incident: Ticket):
        with pytest.raises(PermissionDenied):
            services.declare_major(None, incident)

    def test_only_incidents_may_be_major(self, desk: Desk):
        request = tickets.create_ticket(
            desk.operator, title="New laptop", requester=desk.requester, kind="request"
        )
        with pytest.raises(ServiceError) as exc:
            services.declare_major(desk.admin, request)
        assert exc.value.code == "not_incident"

    def test_declaring_twice_is_refused(self, desk: Desk, major: MajorIncident):
        with pytest.raises(ServiceError) as exc:
            services.declare_major(desk.admin, major.ticket)
        assert exc.value.code == "already_major"


class TestProposals:
    def test_an_agent_proposes_and_a_manager_accepts(self, desk: Desk, incident: Ticket):
        proposal = services.propose_major(desk.operator, incident, summary="Many calls")
        assert proposal.state == State.PROPOSED and proposal.proposed_by == desk.operator
        assert fresh(incident).priority != 1  # a proposal changes nothing yet
        with pytest.raises(PermissionDenied):
            services.accept_proposal(desk.operator, proposal)
        major = services.accept_proposal(desk.admin, proposal)
        assert major.state == State.DECLARED and major.summary == "Many calls"
        assert fresh(incident).priority == 1

    def test_a_rejected_proposal_may_be_proposed_again(self, desk: Desk, incident: Ticket):
        proposal = services.propose_major(desk.operator, incident)
        with pytest.raises(PermissionDenied):
            services.reject_proposal(desk.operator, proposal)
        rejected = services.reject_proposal(desk.admin, proposal, reason="Only one user")
        assert rejected.state == State.REJECTED
        again = services.propose_major(desk.operator, incident)
        assert again.state == State.PROPOSED

    def test_requesters_may_not_propose(self, desk: Desk, incident: Ticket):
        with pytest.raises(PermissionDenied):
            services.propose_major(desk.requester, incident)


class TestChildren:
    def test_children_join_with_parent_of_links(self, desk: Desk, major: MajorIncident, kids):
        attached = services.attach_children(desk.admin, major, kids.all())
        assert len(attached) == 4
        links = TicketLink.objects.filter(source=major.ticket, type=LinkType.PARENT_OF)
        assert {link.target_id for link in links} == {k.pk for k in kids.all()}
        # Attaching again is harmless.
        assert services.attach_children(desk.admin, major, [kids.matti]) == []

    def test_an_agent_who_does_not_run_it_may_not_attach(self, desk, major, kids):
        with pytest.raises(PermissionDenied):
            services.attach_children(desk.specialist, major, [kids.matti])

    def test_attaching_is_all_or_nothing(self, desk: Desk, major: MajorIncident, kids: Kids):
        request = tickets.create_ticket(
            desk.operator, title="Laptop", requester=desk.requester, kind="request"
        )
        with pytest.raises(ServiceError) as exc:
            services.attach_children(desk.admin, major, [kids.matti, request])
        assert exc.value.field == "tickets" and exc.value.code == "not_incident"
        assert not TicketLink.objects.filter(type=LinkType.PARENT_OF).exists()

    def test_a_ticket_the_manager_cannot_see_is_not_found(self, desk: Desk, major, kids: Kids):
        # The lead runs the major but sees only Network Helsinki's tickets.
        with pytest.raises(ServiceError) as exc:
            services.attach_children(desk.lead, major, [kids.matti])
        assert exc.value.code == "not_found"

    def test_numbers_are_read_and_unknown_ones_refused(self, desk: Desk, kids: Kids):
        found = services.tickets_by_numbers(desk.admin, f"{kids.matti.number}, {kids.ion.pk}")
        assert found == [kids.matti, kids.ion]
        with pytest.raises(ServiceError) as exc:
            services.tickets_by_numbers(desk.admin, "INC-999999")
        assert exc.value.field == "tickets"

    def test_similar_open_incidents_share_the_category_or_an_affected_item(
        self, desk: Desk, major: MajorIncident, kids: Kids
    ):
        other = make_incident(desk, desk.colleague, "Printer jam", category=None)
        similar = services.similar_incidents(desk.admin, major)
        assert set(similar) == set(kids.all())
        assert other not in similar
        services.attach_children(desk.admin, major, [kids.ion])
        assert kids.ion not in services.similar_incidents(desk.admin, major)


class TestUpdates:
    def test_a_public_update_is_mailed_once_per_requester(
        self, desk: Desk, major: MajorIncident, kids: Kids, committed
    ):
        services.attach_children(desk.admin, major, kids.all())
        with committed():
            update = services.post_update(desk.lead, major, "We found the failing router.")
        mails = OutboundMessage.objects.filter(what="major_update")
        assert sorted(m.to_address for m in mails) == sorted(
            [desk.requester.email, desk.colleague.email, desk.outsider.email]
        )
        assert update.reached == 3
        # Each child's timeline has the update; no child sent a reply mail of its own.
        for kid in kids.all():
            assert TicketEvent.objects.filter(ticket=kid, action=services.UPDATE).exists()
        assert not OutboundMessage.objects.filter(what="reply").exists()
        assert TicketEvent.objects.filter(ticket=major.ticket, action=services.UPDATE).exists()

    def test_each_mail_is_in_its_requesters_language(self, desk, major, kids, committed):
        services.attach_children(desk.admin, major, kids.all())
        services.post_update(desk.lead, major, "Router replaced.")
        raw = {
            m.to_address: bytes(m.raw) for m in OutboundMessage.objects.filter(what="major_update")
        }

        def text(address: str) -> str:
            message = email.message_from_bytes(raw[address], policy=policy.default)
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            return str(message["subject"]) + "\n" + body.get_content()

        finnish, english, romanian = (
            text(desk.requester.email),
            text(desk.colleague.email),
            text(desk.outsider.email),
        )
        for body in (finnish, english, romanian):
            assert "Router replaced." in body  # the manager's words, as written
        assert "Hei" in finnish and kids.maija_1.number in finnish
        assert kids.maija_2.number in finnish  # both of her tickets in her one mail
        assert "Hello" in english and "We are working on a major incident" in english
        assert major.ticket.number not in english + finnish + romanian  # theirs only
        assert "Bună" in romanian
        # The frame around the manager's words is translated.
        assert "We are working on a major incident" not in finnish + romanian

    def test_an_internal_update_reaches_nobody(self, desk: Desk, major, kids: Kids):
        services.attach_children(desk.admin, major, kids.all())
        note = services.post_update(desk.specialist, major, "Bridge on Teams", public=False)
        assert note.reached == 0
        assert not OutboundMessage.objects.filter(what="major_update").exists()
        assert not TicketEvent.objects.filter(ticket=kids.matti, action=services.UPDATE).exists()

    def test_only_its_managers_post_public_updates(self, desk: Desk, major: MajorIncident):
        with pytest.raises(PermissionDenied):
            services.post_update(desk.specialist, major, "All good")
        assert not Communication.objects.exists()

    def test_an_empty_update_is_refused_by_field(self, desk: Desk, major: MajorIncident):
        with pytest.raises(ServiceError) as exc:
            services.post_update(desk.lead, major, "   ")
        assert exc.value.field == "body"
        with pytest.raises(ServiceError) as exc:
            services.post_update(desk.lead, major, "x", kind="gossip")
        assert exc.value.field == "kind"


class TestResolution:
    def test_resolving_the_parent_resolves_its_children(
        self, desk: Desk, major: MajorIncident, kids: Kids
    ):
        services.attach_children(desk.admin, major, kids.all())
        tickets.resolve_ticket(kids.ion and desk.operator, kids.ion, code="workaround")
        services.resolve_major(desk.lead, major, code="solved", resolution="Router replaced")
        major.refresh_from_db()
        assert major.state == State.RESOLVED and major.resolved_at is not None
        for kid in (kids.maija_1, kids.maija_2, kids.matti):
            child = fresh(kid)
            assert child.status.category == StatusCategory.RESOLVED
            assert child.resolution_code == "solved"
            assert major.ticket.number in child.resolution
            event = TicketEvent.objects.get(ticket=child, action="resolution")
            assert event.actor is None and event.actor_kind == ActorKind.SYSTEM
        assert fresh(kids.ion).resolution_code == "workaround"  # already resolved: left alone

    def test_resolving_the_parent_on_the_ticket_page_resolves_the_children(
        self, desk: Desk, major: MajorIncident, kids: Kids
    ):
        services.attach_children(desk.admin, major, [kids.matti])
        tickets.resolve_ticket(desk.admin, major.ticket, code="workaround")
        assert fresh(kids.matti).resolution_code == "workaround"

    def test_a_plain_parent_of_link_resolves_nothing(self, desk: Desk, kids: Kids):
        tickets.link_tickets(desk.admin, kids.matti, kids.ion, LinkType.PARENT_OF)
        tickets.resolve_ticket(desk.admin, kids.matti, code="solved")
        assert fresh(kids.ion).status.category != StatusCategory.RESOLVED

    def test_the_review_comes_after_resolution(self, desk: Desk, major: MajorIncident):
        with pytest.raises(ServiceError) as exc:
            services.review_major(desk.lead, major, timeline="Down 2 hours")
        assert exc.value.field == "state"
        services.resolve_major(desk.lead, major, code="solved")
        with pytest.raises(ServiceError) as exc:
            services.review_major(desk.lead, major, timeline=" ")
        assert exc.value.field == "review_timeline"
        reviewed = services.review_major(
            desk.lead, major, timeline="Down 2 hours", root_cause="PRB-1", actions="Spare router"
        )
        assert reviewed.state == State.REVIEWED and reviewed.reviewed_by == desk.lead
        assert reviewed.review_root_cause == "PRB-1"
