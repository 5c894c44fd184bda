"""Custom fields over the API: the definitions, values read and written, 422 per field."""

from __future__ import annotations

from tuki.tickets import services
from tuki.tickets.models import CustomField
from tuki.tickets.tests.test_api_support import error_fields, get, patch, post, token_client

DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy"}},
    {"value": "hdd", "label": "HDD"},
]


def fields(desk) -> None:
    CustomField.objects.create(key="disk", label="Disk", type="choice", choices=DISK)
    CustomField.objects.create(
        key="budget",
        label="Budget",
        type="number",
        validation={"min": 0},
        visible_to_requester=True,
        editable_by_requester=True,
    )
    field = CustomField.objects.create(key="vpn_client", label="VPN client", type="text")
    field.categories.set([desk.vpn])


class TestDefinitions:
    def test_typed_definitions(self, desk):
        fields(desk)
        body = get(token_client(desk.operator), "/custom-fields").json()
        assert [f["key"] for f in body] == ["budget", "disk", "vpn_client"]
        disk = body[1]
        assert disk["type"] == "choice"
        assert disk["choices"] == [
            {"value": "ssd", "label": "SSD"},
            {"value": "hdd", "label": "HDD"},
        ]
        assert body[2]["categories"] == [desk.vpn.pk]

    def test_requesters_get_their_fields_only(self, desk):
        fields(desk)
        body = get(token_client(desk.requester), "/custom-fields").json()
        assert [f["key"] for f in body] == ["budget"]

    def test_the_openapi_documents_the_value_forms(self, desk):
        from tuki.api import api

        schema = api.get_openapi_schema()
        assert "multi_choice: list of choice values" in str(schema)
        assert "CustomFieldOut" in schema["components"]["schemas"]


class TestValues:
    def test_create_read_and_edit(self, desk):
        fields(desk)
        client = token_client(desk.operator)
        response = post(
            client,
            "/tickets",
            {
                "title": "New laptop",
                "requester": desk.requester.pk,
                "category": desk.vpn.pk,
                "custom": {"disk": "ssd", "vpn_client": "Cisco"},
            },
        )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        assert response.json()["custom"] == {"disk": "ssd", "vpn_client": "Cisco"}
        response = patch(client, f"/tickets/{number}", {"custom": {"budget": 1200, "disk": None}})
        assert response.status_code == 200, response.content
        assert get(client, f"/tickets/{number}").json()["custom"] == {
            "vpn_client": "Cisco",
            "budget": 1200,
        }

    def test_every_bad_value_is_a_422_naming_it(self, desk):
        fields(desk)
        client = token_client(desk.operator)
        response = post(
            client,
            "/tickets",
            {"title": "x", "custom": {"disk": "floppy", "budget": -1, "nosuch": 1}},
        )
        assert sorted(error_fields(response)) == ["custom.budget", "custom.disk", "custom.nosuch"]

    def test_a_requester_sees_and_fills_only_their_fields(self, desk):
        fields(desk)
        ticket = services.create_ticket(
            desk.operator, title="Laptop", requester=desk.requester, custom={"disk": "ssd"}
        )
        client = token_client(desk.requester)
        assert get(client, f"/tickets/{ticket.number}").json()["custom"] == {}
        response = post(client, "/tickets", {"title": "Mine", "custom": {"budget": 10}})
        assert response.status_code == 201, response.content
        assert response.json()["custom"] == {"budget": 10}
        response = post(client, "/tickets", {"title": "Mine", "custom": {"disk": "ssd"}})
        assert error_fields(response) == ["custom.disk"]
