"""Custom fields: what a value must be, where a field applies, the services that write
values (all checked at once, nothing half-written) and the workflow guard."""

from __future__ import annotations

import pytest

from tuki.lib.errors import ServiceError, ServiceErrors
from tuki.tickets import fields, services
from tuki.tickets.models import Category, CustomField, Ticket, TicketEvent


def make_field(key: str, type: str = "text", **extra: object) -> CustomField:
    categories = extra.pop("categories", [])
    field = CustomField.objects.create(key=key, label=key.title(), type=type, **extra)
    if categories:
        field.categories.set(categories)
    return field


DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy"}},
    {"value": "hdd", "label": "Hard disk", "labels": {"fi": "Kiintolevy", "ro": "Hard disc"}},
]


@pytest.fixture
def disk(desk) -> CustomField:
    return make_field("disk", "choice", choices=DISK, labels={"fi": "Levy"})


class TestCleanValue:
    @pytest.mark.parametrize(
        ("type", "extra", "raw", "expected"),
        [
            ("text", {}, "  two   words ", "two words"),
            ("text", {}, "", None),
            ("long_text", {}, "line 1\nline 2", "line 1\nline 2"),
            ("number", {"validation": {"min": 0, "max": 10}}, "7", 7),
            ("number", {}, "2,5", 2.5),
            ("number", {}, 3.0, 3),
            ("date", {}, "2026-12-24", "2026-12-24"),
            ("choice", {"choices": DISK}, "ssd", "ssd"),
            ("multi_choice", {"choices": DISK}, ["hdd", "ssd", "hdd"], ["ssd", "hdd"]),
            ("checkbox", {}, "on", True),
            ("checkbox", {}, False, False),
        ],
    )
    def test_accepted(self, db, type, extra, raw, expected):
        assert fields.clean_value(make_field("f", type, **extra), raw) == expected

    @pytest.mark.parametrize(
        ("type", "extra", "raw", "code"),
        [
            ("text", {"validation": {"max_length": 3}}, "four", "max_length"),
            ("text", {"validation": {"pattern": "^INC"}}, "REQ-1", "pattern"),
            ("text", {}, 12, "invalid"),
            ("number", {"validation": {"min": 0}}, "-1", "min"),
            ("number", {"validation": {"max": 10}}, 11, "max"),
            ("number", {}, "many", "invalid"),
            ("number", {}, "nan", "invalid"),
            ("number", {}, True, "invalid"),
            ("date", {}, "24.12.2026", "invalid"),
            ("choice", {"choices": DISK}, "floppy", "invalid_choice"),
            ("multi_choice", {"choices": DISK}, ["ssd", "tape"], "invalid_choice"),
            ("checkbox", {}, "maybe", "invalid"),
            ("user", {}, "999999", "not_found"),
            ("user", {}, "abc", "invalid"),
            ("organisation", {}, 999999, "not_found"),
            ("ci", {}, 999999, "not_found"),
        ],
    )
    def test_refused_with_the_field_named(self, db, type, extra, raw, code):
        with pytest.raises(ServiceError) as caught:
            fields.clean_value(make_field("f", type, **extra), raw)
        assert (caught.value.field, caught.value.code) == ("custom.f", code)

    def test_references_must_be_active(self, desk):
        field = make_field("who", "user")
        assert fields.clean_value(field, str(desk.operator.pk)) == desk.operator.pk
        desk.colleague.is_active = False
        desk.colleague.save()
        with pytest.raises(ServiceError):
            fields.clean_value(field, desk.colleague.pk)
        org = make_field("org", "organisation")
        assert fields.clean_value(org, desk.acme.pk) == desk.acme.pk


class TestWhereAFieldApplies:
    def test_kinds_categories_and_subcategories(self, desk):
        network = desk.vpn.parent
        make_field("everywhere")
        make_field("incidents", kinds=["incident"])
        make_field("network", categories=[network])
        make_field("vpn_only", categories=[desk.vpn])
        make_field("off", is_active=False)
        other = Category.objects.create(name="Printers")
        keys = lambda kind, category: [f.key for f in fields.fields_for(kind, category)]  # noqa: E731
        assert keys("incident", desk.vpn) == ["everywhere", "incidents", "network", "vpn_only"]
        assert keys("incident", network) == ["everywhere", "incidents", "network"]
        assert keys("request", other) == ["everywhere"]
        assert keys("request", None) == ["everywhere"]

    def test_definitions_follow_a_change_at_once(self, desk):
        assert fields.fields_for("incident", None) == []
        field = make_field("late")
        assert [f.key for f in fields.fields_for("incident", None)] == ["late"]
        field.is_active = False
        field.save()
        assert fields.fields_for("incident", None) == []

    def test_positions_order_them(self, desk):
        make_field("b", position=2)
        make_field("a", position=3)
        make_field("c", position=1)
        assert [f.key for f in fields.fields_for("incident", None)] == ["c", "b", "a"]


