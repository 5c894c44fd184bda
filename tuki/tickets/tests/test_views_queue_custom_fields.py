"""Custom fields in the queue: a filter per field type (cf_<key>), bad filter values as
errors of their field (never a 500), columns (cols=) and a query budget that does not
grow with the number of fields, columns, filters or rows."""

from __future__ import annotations

import re

import pytest

from tuki.configcache import cache as configcache
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services
from tuki.tickets.models import CustomField, Ticket
from tuki.tickets.tests.test_views_queue import QUEUE_QUERIES, URL, make_tickets, numbers

# The queue's sort and filters take another path on PostgreSQL (views/queue.py).
pytestmark = pytest.mark.each_database

DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy"}},
    {"value": "hdd", "label": "Hard disk", "labels": {"fi": "Kiintolevy", "ro": "Hard disc"}},
]
PORTS = [{"value": "usb", "label": "USB"}, {"value": "hdmi", "label": "HDMI"}]


def make_field(key: str, type: str = "text", **extra: object) -> CustomField:
    return CustomField.objects.create(key=key, label=key.title(), type=type, **extra)


@pytest.fixture
def fields(desk) -> dict[str, CustomField]:
    made = {
        "disk": make_field("disk", "choice", choices=DISK, labels={"fi": "Levy"}),
        "ports": make_field("ports", "multi_choice", choices=PORTS),
        "vip": make_field("vip", "checkbox"),
        "serial": make_field("serial", "text"),
        "cost": make_field("cost", "number"),
        "due": make_field("due", "date"),
        "contact": make_field("contact", "user"),
        "site": make_field("site", "organisation"),
    }
    configcache.clear()
    return made


@pytest.fixture
def two(desk, fields) -> tuple[Ticket, Ticket]:
    first, second = make_tickets(desk, 2)
    services.update_ticket(
        desk.operator,
        first,
        custom={
            "disk": "ssd",
            "ports": ["usb", "hdmi"],
            "vip": True,
            "serial": "SN-ABC-123",
            "cost": 120,
            "due": "2026-03-01",
            "contact": desk.specialist.pk,
            "site": desk.acme.pk,
        },
    )
    services.update_ticket(
        desk.operator,
        second,
        custom={"disk": "hdd", "ports": ["hdmi"], "vip": False, "cost": 7.5, "due": "2026-05-20"},
    )
    return first, second


class TestFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"cf_disk": "ssd"}, [0]),
            ({"cf_disk": "hdd"}, [1]),
            ({"cf_ports": "usb"}, [0]),
            ({"cf_ports": "hdmi"}, [1, 0]),
            ({"cf_vip": "yes"}, [0]),
            ({"cf_vip": "no"}, [1]),
            ({"cf_serial": "abc"}, [0]),
            ({"cf_serial": "zzz"}, []),
            ({"cf_cost__min": "100"}, [0]),
            ({"cf_cost__max": "7,5"}, [1]),
            ({"cf_cost__min": "7", "cf_cost__max": "8"}, [1]),
            ({"cf_due__min": "2026-04-01"}, [1]),
            ({"cf_due__max": "2026-03-01"}, [0]),
            ({"cf_site": "acme"}, [1, 0]),  # not an id: refused, so not applied
        ],
    )
    def test_each_type(self, desk, two, query, expected):
        response = desk.client_for(desk.operator).get(URL, query)
        assert response.status_code == 200
        assert numbers(response) == [two[i].number for i in expected]

    def test_references_by_id(self, desk, two):
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL, {"cf_site": desk.acme.pk})) == [two[0].number]
        assert numbers(client.get(URL, {"cf_site": desk.globex.pk})) == []
        assert numbers(client.get(URL, {"cf_contact": desk.specialist.pk})) == [two[0].number]
        # Any id, also of someone the list does not offer.
        assert numbers(client.get(URL, {"cf_contact": desk.requester.pk})) == []

    def test_a_ticket_without_a_value_is_not_ticked(self, desk, two):
        third = make_tickets(desk, 1)[0]
        response = desk.client_for(desk.operator).get(URL, {"cf_vip": "no"})
        assert numbers(response) == [third.number, two[1].number]

    def test_filters_combine_with_the_others(self, desk, two):
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL, {"cf_ports": "hdmi", "cf_disk": "ssd"})) == [two[0].number]
        assert numbers(client.get(URL, {"cf_disk": "ssd", "state": "closed"})) == []

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"cf_disk": "floppy"}, "Select a valid choice"),
            ({"cf_ports": "serial"}, "Select a valid choice"),
            ({"cf_vip": "maybe"}, "Select a valid choice"),
            ({"cf_cost__min": "lots"}, "Enter a number."),
            ({"cf_cost__max": "1e400"}, "Enter a smaller number."),
            ({"cf_cost__max": "99999999999999999999999"}, "Enter a smaller number."),
            ({"cf_due__min": "2026-02-30"}, "Enter a date as YYYY-MM-DD."),
            ({"cf_contact": "99999999999999999999999"}, "Select a valid choice"),
            ({"cf_serial": "x" * 201}, "at most 200"),
        ],
    )
    def test_a_bad_value_is_an_error_of_its_field_and_not_applied(self, desk, two, query, message):
        response = desk.client_for(desk.operator).get(URL, query)
        assert response.status_code == 200
        assert numbers(response) == [two[1].number, two[0].number]
        name = next(iter(query))
        assert response.context["form"].errors[name]
        page = response.content.decode()
        assert message in page and "is-invalid" in page
        assert "These filters were not applied" in page

    def test_the_error_is_in_the_results_of_an_htmx_request_too(self, desk, two):
        response = desk.client_for(desk.operator).get(
            URL, {"cf_cost__min": "lots"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200 and b"<html" not in response.content
        assert "Enter a number." in response.content.decode()

    def test_an_unknown_key_is_ignored(self, desk, two):
        response = desk.client_for(desk.operator).get(URL, {"cf_nothing": "x", "cols": "nope"})
        assert response.status_code == 200
        assert len(numbers(response)) == 2 and response.context["column_labels"] == []

    def test_an_inactive_field_is_not_offered(self, desk, two, fields):
        fields["disk"].is_active = False
        fields["disk"].save()
        response = desk.client_for(desk.operator).get(URL, {"cf_disk": "ssd"})
        assert len(numbers(response)) == 2
        assert 'name="cf_disk"' not in response.content.decode()

    def test_filters_are_in_the_page_with_translated_choices(self, desk, two):
        desk.operator.language = "fi"
        desk.operator.save(update_fields=["language"])
        page = desk.client_for(desk.operator).get(URL, {"cf_disk": "hdd"}).content.decode()
        assert 'name="cf_disk"' in page and "Kiintolevy" in page and "Levy" in page
        assert 'name="cf_cost__min"' in page and 'name="cf_due__max"' in page
        assert 'type="date"' in page

    def test_pages_and_sorting_keep_the_custom_filters(self, desk, fields):
        tickets = make_tickets(desk, 51)
        for ticket in tickets:
            services.update_ticket(desk.operator, ticket, custom={"disk": "ssd"})
        client = desk.client_for(desk.operator)
        response = client.get(URL, {"cf_disk": "ssd", "cols": "disk"})
        page = response.content.decode()
        assert "cf_disk=ssd" in page and "page=2" in page
        assert "?sort=-number&amp;cf_disk=ssd&amp;cols=disk" in page or (
            "cf_disk=ssd&amp;cols=disk&amp;sort=-number" in page
        )
        second = client.get(URL, {"cf_disk": "ssd", "cols": "disk", "page": 2})
        assert len(numbers(second)) == 1 and second.context["column_labels"] == ["Disk"]


class TestColumns:
    def test_chosen_fields_become_columns_with_readable_values(self, desk, two):
        response = desk.client_for(desk.operator).get(
            URL, {"cols": ["disk", "ports", "vip", "contact", "site", "due"]}
        )
        # The fields' order (position, then key), not the query's.
        assert response.context["column_labels"] == [
            "Contact", "Disk", "Due", "Ports", "Site", "Vip",
        ]  # fmt: skip
        page = response.content.decode()
        for text in ('<th scope="col">Ports</th>', "SSD", "Hard disk", "USB, HDMI", "Yes"):
            assert text in page
        assert desk.specialist.full_name in page and "Acme Oy" in page
        assert 'class="small d-table-cell ws-cf"' in page

    def test_column_labels_and_values_in_the_agents_language(self, desk, two):
        desk.operator.language = "fi"
        desk.operator.save(update_fields=["language"])
        page = desk.client_for(desk.operator).get(URL, {"cols": "disk"}).content.decode()
        assert '<th scope="col">Levy</th>' in page and "SSD-levy" in page

    def test_values_are_escaped(self, desk, two):
        services.update_ticket(desk.operator, two[1], custom={"serial": "<b>x</b>"})
        page = desk.client_for(desk.operator).get(URL, {"cols": "serial"}).content.decode()
        assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page

    def test_the_picker_offers_every_field(self, desk, two):
        page = desk.client_for(desk.operator).get(URL, {"cols": "disk"}).content.decode()
        assert page.count('name="cols"') == 8
        assert re.search(r'name="cols" value="disk" id="id_cols_\d+" checked', page)
        assert not re.search(r'name="cols" value="vip" id="id_cols_\d+" checked', page)


class TestWhoMayUseThem:
    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_are_sent_to_the_portal(self, desk, two, who):
        response = desk.client_for(getattr(desk, who)).get(URL, {"cf_disk": "ssd", "cols": "disk"})
        assert response.status_code == 302 and response.url == "/portal/"

    def test_anonymous_visitors_sign_in(self, desk, two):
        from django.test import Client

        response = Client().get(URL, {"cf_disk": "ssd"})
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", ["operator", "specialist", "lead", "admin"])
    def test_agents_filter_only_what_they_may_see(self, desk, two, who):
        response = desk.client_for(getattr(desk, who)).get(URL, {"cf_disk": "ssd"})
        assert response.status_code == 200
        visible = Ticket.objects.visible_to(getattr(desk, who)).filter(pk=two[0].pk)
        assert numbers(response) == [t.number for t in visible]

    def test_another_groups_agent_finds_nothing_by_a_custom_value(self, desk, two):
        services.escalate_ticket(desk.operator, two[0], group=desk.network_hel, reason="net")
        response = desk.client_for(desk.other_agent).get(URL, {"cf_serial": "abc"})
        assert response.status_code == 200 and numbers(response) == []


class TestQueryBudget:
    def page_queries(self, desk, query: dict | None = None, budget: int = QUEUE_QUERIES) -> Queries:
        client = desk.client_for(desk.operator)
        client.get(URL, query)  # warm the session and the configuration cache
        with query_budget(budget, exact=True) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        return queries

    def define(self, count: int, start: int = 0) -> None:
        for n in range(start, start + count):
            make_field(f"f{n}", ["text", "choice", "number", "checkbox"][n % 4], choices=DISK)

    def test_the_number_of_fields_costs_no_query(self, desk):
        make_tickets(desk, 3)
        none = self.page_queries(desk)
        self.define(3)
        three = self.page_queries(desk)
        self.define(9, start=3)  # twelve in all
        twelve = self.page_queries(desk)
        assert_same_count(none, three)
        assert_same_count(none, twelve)

    def test_filters_and_plain_columns_cost_no_query_whatever_the_rows(self, desk, two):
        self.define(12)
        query = {
            "cf_disk": "ssd",
            "cf_ports": "usb",
            "cf_vip": "yes",
            "cf_serial": "abc",
            "cf_cost__min": "1",
            "cf_due__max": "2027-01-01",
            "cols": ["disk", "ports", "vip", "serial", "cost", "due", "f0", "f1"],
        }
        few = self.page_queries(desk, query)
        for ticket in make_tickets(desk, 30):
            services.update_ticket(
                desk.operator, ticket, custom={"disk": "ssd", "ports": ["usb"], "vip": True,
                "serial": "abc", "cost": 3, "due": "2026-01-01"},
            )  # fmt: skip
        many = self.page_queries(desk, query)
        assert_same_count(few, many)

    def test_reference_columns_cost_one_query_per_type_for_the_page(self, desk, two):
        query = {"cols": ["contact", "site"]}
        few = self.page_queries(desk, query, QUEUE_QUERIES + 2)
        for ticket in make_tickets(desk, 20):
            services.update_ticket(
                desk.operator, ticket, custom={"contact": desk.lead.pk, "site": desk.globex.pk}
            )
        many = self.page_queries(desk, query, QUEUE_QUERIES + 2)
        assert_same_count(few, many)
