"""Who is told what when a ticket changes: one test per rule, never the actor, never someone
who cannot see the ticket, one notification per person per change."""

import pytest
from django.db import transaction

from tuki.notifications.models import Notification
from tuki.notifications.tests.conftest import agent
from tuki.tickets import services
from tuki.tickets.models import ActorKind, Channel


@pytest.fixture
def assigned(desk, escalated, committed):
    """Escalated to Network Helsinki and assigned to the specialist; the operator owns it."""
    return committed(services.assign_ticket, desk.lead, escalated, assignee=desk.specialist)


class TestAssignedToMe:
    def test_the_new_assignee_is_told_and_not_who_assigned(self, desk, escalated, tell):
        told = tell(services.assign_ticket, desk.lead, escalated, assignee=desk.specialist)
        assert told == {"specialist@tuki.test": "assigned_to_me"}
        note = Notification.objects.get()
        assert note.actor == desk.lead and note.ticket == escalated
        assert note.text == f"Liisa Lead assigned {escalated.number} to you: {escalated.title}"
        assert note.url == f"/desk/tickets/{escalated.number}/"

    def test_taking_a_ticket_oneself_tells_nobody(self, desk, escalated, tell):
        assert tell(services.take_ticket, desk.specialist, escalated) == {}

    def test_a_ticket_registered_for_an_agent_tells_them_not_their_group(self, desk, tell):
        told = tell(
            services.create_ticket,
            desk.operator,
            title="Switch down",
            requester=desk.requester,
            group=desk.network_hel,
            assignee=desk.specialist,
        )
        assert told == {"specialist@tuki.test": "assigned_to_me"}

    def test_a_rule_that_assigns_is_named(self, desk, escalated, tell):
        with services.acting_as(ActorKind.RULE, "Night shift", rule_id=7, depth=1):
            told = tell(services.assign_ticket, None, escalated, assignee=desk.specialist)
        assert told == {"specialist@tuki.test": "assigned_to_me"}
        assert Notification.objects.get().text.startswith("Rule “Night shift” assigned")


class TestGroupTicket:
    def test_a_new_ticket_from_the_portal_tells_the_desk(self, desk, tell):
        told = tell(
            services.create_ticket, desk.requester, title="Printer", requester=desk.requester
        )
        assert told == {"operator@tuki.test": "group_ticket"}

    def test_a_ticket_the_operator_registers_in_their_own_group_tells_nobody(self, desk, tell):
        told = tell(services.create_ticket, desk.operator, title="X", requester=desk.requester)
        assert told == {}

    def test_an_escalation_tells_the_new_groups_members_not_the_escalator(
        self, desk, incident, tell
    ):
        told = tell(services.escalate_ticket, desk.operator, incident, group=desk.network_hel)
        assert told == {"specialist@tuki.test": "group_ticket", "lead@tuki.test": "group_ticket"}
        assert "came to Network Helsinki" in Notification.objects.first().text

    def test_other_groups_hear_nothing(self, desk, incident, tell):
        told = tell(services.escalate_ticket, desk.operator, incident, group=desk.network_hel)
        assert "apps@tuki.test" not in told


class TestConversation:
    def test_a_requester_reply_tells_the_assignee_and_the_owner(self, desk, assigned, tell):
        told = tell(services.add_comment, desk.requester, assigned, "Still broken")
        assert told == {
            "specialist@tuki.test": "reply_on_my_ticket",
            "operator@tuki.test": "reply_on_my_ticket",
        }
        note = Notification.objects.filter(kind="reply_on_my_ticket").first()
        assert "Still broken" in note.text and note.url.endswith(
            f"#comment-{assigned.comments.get().pk}"
        )

    def test_an_email_reply_counts_as_a_reply(self, desk, assigned, tell):
        told = tell(
            services.add_comment, desk.requester, assigned, "By mail", channel=Channel.EMAIL
        )
        assert told["specialist@tuki.test"] == "reply_on_my_ticket"

    def test_a_note_tells_the_owner_not_its_author(self, desk, assigned, tell):
        told = tell(services.add_comment, desk.specialist, assigned, "Checked", internal=True)
        assert told == {"operator@tuki.test": "note_on_my_ticket"}

    def test_the_requester_is_never_told_in_the_app(self, desk, assigned, tell):
        told = tell(services.add_comment, desk.operator, assigned, "We are on it")
        assert "maija@acme.fi" not in told


