"""Custom fields on the ticket page (shown, edited inline) and the portal (read-only)."""

from __future__ import annotations

from tuki.tickets import services
from tuki.tickets.models import CustomField, TicketEvent
from tuki.tickets.tests.test_views_ticket import HTMX, page

DISK = [{"value": "ssd", "label": "SSD"}, {"value": "hdd", "label": "Hard disk"}]


def make_fields(desk) -> None:
    CustomField.objects.create(key="disk", label="Disk", type="choice", choices=DISK)
    CustomField.objects.create(
        key="budget", label="Budget", type="number", visible_to_requester=True
    )
    CustomField.objects.create(key="printer", label="Printer", type="text", kinds=["request"])


class TestTicketPage:
    def test_the_applicable_fields_are_listed_with_their_values(self, desk, incident):
        make_fields(desk)
        services.update_ticket(desk.operator, incident, custom={"disk": "hdd"})
        html = desk.client_for(desk.operator).get(page(incident)).content.decode()
        assert 'id="field-cf_disk"' in html and "Hard disk" in html
        assert 'id="field-cf_budget"' in html
        assert "cf_printer" not in html  # requests only

    def test_inline_edit_saves_through_the_service(self, desk, incident):
        make_fields(desk)
        client = desk.client_for(desk.operator)
        url = f"{page(incident)}fields/cf_disk/"
        form = client.get(url, **HTMX)
        assert form.status_code == 200 and b'name="custom.disk"' in form.content
        response = client.post(url, {"custom.disk": "ssd"}, **HTMX)
        assert response.status_code == 200
        assert "ticket-changed" in response["HX-Trigger"]
        incident.refresh_from_db()
        assert incident.custom == {"disk": "ssd"}
        assert TicketEvent.objects.filter(ticket=incident, field="custom.disk").exists()

    def test_a_bad_value_is_shown_next_to_the_field(self, desk, incident):
        make_fields(desk)
        client = desk.client_for(desk.operator)
        response = client.post(
            f"{page(incident)}fields/cf_budget/", {"custom.budget": "lots"}, **HTMX
        )
        assert response.status_code == 422
        assert response["HX-Retarget"] == "#field-cf_budget"
        assert b"Enter a number." in response.content
        incident.refresh_from_db()
        assert incident.custom == {}

    def test_without_javascript_the_page_opens_the_form(self, desk, incident):
        make_fields(desk)
        response = desk.client_for(desk.operator).get(page(incident) + "?edit=cf_disk")
        assert response.context["edit_field"] == "cf_disk"
        assert b'name="custom.disk"' in response.content

    def test_a_field_the_ticket_lacks_is_a_404(self, desk, incident):
        make_fields(desk)
        client = desk.client_for(desk.operator)
        assert client.get(f"{page(incident)}fields/cf_printer/", **HTMX).status_code == 404
        assert client.get(f"{page(incident)}fields/cf_nosuch/", **HTMX).status_code == 404

    def test_requesters_cannot_edit(self, desk, incident):
        make_fields(desk)
        response = desk.client_for(desk.requester).post(
            f"{page(incident)}fields/cf_disk/", {"custom.disk": "ssd"}
        )
        assert response.status_code in (302, 403, 404)
        incident.refresh_from_db()
        assert incident.custom == {}


class TestPortal:
    def test_requesters_see_only_the_fields_shown_to_them(self, desk, incident):
        make_fields(desk)
        services.update_ticket(desk.operator, incident, custom={"disk": "hdd", "budget": 1500})
        html = desk.client_for(desk.requester).get(f"/portal/tickets/{incident.number}/")
        assert html.status_code == 200
        text = html.content.decode()
        assert "Budget" in text and "1500" in text
        assert "Hard disk" not in text


class TestLogACall:
    def test_the_fields_are_offered_and_follow_the_category(self, desk):
        from tuki.tickets.models import Category

        printers = Category.objects.create(name="Printers")
        field = CustomField.objects.create(key="toner", label="Toner", type="text")
        field.categories.set([printers])
        make_fields(desk)
        client = desk.client_for(desk.operator)
        html = client.get("/desk/call/").content.decode()
        assert 'name="custom.disk"' in html and 'name="custom.toner"' not in html
        fragment = client.get("/desk/call/custom-fields/", {"category": printers.pk}, **HTMX)
        assert b'name="custom.toner"' in fragment.content

    def test_values_are_registered_and_bad_ones_shown(self, desk):
        from tuki.tickets.models import Ticket
        from tuki.tickets.tests.test_views_call import call

        make_fields(desk)
        CustomField.objects.create(key="due", label="Due", type="date")
        response = call(desk, **{"custom.due": "tomorrow", "custom.budget": "x"})
        assert response.status_code == 422
        assert set(response.context["custom_form"].errors) == {"custom.due", "custom.budget"}
        response = call(desk, **{"custom.disk": "floppy"})
        assert set(response.context["custom_form"].errors) == {"custom.disk"}
        assert not Ticket.objects.exists()
        response = call(desk, **{"custom.disk": "ssd", "custom.budget": "250"})
        assert response.status_code == 302
        assert Ticket.objects.get().custom == {"disk": "ssd", "budget": 250}
