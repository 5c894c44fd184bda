"""Configuration changes are recorded with actor, time and before/after, whichever way they
come: Tuki's pages, the API, Django's admin, a management command or a service call."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tuki.audit.models import Action, AuditEntry, Via
from tuki.audit.services import MASK
from tuki.calendars.models import Calendar
from tuki.mail.models import Mailbox
from tuki.routing import services as routing
from tuki.routing.models import RoutingRule
from tuki.webhooks import services as webhooks
from tuki.webhooks.models import Webhook

pytestmark = pytest.mark.django_db


def entries_for(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("id"))


@pytest.fixture
def rule(desk):
    return routing.create_rule(desk.admin, name="VPN", group=desk.network_hel, category=desk.vpn)


class TestARoutingRuleChangedTwice:
    def test_gives_two_entries_with_before_and_after(self, desk, rule):
        routing.update_rule(desk.admin, rule, group=desk.network_buc)
        routing.update_rule(desk.admin, rule, name="VPN (all offices)", is_active=False)

        created, first, second = entries_for(rule)
        assert created.action == Action.CREATE
        assert created.changes["group"] == [None, "Network Helsinki"]
        assert first.action == Action.UPDATE
        assert first.changes == {"group": ["Network Helsinki", "Network Bucharest"]}
        assert second.changes == {"name": ["VPN", "VPN (all offices)"], "is_active": [True, False]}
        assert first.created_at <= second.created_at
        # Called as a service outside any request: the system acted.
        assert (second.actor, second.via) == (None, Via.SYSTEM)

    def test_a_save_that_changes_nothing_records_nothing(self, desk, rule):
        routing.update_rule(desk.admin, rule, name="VPN")
        assert len(entries_for(rule)) == 1

    def test_reordering_records_the_positions(self, desk, rule):
        other = routing.create_rule(desk.admin, name="Apps", group=desk.apps)
        routing.move_rule(desk.admin, other, -1)
        changed = [e for e in entries_for(other) if e.action == Action.UPDATE]
        assert changed and changed[-1].changes["position"][1] == 10

    def test_deleting_records_the_last_values(self, desk, rule):
        pk = rule.pk
        routing.delete_rule(desk.admin, rule)
        ct = ContentType.objects.get_for_model(RoutingRule)
        entry = AuditEntry.objects.filter(
            content_type=ct, object_id=str(pk), action=Action.DELETE
        ).get()
        assert entry.object_repr == "VPN"
        assert entry.changes["name"] == ["VPN", None]


class TestTheActorIsRecorded:
    def test_through_the_pages(self, desk, rule):
        client = desk.client_for(desk.admin)
        response = client.post(
            reverse("routing:rule_edit", args=[rule.pk]),
            {"name": "VPN pages", "group": desk.network_hel.pk, "is_active": "on"},
            HTTP_USER_AGENT="pytest-browser",
        )
        assert response.status_code == 302
        entry = entries_for(rule)[-1]
        assert (entry.actor, entry.actor_label, entry.via) == (
            desk.admin,
            desk.admin.email,
            Via.WEB,
        )
        assert entry.changes["name"] == ["VPN", "VPN pages"]
        assert (entry.ip, entry.user_agent) == ("127.0.0.1", "pytest-browser")

    def test_through_the_api(self, desk, rule):
        response = desk.client_for(desk.admin).patch(
            f"/api/v1/routing/rules/{rule.pk}",
            json.dumps({"name": "VPN api"}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        entry = entries_for(rule)[-1]
        assert (entry.actor, entry.via) == (desk.admin, Via.API)
        assert entry.changes == {"name": ["VPN", "VPN api"]}

    def test_through_the_api_with_a_token(self, desk, rule):
        from django.test import Client

        from tuki.accounts.models import ApiToken

        _token, raw = ApiToken.mint(desk.admin)
        response = Client().patch(
            f"/api/v1/routing/rules/{rule.pk}",
            json.dumps({"name": "VPN token"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 200, response.content
        entry = entries_for(rule)[-1]
        assert (entry.actor, entry.via) == (desk.admin, Via.API)

    def test_through_the_admin(self, desk):
        client = desk.client_for(desk.admin)
        url = reverse("admin:calendars_calendar_add")
        page = client.get(url)
        assert page.status_code == 200
        response = client.post(
            url,
            {
                "name": "Bucharest office",
                "time_zone": "Europe/Bucharest",
                "week": '{"mon": [["08:00", "16:00"]]}',
                "closed_days": '["2026-12-25"]',
                "extra_working_days": "{}",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        calendar = Calendar.objects.get(name="Bucharest office")
        entry = entries_for(calendar)[-1]
        assert (entry.action, entry.actor, entry.via) == (Action.CREATE, desk.admin, Via.ADMIN)
        assert entry.changes["closed_days"] == [None, ["2026-12-25"]]

    def test_through_a_management_command(self, desk, monkeypatch):
        from django.core.management import call_command

        monkeypatch.setattr("sys.argv", ["tuki", "createsuperuser"])
        call_command("createsuperuser", interactive=False, email="root@tuki.test", full_name="Root")
        entry = AuditEntry.objects.filter(object_repr="Root", action=Action.CREATE).get()
        assert (entry.actor, entry.actor_label, entry.via) == (
            None,
            "tuki createsuperuser",
            Via.COMMAND,
        )
        assert entry.changes["is_superuser"] == [None, True]


class TestSecretsAreMasked:
    def test_a_webhook_secret_is_never_recorded(self, desk):
        hook = webhooks.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example/hook")
        webhooks.rotate_secret(desk.admin, hook)
        hook.refresh_from_db()
        created, rotated = entries_for(hook)
        assert created.changes["secret"] == [None, MASK]
        assert rotated.changes == {"secret": [MASK, MASK]}
        stored = json.dumps([e.changes for e in AuditEntry.objects.all()])
        assert hook.secret not in stored

    def test_a_mailbox_password_is_never_recorded(self, desk):
        box = Mailbox.objects.create(
            name="desk", address="desk@tuki.test", imap_host="imap", imap_password="hunter2-xyz"
        )
        box.imap_password = "correct-horse-xyz"
        box.save()
        created, changed = entries_for(box)
        assert created.changes["imap_password"] == [None, MASK]
        assert changed.changes == {"imap_password": [MASK, MASK]}
        stored = json.dumps([e.changes for e in AuditEntry.objects.all()])
        assert "hunter2" not in stored and "correct-horse" not in stored

    def test_a_password_change_is_recorded_without_the_hash(self, desk):
        desk.requester.set_password("a-new-long-password")
        desk.requester.save()
        entry = entries_for(desk.requester)[-1]
        assert entry.changes == {"password": [MASK, MASK]}


class TestPeopleAndGroups:
    def test_group_membership_from_either_side(self, desk):
        desk.network_hel.members.add(desk.other_agent)
        desk.other_agent.support_groups.remove(desk.network_hel)
        added = entries_for(desk.network_hel)[-1]
        removed = entries_for(desk.other_agent)[-1]
        assert added.changes == {"members": {"added": [str(desk.other_agent)]}}
        assert removed.changes == {"support_groups": {"removed": ["Network Helsinki"]}}

    def test_clearing_members_records_who_was_removed(self, desk):
        before = sorted(str(u) for u in desk.network_hel.members.all())
        desk.network_hel.members.clear()
        assert entries_for(desk.network_hel)[-1].changes == {"members": {"removed": before}}

    def test_staff_flags_and_permissions(self, desk):
        staff = Group.objects.create(name="Configuration")
        desk.operator.is_staff = True
        desk.operator.save()
        desk.operator.groups.add(staff)
        flag, joined = entries_for(desk.operator)[-2:]
        assert flag.changes == {"is_staff": [False, True]}
        assert joined.changes == {"groups": {"added": ["Configuration"]}}

    def test_a_sign_in_does_not_record_last_login_as_a_change(self, desk):
        from tuki.conftest import PASSWORD

        before = AuditEntry.objects.exclude(action=Action.SIGN_IN).count()
        from django.test import Client

        client = Client()
        response = client.post(
            reverse("login"), {"username": desk.operator.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        assert AuditEntry.objects.exclude(action=Action.SIGN_IN).count() == before

    def test_a_change_that_fails_leaves_no_entry(self, desk, rule):
        from tuki.lib.errors import ServiceError

        count = AuditEntry.objects.count()
        with pytest.raises(ServiceError):
            routing.update_rule(desk.admin, rule, name="")
        assert AuditEntry.objects.count() == count
        assert RoutingRule.objects.get(pk=rule.pk).name == "VPN"


def test_a_webhook_changed_through_its_service_records_before_and_after(desk):
    hook = webhooks.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example/hook")
    webhooks.update_webhook(desk.admin, hook, url="https://cmdb.example/v2", events=["created"])
    entry = entries_for(Webhook.objects.get(pk=hook.pk))[-1]
    assert entry.changes["url"] == ["https://cmdb.example/hook", "https://cmdb.example/v2"]
    assert entry.changes["events"][1] == ["created"]