class TestWatchers:
    def test_agent_watchers_are_told_once_per_change(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.lead, assigned, [desk.admin])
        # A status change and its event, one notification.
        told = tell(services.change_status, desk.specialist, assigned, "in_progress")
        assert told == {"admin@tuki.test": "watched_ticket_changed"}
        text = Notification.objects.get(kind="watched_ticket_changed").text
        assert text.startswith(f"Sanna Specialist changed {assigned.number}: changed the status")

    def test_a_watcher_with_a_better_reason_gets_that_one(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.specialist, assigned, [desk.lead])
        told = tell(services.add_comment, desk.operator, assigned, "@lead look", internal=True)
        assert told["lead@tuki.test"] == "mention"

    def test_requester_side_watchers_are_not_told_in_the_app(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.operator, assigned, [desk.colleague])
        told = tell(services.change_status, desk.specialist, assigned, "in_progress")
        assert "matti@acme.fi" not in told

    def test_a_watcher_who_cannot_see_the_ticket_is_not_told(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.lead, assigned, [desk.other_agent])
        told = tell(services.change_status, desk.specialist, assigned, "in_progress")
        assert "apps@tuki.test" not in told

    def test_the_watcher_who_makes_the_change_is_not_told(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.lead, assigned, [desk.admin])
        told = tell(services.change_status, desk.admin, assigned, "in_progress")
        assert "admin@tuki.test" not in told

    def test_a_manager_escalated_to_is_told_as_a_watcher(self, desk, assigned, tell):
        told = tell(services.escalate_ticket, desk.specialist, assigned, to_manager=True)
        assert told == {"lead@tuki.test": "watched_ticket_changed"}
        text = Notification.objects.get(kind="watched_ticket_changed").text
        assert text.startswith(f"Sanna Specialist changed {assigned.number}: escalated to the")

    def test_watching_and_unwatching_tells_nobody(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.lead, assigned, [desk.admin])
        assert tell(services.add_watchers, desk.lead, assigned, [desk.operator]) == {}
        assert tell(services.remove_watcher, desk.operator, assigned, desk.operator) == {}


class TestMentions:
    def test_a_mentioned_agent_is_told(self, desk, escalated, tell):
        told = tell(
            services.add_comment, desk.specialist, escalated, "@lead please approve", internal=True
        )
        assert told["lead@tuki.test"] == "mention"
        note = Notification.objects.get(kind="mention")
        assert note.text.startswith(f"Sanna Specialist mentioned you on {escalated.number}")

    def test_a_mention_by_full_email(self, desk, escalated, tell):
        told = tell(
            services.add_comment, desk.operator, escalated, "cc @lead@tuki.test.", internal=True
        )
        assert told == {"lead@tuki.test": "mention"}

    def test_mentions_in_public_replies_tell_nobody_as_mentions(self, desk, escalated, tell):
        told = tell(services.add_comment, desk.operator, escalated, "@lead hello")
        assert "mention" not in told.values()

    def test_mentioning_oneself_tells_nobody(self, desk, escalated, tell):
        told = tell(services.add_comment, desk.lead, escalated, "note to @lead", internal=True)
        assert "lead@tuki.test" not in told

    def test_an_agent_who_cannot_see_the_ticket_is_not_told(self, desk, escalated, tell):
        told = tell(services.add_comment, desk.lead, escalated, "ask @apps", internal=True)
        assert "apps@tuki.test" not in told

    def test_a_restricted_ticket_hides_from_agents_who_see_all_others(
        self, desk, escalated, committed, tell
    ):
        agent("ville.virtanen@tuki.test", "Ville Virtanen", sees_all_tickets=True)
        told = tell(services.add_comment, desk.lead, escalated, "@ville.virtanen?", internal=True)
        assert told.get("ville.virtanen@tuki.test") == "mention"
        committed(services.update_ticket, desk.lead, escalated, restricted=True)
        told = tell(services.add_comment, desk.lead, escalated, "@ville.virtanen!", internal=True)
        assert "ville.virtanen@tuki.test" not in told

    def test_requesters_and_unknown_names_are_not_told(self, desk, escalated, tell):
        told = tell(
            services.add_comment, desk.lead, escalated, "@maija @nobody @ion", internal=True
        )
        assert set(told) <= {"specialist@tuki.test", "operator@tuki.test"}
        assert "mention" not in told.values()

    def test_inactive_agents_are_not_told(self, desk, escalated, tell):
        desk.specialist.is_active = False
        desk.specialist.save()
        told = tell(services.add_comment, desk.lead, escalated, "@specialist", internal=True)
        assert "specialist@tuki.test" not in told


