"""Registering a ticket over the API: what it costs, and that the shortcuts change nothing.

The answer is built from the object the service returned (nothing is read back unless
something changed the ticket after its commit), and with the database task queue the
follow-up tasks are written inside the creation's own transaction, in one INSERT.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tuki.automation import services as automation
from tuki.lib.testing import query_budget
from tuki.tickets.tests.test_api_support import get, post, token_client

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# On PostgreSQL: token and requester lookups, whether the agent is an external one (the
# directory limits whom a supplier's agent may name: accounts/directory.py), the
# configuration's version, BEGIN, the ticket, its event, the tasks, COMMIT, the live pages'
# NOTIFY (tuki/live/bus.py, after the commit) and the SLA clocks of the answer; the rules'
# pass after the commit knows the version already. An SLA policy adds its clocks' rows
# (clocks, timers, log): none applies here.
CREATE_QUERIES = 11


def created_and_read(client, body):
    created = post(client, "/tickets", body)
    assert created.status_code == 201, created.content
    data = created.json()
    return data, get(client, f"/tickets/{data['number']}").json()


class TestAnswer:
    def test_an_agents_ticket_is_answered_as_it_is_read(self, desk):
        client = token_client(desk.operator)
        body = {
            "title": "VPN drops",
            "description": "Every hour.",
            "category": desk.vpn.pk,
            "requester": desk.requester.pk,
            "impact": 2,
            "urgency": 1,
            "group": desk.network_hel.pk,
            "assignee": desk.specialist.pk,
            "tags": ["vpn", " Laptop ", ""],
            "restricted": True,
        }
        created, read = created_and_read(client, body)
        assert created == read
        assert created["tags"] == ["laptop", "vpn"]
        assert created["organisation"]["name"] == "Acme Oy"

    def test_a_requesters_ticket_is_answered_as_it_is_read(self, desk):
        created, read = created_and_read(token_client(desk.requester), {"title": "Printer"})
        assert created == read
        assert created["tags"] == [] and created["owner"] is None

    def test_a_ticket_without_organisation_is_answered_as_it_is_read(self, desk):
        created, read = created_and_read(token_client(desk.admin), {"title": "Mine"})
        assert created == read and created["organisation"] is None


@pytest.mark.django_db(transaction=True)
class TestCommitted:
    """Real commits: what runs after them runs inside the request, as in production."""

    def test_a_rule_acting_on_creation_is_in_the_answer(self, desk):
        automation.create_rule(
            desk.admin,
            name="Tag printers",
            trigger="event",
            events=["created"],
            conditions={"match": "all", "items": []},
            actions=[{"type": "add_tags", "tags": ["printer"]}],
        )
        created, read = created_and_read(token_client(desk.operator), {"title": "Printer"})
        assert created["tags"] == ["printer"]
        assert created == read

    @override_settings(TASKS=DB_TASKS)
    def test_the_follow_ups_are_queued_in_the_creations_transaction(self, desk):
        client = token_client(desk.operator)
        for _ in range(2):  # the first creation also makes the default calendar
            post(client, "/tickets", {"title": "Warm up", "requester": desk.requester.pk})
        DBTaskResult.objects.all().delete()
        postgres = connection.vendor == "postgresql"  # SQLite's COMMIT is no captured query
        with query_budget(CREATE_QUERIES if postgres else None, exact=True) as queries:
            response = post(client, "/tickets", {"title": "Mail", "requester": desk.requester.pk})
        assert response.status_code == 201
        writes = [sql for sql in queries.sql if "dbtaskresult" in sql]
        assert len(writes) == 1
        assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
            "tuki.notifications.tasks.notify_events",
            "tuki.reports.tasks.refresh_facts",
            "tuki.routing.tasks.route_ticket",
            "tuki.search.tasks.index_ticket",
        ]
        if postgres:
            assert queries.sql.count("COMMIT") == 1

    @override_settings(TASKS=DB_TASKS)
    def test_the_acknowledgement_mail_is_queued_with_the_rest(self, desk):
        client = token_client(desk.operator)
        body = {"title": "Mail", "requester": desk.requester.pk, "channel": "web"}
        post(client, "/tickets", {"title": "Warm up"})  # makes the default calendar
        with query_budget() as queries:
            assert post(client, "/tickets", body).status_code == 201
        writes = [sql for sql in queries.sql if "dbtaskresult" in sql]
        assert len(writes) == 1
        assert "tuki.mail.outbound.sending.send_outbound" in set(
            DBTaskResult.objects.values_list("task_path", flat=True)
        )
