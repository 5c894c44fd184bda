"""The console's custom-field pages: who may use them, creating and editing a field, and
the rules the service keeps (fixed key, no type change over stored values)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.lib import console
from tuki.lib.errors import ServiceError
from tuki.tickets import services
from tuki.tickets.models import CustomField
from tuki.tickets.services import custom_fields as service
from tuki.tickets.views.fields_admin import format_choices, parse_choices

LIST = "/console/fields/"
NEW = "/console/fields/new/"


def form_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "key": "disk",
        "label": "Disk",
        "label_fi": "Levy",
        "type": "choice",
        "choices": "ssd | SSD | SSD | SSD-levy\nhdd | Hard disk",
        "kinds": ["incident"],
        "required_statuses": ["resolved"],
        "position": "1",
    }
    data.update(extra)
    return data


class TestRoles:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("admin", 200), ("operator", 403), ("lead", 403), ("requester", 404)],
    )
    def test_each_page_answers_each_role(self, desk, role, status):
        field = CustomField.objects.create(key="x", label="X", type="text")
        client = desk.client_for(getattr(desk, role))
        for url in (LIST, NEW, f"{LIST}{field.pk}/"):
            assert client.get(url).status_code == status
        response = client.post(f"{LIST}{field.pk}/toggle/")
        assert response.status_code == (302 if status == 200 else status)
        field.refresh_from_db()
        assert field.is_active is (status != 200)

    def test_anonymous_people_sign_in(self, client):
        response = client.get(LIST)
        assert response.status_code == 302 and "login" in response.url

    def test_the_console_lists_it_for_administrators_only(self, desk):
        keys = lambda user: [s.key for s in console.sections_for(user)]  # noqa: E731
        assert "custom_fields" in keys(desk.admin)
        assert "custom_fields" not in keys(desk.operator)


class TestEditing:
    def test_an_administrator_creates_and_edits_a_field(self, desk):
        client = desk.client_for(desk.admin)
        response = client.post(NEW, form_data())
        assert response.status_code == 302, response.content.decode()[:3000]
        field = CustomField.objects.get(key="disk")
        assert field.labels == {"fi": "Levy"}
        assert field.choices == [
            {"value": "ssd", "label": "SSD", "labels": {"ro": "SSD", "fi": "SSD-levy"}},
            {"value": "hdd", "label": "Hard disk", "labels": {}},
        ]
        assert (field.kinds, field.required_statuses) == (["incident"], ["resolved"])
        page = client.get(f"{LIST}{field.pk}/").content.decode()
        assert "ssd | SSD | SSD | SSD-levy" in page
        response = client.post(f"{LIST}{field.pk}/", form_data(label="Disk type", key="other"))
        assert response.status_code == 302
        field.refresh_from_db()
        assert (field.key, field.label) == ("disk", "Disk type")  # the key stays
        assert "Disk type" in client.get(LIST).content.decode()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"key": "Bad Key"}, "key"),
            ({"label": ""}, "label"),
            ({"choices": ""}, "choices"),
            ({"choices": "a | A\na | again"}, "choices"),
            ({"type": "number", "min": "5", "max": "1"}, "min"),
            ({"type": "text", "pattern": "(["}, "pattern"),
        ],
    )
    def test_refusals_are_shown_next_to_the_field(self, desk, data, field):
        response = desk.client_for(desk.admin).post(NEW, form_data(**data))
        assert response.status_code == 422
        assert response.context["form"].errors.get(field), response.context["form"].errors
        assert not CustomField.objects.exists()

    def test_a_duplicate_key_is_refused(self, desk):
        CustomField.objects.create(key="disk", label="Disk", type="text")
        response = desk.client_for(desk.admin).post(NEW, form_data())
        assert response.status_code == 422
        assert response.context["form"].errors["key"]

    def test_the_type_cannot_change_while_tickets_hold_values(self, desk, incident):
        client = desk.client_for(desk.admin)
        client.post(NEW, form_data(kinds=[], required_statuses=[]))
        field = CustomField.objects.get(key="disk")
        services.update_ticket(desk.operator, incident, custom={"disk": "ssd"})
        response = client.post(f"{LIST}{field.pk}/", form_data(type="text", kinds=[]))
        assert response.status_code == 422
        assert "cannot change" in str(response.context["form"].errors["type"])
        field.refresh_from_db()
        assert field.type == "choice"

    def test_deactivated_fields_leave_tickets(self, desk, incident):
        field = CustomField.objects.create(key="disk", label="Disk", type="text")
        service.set_custom_field_active(desk.admin, field, False)
        with pytest.raises(ServiceError):
            services.update_ticket(desk.operator, incident, custom={"disk": "x"})

    def test_only_administrators_may_call_the_service(self, desk):
        with pytest.raises(PermissionDenied):
            service.save_custom_field(desk.operator, None, key="x", label="X", type="text")


def test_choices_round_trip():
    text = "ssd | SSD | SSD | SSD-levy\nhdd | Hard disk"
    assert format_choices(parse_choices(text)) == text