class TestCreate:
    def test_values_are_stored(self, desk, disk):
        make_field("seats", "number")
        ticket = services.create_ticket(
            desk.operator,
            title="Laptop",
            requester=desk.requester,
            custom={"disk": "ssd", "seats": "3"},
        )
        ticket.refresh_from_db()
        assert ticket.custom == {"disk": "ssd", "seats": 3}

    def test_every_bad_value_is_reported_and_nothing_written(self, desk, disk):
        make_field("seats", "number")
        before = Ticket.objects.count()
        with pytest.raises(ServiceErrors) as caught:
            services.create_ticket(
                desk.operator,
                title="Laptop",
                requester=desk.requester,
                custom={"disk": "floppy", "seats": "x", "nosuch": 1},
            )
        assert sorted(e.field for e in caught.value.errors) == [
            "custom.disk",
            "custom.nosuch",
            "custom.seats",
        ]
        assert Ticket.objects.count() == before

    def test_required_at_registration_by_a_person_not_by_the_system(self, desk, disk):
        disk.required_statuses = ["new"]
        disk.save()
        with pytest.raises(ServiceError) as caught:
            services.create_ticket(desk.operator, title="Laptop", requester=desk.requester)
        assert (caught.value.field, caught.value.code) == ("custom.disk", "required")
        mailed = services.create_ticket(None, title="From a mail", requester=desk.requester)
        assert mailed.custom == {}

    def test_a_requester_fills_in_only_the_fields_meant_for_them(self, desk, disk):
        make_field("budget", "number", editable_by_requester=True)
        ticket = services.create_ticket(
            desk.requester, title="Laptop", requester=desk.requester, custom={"budget": 900}
        )
        assert ticket.custom == {"budget": 900}
        with pytest.raises(ServiceError) as caught:
            services.create_ticket(
                desk.requester, title="Laptop", requester=desk.requester, custom={"disk": "ssd"}
            )
        assert caught.value.field == "custom.disk"


class TestUpdate:
    def test_each_change_is_an_event_shown_readably(self, desk, incident, disk):
        make_field("seats", "number")
        ticket = services.update_ticket(desk.operator, incident, custom={"disk": "hdd"})
        ticket = services.update_ticket(desk.operator, ticket, custom={"disk": "ssd", "seats": 4})
        ticket.refresh_from_db()
        assert ticket.custom == {"disk": "ssd", "seats": 4}
        events = list(
            TicketEvent.objects.filter(ticket=ticket, field__startswith="custom.")
            .order_by("pk")
            .values_list("field", "old_value", "new_value")
        )
        assert events == [
            ("custom.disk", "", "Hard disk"),
            ("custom.disk", "Hard disk", "SSD"),
            ("custom.seats", "", "4"),
        ]

    def test_clearing_and_unchanged(self, desk, incident, disk):
        ticket = services.update_ticket(desk.operator, incident, custom={"disk": "hdd"})
        count = TicketEvent.objects.filter(ticket=ticket).count()
        ticket = services.update_ticket(desk.operator, ticket, custom={"disk": "hdd"})
        assert TicketEvent.objects.filter(ticket=ticket).count() == count
        ticket = services.update_ticket(desk.operator, ticket, custom={"disk": ""})
        ticket.refresh_from_db()
        assert ticket.custom == {}

    def test_a_bad_value_writes_nothing(self, desk, incident, disk):
        make_field("seats", "number")
        with pytest.raises(ServiceErrors):
            services.update_ticket(
                desk.operator, incident, title="Renamed", custom={"seats": 5, "disk": "floppy"}
            )
        incident.refresh_from_db()
        assert incident.title == "VPN drops every few minutes"
        assert incident.custom == {}

    def test_a_field_of_another_category_is_refused(self, desk, incident):
        make_field("printer", categories=[Category.objects.create(name="Printers")])
        with pytest.raises(ServiceError) as caught:
            services.update_ticket(desk.operator, incident, custom={"printer": "x"})
        assert caught.value.field == "custom.printer"


class TestGuard:
    def test_a_status_needs_its_required_values(self, desk, incident, disk):
        disk.required_statuses = ["resolved"]
        disk.save()
        assert [
            f.key for f in fields.missing_for_status(incident, services.status_by_key("resolved"))
        ] == ["disk"]
        with pytest.raises(ServiceError) as caught:
            services.resolve_ticket(desk.operator, incident, code="solved", resolution="done")
        assert caught.value.field == "status"
        assert "Disk" in caught.value.message
        incident.refresh_from_db()
        assert incident.status.key != "resolved"
        ticket = services.update_ticket(desk.operator, incident, custom={"disk": "ssd"})
        ticket = services.resolve_ticket(desk.operator, ticket, code="solved", resolution="done")
        assert ticket.status.key == "resolved"

    def test_a_required_value_cannot_be_cleared_in_that_status(self, desk, incident, disk):
        ticket = services.update_ticket(desk.operator, incident, custom={"disk": "ssd"})
        disk.required_statuses = [ticket.status.key]
        disk.save()
        with pytest.raises(ServiceError):
            services.update_ticket(desk.operator, ticket, custom={"disk": None})

    def test_a_field_of_another_kind_does_not_block(self, desk, incident, disk):
        disk.required_statuses = ["resolved"]
        disk.kinds = ["request"]
        disk.save()
        ticket = services.resolve_ticket(desk.operator, incident, code="solved", resolution="x")
        assert ticket.status.key == "resolved"


class TestDisplay:
    def test_labels_and_values_in_the_readers_language(self, desk, disk):
        from django.utils import translation

        with translation.override("fi"):
            assert fields.label(disk) == "Levy"
            assert fields.display(disk, "hdd") == "Kiintolevy"
        with translation.override("ro"):
            assert fields.label(disk) == "Disk"
            assert fields.display(disk, "ssd") == "SSD"
        who = make_field("who", "user")
        assert fields.display(who, desk.operator.pk) == str(desk.operator)
        day = make_field("day", "date")
        assert fields.display(day, "2026-12-24") == "24 Dec 2026"
        box = make_field("box", "checkbox")
        assert fields.display(box, True) == "Yes"

    def test_reference_names_one_query_per_type(self, desk, django_assert_num_queries):
        who = make_field("who", "user")
        org = make_field("org", "organisation")
        values = [{"who": desk.operator.pk, "org": desk.acme.pk}, {"who": desk.lead.pk}]
        with django_assert_num_queries(2):
            names = fields.reference_names([who, org], values)
        assert names[("user", desk.lead.pk)] == str(desk.lead)
