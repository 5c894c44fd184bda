"""notify, mark_read, set_preferences: the only writers."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from tuki.lib.errors import ServiceError
from tuki.notifications import services
from tuki.notifications.models import DEFAULTS, Notification, NotificationPreference
from tuki.tickets import services as ticket_services


class TestNotify:
    def test_tells_each_agent_once_with_a_link_to_the_ticket(self, desk, escalated):
        made = services.notify(
            [desk.specialist, desk.lead, desk.specialist], escalated, "rule", "Look at this"
        )
        assert [n.recipient for n in made] == [desk.specialist, desk.lead]
        assert made[0].url == f"/desk/tickets/{escalated.number}/" and made[0].read_at is None

    def test_skips_the_actor(self, desk, escalated):
        made = services.notify(
            [desk.specialist, desk.lead], escalated, "rule", "x", actor=desk.lead
        )
        assert [n.recipient for n in made] == [desk.specialist]
        assert made[0].actor == desk.lead

    def test_skips_inactive_people(self, desk, escalated):
        desk.specialist.is_active = False
        desk.specialist.save()
        assert services.notify([desk.specialist], escalated, "rule", "x") == []

    def test_skips_requesters_even_their_own_tickets(self, desk, escalated):
        assert services.notify([desk.requester, desk.colleague], escalated, "rule", "x") == []

    def test_skips_agents_who_cannot_see_the_ticket(self, desk, escalated):
        assert services.notify([desk.other_agent, None], escalated, "rule", "x") == []

    def test_without_a_ticket_anyone_active_and_agent(self, desk):
        made = services.notify([desk.other_agent], None, "rule", "Weekly summary ready")
        assert made[0].ticket is None and made[0].url == ""

    def test_links_only_inside_tuki(self, desk, escalated):
        made = services.notify([desk.lead], escalated, "rule", "x", url="https://evil.example/")
        assert made[0].url == f"/desk/tickets/{escalated.number}/"
        made = services.notify([desk.lead], escalated, "rule", "x", url="//evil.example/")
        assert made[0].url == f"/desk/tickets/{escalated.number}/"
        made = services.notify([desk.lead], None, "rule", "x", url="/desk/tickets/")
        assert made[0].url == "/desk/tickets/"

    def test_an_unknown_kind_is_refused(self, desk, escalated):
        with pytest.raises(ServiceError) as error:
            services.notify([desk.lead], escalated, "gossip", "x")
        assert error.value.field == "kind"
        assert not Notification.objects.exists()

    def test_lazy_text_is_rendered_in_each_recipients_language(self, desk, escalated):
        desk.lead.language = "fi"
        desk.lead.save()
        made = services.notify(
            [desk.lead, desk.specialist], escalated, "rule", gettext_lazy("Preferences")
        )
        assert {n.recipient.email: n.text for n in made} == {
            "lead@tuki.test": "Asetukset",
            "specialist@tuki.test": "Preferences",
        }

    def test_nothing_in_the_app_when_the_person_turned_it_off(self, desk, escalated):
        services.set_preferences(desk.lead, desk.lead, {"rule": (False, False)})
        assert (
            services.notify([desk.lead, desk.specialist], escalated, "rule", "x")[0].recipient
            == desk.specialist
        )
        assert not Notification.objects.filter(recipient=desk.lead).exists()


class TestPreferences:
    def test_defaults_without_rows(self, desk):
        prefs = services.preferences_of(desk.lead)
        assert prefs == {kind: DEFAULTS[kind] for kind in prefs}
        assert prefs["mention"] == (True, True) and prefs["group_ticket"] == (True, False)

    def test_set_and_read_back_leaving_other_kinds(self, desk):
        prefs = services.set_preferences(desk.lead, desk.lead, {"group_ticket": (False, True)})
        assert prefs["group_ticket"] == (False, True) and prefs["mention"] == (True, True)
        services.set_preferences(desk.lead, desk.lead, {"group_ticket": (True, True)})
        assert NotificationPreference.objects.filter(user=desk.lead).count() == 1

    def test_unknown_kinds_are_refused_and_nothing_saved(self, desk):
        with pytest.raises(ServiceError):
            services.set_preferences(desk.lead, desk.lead, {"mention": (False, False), "x": (1, 1)})
        assert not NotificationPreference.objects.exists()

    def test_only_ones_own(self, desk):
        with pytest.raises(PermissionDenied):
            services.set_preferences(desk.specialist, desk.lead, {"mention": (False, False)})
        services.set_preferences(desk.admin, desk.lead, {"mention": (False, False)})


class TestMarkRead:
    def test_some_of_mine(self, desk, escalated):
        a, b = services.notify([desk.lead], escalated, "rule", "a") + services.notify(
            [desk.lead], escalated, "rule", "b"
        )
        assert services.mark_read(desk.lead, [a.pk]) == 1
        assert services.unread_count(desk.lead) == 1
        assert services.mark_read(desk.lead, [a.pk]) == 0  # already read

    def test_never_someone_elses(self, desk, escalated):
        (theirs,) = services.notify([desk.specialist], escalated, "rule", "x")
        assert services.mark_read(desk.lead, [theirs.pk]) == 0
        assert services.mark_read(desk.lead, "all") == 0
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_all_of_mine(self, desk, escalated):
        for text in "abc":
            services.notify([desk.lead], escalated, "rule", text)
        assert services.mark_read(desk.lead, "all") == 3
        assert services.unread_count(desk.lead) == 0

    def test_the_count_stops_at_its_limit(self, desk, escalated):
        for text in "abcde":
            services.notify([desk.lead], escalated, "rule", text)
        assert services.unread_count(desk.lead, limit=3) == 3


class TestRemoveWatcher:
    def test_an_agent_stops_watching(self, desk, escalated):
        ticket_services.add_watchers(desk.lead, escalated, [desk.lead])
        assert ticket_services.remove_watcher(desk.lead, escalated, desk.lead) is True
        assert not escalated.watchers.exists()
        event = escalated.events.filter(field="watchers").last()
        assert event.old_value == "Liisa Lead" and event.actor == desk.lead

    def test_not_watching_records_nothing(self, desk, escalated):
        before = escalated.events.count()
        assert ticket_services.remove_watcher(desk.lead, escalated, desk.lead) is False
        assert escalated.events.count() == before

    def test_requesters_may_not_remove_others(self, desk, escalated):
        ticket_services.add_watchers(desk.lead, escalated, [desk.colleague])
        with pytest.raises(PermissionDenied):
            ticket_services.remove_watcher(desk.requester, escalated, desk.colleague)

    def test_agents_who_cannot_see_the_ticket_cannot_touch_it(self, desk, escalated):
        with pytest.raises(PermissionDenied):
            ticket_services.remove_watcher(desk.other_agent, escalated, desk.other_agent)
