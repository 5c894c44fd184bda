"""The ticket page when two agents edit at once: a field both changed comes back as a
conflict view; a field only the other changed is kept silently; actions whose status or
assignment changed since the dialog opened are refused with a reload link; a ticket someone
else took is not taken again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from tuki.lib.testing import query_budget
from tuki.tickets import services
from tuki.tickets.models import Category, Ticket

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


def opened(client: Client, ticket: Ticket, field: str) -> dict[str, str]:
    """Open a field's edit form as the page does: what it carries."""
    response = client.get(f"{page(ticket)}fields/{field}/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "original": unescape(re.search(r'name="original" value="([^"]+)"', html).group(1)),
    }


def carried(html: str) -> dict[str, str]:
    return {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "original": unescape(re.search(r'name="original" value="([^"]+)"', html).group(1)),
    }


@pytest.fixture
def printers(db):
    return Category.objects.create(name="Printers")


@pytest.fixture
def phones(db):
    return Category.objects.create(name="Phones")


class TestFieldConflicts:
    def save(self, client, ticket, field, value, form, **extra):
        data = {field: value, **form, **extra}
        return client.post(f"{page(ticket)}fields/{field}/", data, **HTMX)

    def test_a_field_both_changed_shows_the_conflict_with_both_values(
        self, desk, escalated, printers, phones
    ):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        response = self.save(mine, escalated, "category", phones.pk, form)
        assert response.status_code == 422
        html = response.content.decode()
        assert "This ticket changed since you opened it" in html
        assert 'data-conflict="category"' in html
        assert "Printers" in html and "Phones" in html  # theirs and yours
        assert str(desk.lead) in html  # who changed it
        assert 'name="resolve" value="mine"' in html and 'name="resolve" value="theirs"' in html
        assert Ticket.objects.get(pk=escalated.pk).category == printers  # nothing lost
        assert carried(html)["version"] == str(Ticket.objects.get(pk=escalated.pk).version)

    def test_keep_mine_saves_over_the_new_version(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        conflict = self.save(mine, escalated, "category", phones.pk, form)
        again = carried(conflict.content.decode())
        response = self.save(mine, escalated, "category", phones.pk, again, resolve="mine")
        assert response.status_code == 200, response.content
        assert Ticket.objects.get(pk=escalated.pk).category == phones

    def test_take_theirs_writes_nothing(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        conflict = self.save(mine, escalated, "category", phones.pk, form)
        again = carried(conflict.content.decode())
        version = Ticket.objects.get(pk=escalated.pk).version
        response = self.save(mine, escalated, "category", phones.pk, again, resolve="theirs")
        assert response.status_code == 200
        ticket = Ticket.objects.get(pk=escalated.pk)
        assert (ticket.category, ticket.version) == (printers, version)

    def test_another_field_is_saved_and_their_change_kept(self, desk, escalated, printers):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "title")
        services.update_ticket(desk.lead, escalated, category=printers)
        response = self.save(mine, escalated, "title", "VPN drops in Espoo", form)
        assert response.status_code == 200, response.content
        ticket = Ticket.objects.get(pk=escalated.pk)
        assert (ticket.title, ticket.category) == ("VPN drops in Espoo", printers)

    def test_the_same_value_as_theirs_is_no_conflict(self, desk, escalated, printers):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        response = self.save(mine, escalated, "category", printers.pk, form)
        assert response.status_code == 200

    def test_the_conflict_lists_what_else_changed(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers, title="Printer jam")
        response = self.save(mine, escalated, "category", phones.pk, form)
        assert "Also changed: title." in response.content.decode()

    def test_without_htmx_the_page_shows_the_conflict(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        response = mine.post(f"{page(escalated)}fields/category/", {"category": phones.pk, **form})
        assert response.status_code == 422
        html = response.content.decode()
        assert "<html" in html and "This ticket changed since you opened it" in html

    def test_an_edit_of_the_current_version_saves_as_before(self, desk, escalated, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        response = self.save(mine, escalated, "category", phones.pk, form)
        assert response.status_code == 200

    def test_a_forged_original_falls_back_to_the_events(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category") | {"original": "forged"}
        services.update_ticket(desk.lead, escalated, category=printers)
        response = self.save(mine, escalated, "category", phones.pk, form)
        assert response.status_code == 422
        assert 'data-conflict="category"' in response.content.decode()

    @pytest.mark.parametrize("version", ["abc", "-1", "9" * 30, ""])
    def test_a_bad_version_is_no_error(self, desk, escalated, phones, version):
        mine = desk.client_for(desk.specialist)
        response = self.save(mine, escalated, "category", phones.pk, {"version": version})
        assert response.status_code == 200

    def test_the_conflict_view_has_a_query_budget(self, desk, escalated, printers, phones):
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "category")
        services.update_ticket(desk.lead, escalated, category=printers)
        with query_budget(20):
            response = self.save(mine, escalated, "category", phones.pk, form)
        assert response.status_code == 422


class TestCustomFieldConflict:
    def test_a_custom_field_both_changed_conflicts(self, desk, escalated):
        from tuki.tickets.services.custom_fields import save_custom_field

        save_custom_field(desk.admin, None, key="asset", label="Asset tag", type="text")
        mine = desk.client_for(desk.specialist)
        form = opened(mine, escalated, "cf_asset")
        services.update_ticket(desk.lead, escalated, custom={"asset": "A-1"})
        response = mine.post(
            f"{page(escalated)}fields/cf_asset/", {"custom.asset": "B-2", **form}, **HTMX
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-conflict="cf_asset"' in html and "A-1" in html and "B-2" in html


class TestActionsOnAStaleVersion:
    def dialog_version(self, client, ticket, action) -> str:
        response = client.get(page(ticket), {"action": action}, **HTMX)
        return re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1)

    def test_a_status_change_after_someone_moved_the_status_is_refused(self, desk, escalated):
        mine = desk.client_for(desk.specialist)
        version = self.dialog_version(mine, escalated, "resolve")
        services.change_status(desk.lead, escalated, "in_progress")
        response = mine.post(
            f"{page(escalated)}resolve/",
            {"code": "solved", "resolution": "Fixed", "version": version},
            **HTMX,
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "changed since you opened it" in html
        assert f'href="{page(escalated)}"' in html  # the reload link
        assert Ticket.objects.get(pk=escalated.pk).status.key == "in_progress"

    def test_an_unrelated_change_does_not_stop_it(self, desk, escalated):
        mine = desk.client_for(desk.specialist)
        version = self.dialog_version(mine, escalated, "resolve")
        services.update_ticket(desk.lead, escalated, title="Other title")
        response = mine.post(
            f"{page(escalated)}resolve/",
            {"code": "solved", "resolution": "Fixed", "version": version},
            **HTMX,
        )
        assert response.status_code == 200, response.content
        assert Ticket.objects.get(pk=escalated.pk).status.category == "resolved"

    def test_an_assignment_after_someone_assigned_is_refused(self, desk, escalated):
        mine = desk.client_for(desk.specialist)
        version = self.dialog_version(mine, escalated, "assign")
        services.assign_ticket(desk.lead, escalated, assignee=desk.lead)
        response = mine.post(
            f"{page(escalated)}assign/",
            {"group": desk.network_hel.pk, "assignee": desk.specialist.pk, "version": version},
            **HTMX,
        )
        assert response.status_code == 422
        assert Ticket.objects.get(pk=escalated.pk).assignee == desk.lead

    def test_a_reply_with_a_status_change_after_a_status_move_is_refused(self, desk, escalated):
        mine = desk.client_for(desk.specialist)
        version = Ticket.objects.get(pk=escalated.pk).version
        services.change_status(desk.lead, escalated, "in_progress")
        response = mine.post(
            f"{page(escalated)}comment/",
            {
                "body": "Done",
                "visibility": "internal",
                "status": "pending_customer",
                "version": version,
            },
            **HTMX,
        )
        assert response.status_code == 422
        assert "Reload the ticket" in response.content.decode()
        assert not escalated.comments.exists()

    def test_a_reply_with_a_status_change_on_the_current_version_passes(self, desk, escalated):
        mine = desk.client_for(desk.operator)
        version = Ticket.objects.get(pk=escalated.pk).version
        response = mine.post(
            f"{page(escalated)}comment/",
            {"body": "On it", "visibility": "public", "status": "in_progress", "version": version},
            **HTMX,
        )
        assert response.status_code == 200, response.content
        assert Ticket.objects.get(pk=escalated.pk).status.key == "in_progress"


class TestTakeOnThePage:
    def test_the_second_agent_is_told_who_took_it(self, desk, escalated):
        services.take_ticket(desk.lead, escalated)
        mine = desk.client_for(desk.specialist)
        response = mine.post(f"{page(escalated)}take/", follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"{desk.lead} took this ticket" in html
        assert Ticket.objects.get(pk=escalated.pk).assignee == desk.lead

    def test_with_htmx_the_second_agent_is_sent_to_the_ticket_as_it_is(self, desk, escalated):
        services.take_ticket(desk.lead, escalated)
        response = desk.client_for(desk.specialist).post(f"{page(escalated)}take/", **HTMX)
        assert response["HX-Redirect"] == page(escalated)

    @pytest.mark.parametrize("who", ["requester", "outsider", "other_agent"])
    def test_who_cannot_see_it_gets_a_404(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).post(f"{page(escalated)}take/")
        assert response.status_code == 404
        assert Ticket.objects.get(pk=escalated.pk).assignee is None

    @pytest.mark.parametrize("who", ["specialist", "lead"])
    def test_agents_of_the_group_may_take(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).post(f"{page(escalated)}take/")
        assert response.status_code == 302

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, escalated):
        response = Client().post(f"{page(escalated)}take/")
        assert response.status_code == 302 and response.url.startswith("/login/")