def _sla_event(ticket, action, metric="resolution"):
    with transaction.atomic():
        return services.record_sla_event(ticket, action, field=metric, new="80")


class TestSla:
    def test_a_warning_tells_the_assignee(self, desk, assigned, tell):
        told = tell(_sla_event, assigned, "sla_warning")
        assert told == {"specialist@tuki.test": "sla_warning"}
        text = Notification.objects.get(kind="sla_warning").text
        assert text == f"SLA warning on {assigned.number} (Resolution): {assigned.title}"

    def test_a_warning_without_an_assignee_tells_the_group(self, desk, escalated, tell):
        told = tell(_sla_event, escalated, "sla_warning")
        assert told == {"specialist@tuki.test": "sla_warning", "lead@tuki.test": "sla_warning"}

    def test_a_breach_tells_the_assignee_and_the_groups_manager(self, desk, assigned, tell):
        told = tell(_sla_event, assigned, "sla_breached")
        assert told == {"specialist@tuki.test": "sla_breach", "lead@tuki.test": "sla_breach"}

    def test_watchers_are_not_told_about_sla(self, desk, assigned, committed, tell):
        committed(services.add_watchers, desk.lead, assigned, [desk.admin])
        assert "admin@tuki.test" not in tell(_sla_event, assigned, "sla_warning")


class TestBatches:
    def test_a_rolled_back_change_tells_nobody(self, desk, escalated, tell):
        def fails():
            try:
                with transaction.atomic():
                    services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
                    raise RuntimeError("boom")
            except RuntimeError:
                pass

        assert tell(fails) == {}

    def test_two_changes_in_one_transaction_tell_each_person_once(
        self, desk, escalated, committed, tell
    ):
        committed(services.add_watchers, desk.lead, escalated, [desk.admin])

        def both():
            with transaction.atomic():
                services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
                services.add_comment(desk.lead, escalated, "Over to you", internal=True)

        told = tell(both)
        assert told == {
            "specialist@tuki.test": "assigned_to_me",
            "admin@tuki.test": "watched_ticket_changed",
            "operator@tuki.test": "note_on_my_ticket",
        }

    def test_changes_to_two_tickets_are_told_separately(self, desk, escalated, tell):
        other = services.escalate_ticket(
            desk.operator,
            services.create_ticket(desk.operator, title="Other", requester=desk.requester),
            group=desk.network_hel,
        )

        def both():
            with transaction.atomic():
                services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
                services.assign_ticket(desk.lead, other, assignee=desk.specialist)

        with pytest.raises(AssertionError, match="told twice"):
            tell(both)  # twice on purpose: one per ticket
        assert Notification.objects.filter(kind="assigned_to_me").count() == 2
