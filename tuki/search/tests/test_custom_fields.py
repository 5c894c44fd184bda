"""Custom field values in the ticket search: what is matched, re-indexing when a value or
a field's definition changes, and requesters matching only the fields shown to them."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.search import documents, engine, queries
from tuki.tickets import services
from tuki.tickets.models import CustomField, Ticket
from tuki.tickets.services import custom_fields as field_services

pytestmark = pytest.mark.django_db

DISK = [
    {"value": "ssd", "label": "Solid state", "labels": {"fi": "Puolijohdelevy"}},
    {"value": "hdd", "label": "Spinning platter", "labels": {"ro": "Platan rotativ"}},
]


def ticket_ids(user: object, q: str, *, public: bool = False) -> list[int]:
    allowed = {documents.TICKET: Ticket.objects.visible_to(user).values("pk")}
    return [h.object_id for h in engine.search(q, allowed=allowed, public_only=public)]


def make_field(key: str, type: str = "text", **extra: object) -> CustomField:
    extra.setdefault("label", key.title())
    return CustomField.objects.create(key=key, type=type, **extra)


@pytest.fixture
def fields(desk: Desk) -> dict[str, CustomField]:
    return {
        "disk": make_field("disk", "choice", choices=DISK, visible_to_requester=True),
        "serial": make_field("serial", "text", visible_to_requester=True),
        "secret": make_field("secret", "text"),  # agents only
        "cost": make_field("cost", "number"),
        "contact": make_field("contact", "user"),
        "vip": make_field("vip", "checkbox", label="Kumquat customer"),
    }


@pytest.fixture
def ticket(
    desk: Desk, fields: dict[str, CustomField], incident: Ticket, django_capture_on_commit_callbacks
) -> Ticket:
    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(
            desk.operator,
            incident,
            custom={
                "disk": "hdd",
                "serial": "Zebrafish-4711",
                "secret": "Wombat escalation",
                "cost": 31337,
                "contact": desk.specialist.pk,
                "vip": True,
            },
        )
    return incident


def test_values_are_found_by_agents(desk: Desk, ticket: Ticket) -> None:
    for q in ("zebrafish", "wombat", "31337", "spinning platter", "platan", "hdd", "kumquat"):
        assert ticket_ids(desk.operator, q) == [ticket.pk], q
    assert ticket_ids(desk.operator, desk.specialist.full_name.split()[-1]) == [ticket.pk]


def test_requesters_match_only_the_fields_shown_to_them(desk: Desk, ticket: Ticket) -> None:
    assert ticket_ids(desk.requester, "zebrafish", public=True) == [ticket.pk]
    assert ticket_ids(desk.requester, "platter", public=True) == [ticket.pk]
    for hidden in ("wombat", "31337", "kumquat"):
        assert ticket_ids(desk.requester, hidden, public=True) == [], hidden


def test_the_portal_search_does_not_match_hidden_fields(desk: Desk, ticket: Ticket) -> None:
    def found(user: object, q: str, portal: bool) -> list[int]:
        results, _total = queries.run(user, queries.Filters(q=q), portal=portal, limit=20)
        return [r.obj.pk for r in results if r.kind == documents.TICKET]

    assert found(desk.requester, "zebrafish", True) == [ticket.pk]
    assert found(desk.requester, "wombat", True) == []
    assert found(desk.operator, "wombat", False) == [ticket.pk]
    assert found(desk.outsider, "zebrafish", True) == []  # access still applies
    assert found(desk.other_agent, "wombat", False) == []


def test_a_changed_value_reindexes_the_ticket(
    desk: Desk, ticket: Ticket, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(desk.operator, ticket, custom={"serial": "Narwhal-99", "disk": None})
    assert ticket_ids(desk.operator, "narwhal") == [ticket.pk]
    assert ticket_ids(desk.operator, "zebrafish") == []
    assert ticket_ids(desk.operator, "platter") == []


def test_a_value_given_at_creation_is_indexed(
    desk: Desk, fields: dict[str, CustomField], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = services.create_ticket(
            desk.operator, title="Laptop", requester=desk.requester, custom={"disk": "ssd"}
        )
    assert ticket_ids(desk.operator, "solid state") == [created.pk]
    assert ticket_ids(desk.operator, "puolijohdelevy") == [created.pk]


def test_hiding_a_field_from_requesters_reindexes_its_tickets(
    desk: Desk, ticket: Ticket, fields: dict[str, CustomField], django_capture_on_commit_callbacks
) -> None:
    serial = fields["serial"]
    with django_capture_on_commit_callbacks(execute=True):
        field_services.save_custom_field(
            desk.admin, serial, key="serial", label="Serial", type="text",
            visible_to_requester=False,
        )  # fmt: skip
    assert ticket_ids(desk.requester, "zebrafish", public=True) == []
    assert ticket_ids(desk.operator, "zebrafish") == [ticket.pk]


def test_a_renamed_choice_is_found_by_its_new_label(
    desk: Desk, ticket: Ticket, fields: dict[str, CustomField], django_capture_on_commit_callbacks
) -> None:
    disk = fields["disk"]
    choices = [DISK[0], {"value": "hdd", "label": "Rotating rust"}]
    with django_capture_on_commit_callbacks(execute=True):
        field_services.save_custom_field(
            desk.admin, disk, key="disk", label="Disk", type="choice", choices=choices,
            visible_to_requester=True,
        )  # fmt: skip
    assert ticket_ids(desk.operator, "rust") == [ticket.pk]
    assert ticket_ids(desk.operator, "platter") == []


def test_an_inactive_fields_values_leave_the_index(
    desk: Desk, ticket: Ticket, fields: dict[str, CustomField], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        field_services.set_custom_field_active(desk.admin, fields["secret"], False)
    assert ticket_ids(desk.operator, "wombat") == []


def test_a_rebuild_reads_reference_names_once_per_chunk(
    desk: Desk, ticket: Ticket, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        services.update_ticket(desk.operator, ticket, custom={"contact": desk.lead.pk})
    # the chunk's ids, tickets, comments, names of the users; then the end of the ids
    with django_assert_max_num_queries(6):
        docs = list(documents.ticket_documents())
    assert desk.lead.full_name in next(d for d in docs if d.object_id == ticket.pk).body
