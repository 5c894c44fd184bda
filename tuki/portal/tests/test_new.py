"""Submit a request: the requester describes it, the desk decides the rest."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tuki.tickets.models import Attachment, Category, Ticket

URL = "/portal/new/"


def form_data(desk, **extra):
    data = {
        "kind": "request",
        "title": "Access to the finance share",
        "description": "I joined the finance team and need the S: drive.",
        "category": desk.vpn.pk,
        "urgency": "3",
    }
    data.update(extra)
    return data


class TestPermissions:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, desk):
        response = client.get(URL)
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_anonymous_posts_write_nothing(self, client, desk):
        response = client.post(URL, form_data(desk))
        assert response.status_code == 302 and response.url.startswith("/login/")
        assert Ticket.objects.count() == 0

    @pytest.mark.parametrize(
        "who", ["requester", "colleague", "outsider", "operator", "specialist", "admin"]
    )
    def test_every_signed_in_user_may_ask_for_help_for_themselves(self, desk, who):
        user = getattr(desk, who)
        client = desk.client_for(user)
        assert client.get(URL).status_code == 200
        response = client.post(URL, form_data(desk))
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response.url == f"/portal/tickets/{ticket.number}/"
        assert ticket.requester == user


class TestForm:
    def test_the_form_offers_active_categories_by_path_and_the_size_limit(self, desk):
        Category.objects.create(name="Fax", is_active=False)
        html = desk.client_for(desk.requester).get(URL).content.decode()
        assert "Network › VPN" in html
        assert "Fax" not in html
        assert "Something is broken" in html and "I need something" in html
        assert "20.0\xa0MB" in html

    def test_impact_is_not_asked(self, desk):
        html = desk.client_for(desk.requester).get(URL).content.decode()
        assert 'name="impact"' not in html and 'name="urgency"' in html


class TestSubmit:
    def test_a_request_is_registered_from_the_web_for_the_requester(self, desk):
        client = desk.client_for(desk.requester)
        response = client.post(URL, form_data(desk), follow=True)
        ticket = Ticket.objects.get()
        assert (ticket.kind, ticket.channel, ticket.requester) == ("request", "web", desk.requester)
        assert (ticket.urgency, ticket.category) == (3, desk.vpn)
        assert ticket.organisation == desk.acme
        assert ticket.number in response.content.decode()
        assert "Thank you!" in response.content.decode()

    def test_an_incident_is_registered_as_an_incident(self, desk):
        desk.client_for(desk.requester).post(URL, form_data(desk, kind="incident", urgency="1"))
        ticket = Ticket.objects.get()
        assert ticket.kind == "incident" and ticket.urgency == 1

    def test_a_requester_cannot_set_impact_or_routing(self, desk):
        desk.client_for(desk.requester).post(
            URL, form_data(desk, impact="1", group=desk.network_hel.pk, requester=desk.colleague.pk)
        )
        ticket = Ticket.objects.get()
        assert ticket.impact == 3 and ticket.group == desk.service_desk
        assert ticket.requester == desk.requester

    def test_the_category_is_optional(self, desk):
        desk.client_for(desk.requester).post(URL, form_data(desk, category=""))
        assert Ticket.objects.get().category is None

    def test_several_files_are_attached_at_once(self, desk):
        files = [
            SimpleUploadedFile("error.txt", b"Error 809"),
            SimpleUploadedFile("notes.txt", b"Happens at 9:00"),
        ]
        desk.client_for(desk.requester).post(URL, {**form_data(desk), "attachments": files})
        ticket = Ticket.objects.get()
        names = sorted(ticket.attachments.values_list("filename", flat=True))
        assert names == ["error.txt", "notes.txt"]
        assert not ticket.attachments.filter(is_internal=True).exists()


class TestBadInput:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", ""),
            ("description", ""),
            ("kind", "problem"),
            ("urgency", "7"),
            ("category", "999999"),
        ],
    )
    def test_a_bad_field_is_shown_next_to_it_and_nothing_is_written(self, desk, field, value):
        response = desk.client_for(desk.requester).post(URL, form_data(desk, **{field: value}))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert "invalid-feedback" in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_an_inactive_category_is_refused(self, desk):
        old = Category.objects.create(name="Fax", is_active=False)
        response = desk.client_for(desk.requester).post(URL, form_data(desk, category=old.pk))
        assert "category" in response.context["form"].errors
        assert Ticket.objects.count() == 0

    def test_a_blank_title_of_spaces_is_refused(self, desk):
        response = desk.client_for(desk.requester).post(URL, form_data(desk, title="   "))
        assert "title" in response.context["form"].errors
        assert Ticket.objects.count() == 0

    @override_settings(MAX_ATTACHMENT_SIZE=10)
    def test_an_oversize_file_is_refused_with_a_message_and_nothing_is_written(self, desk):
        files = [
            SimpleUploadedFile("small.txt", b"ok"),
            SimpleUploadedFile("huge.log", b"x" * 11),
        ]
        response = desk.client_for(desk.requester).post(
            URL, {**form_data(desk), "attachments": files}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors["attachments"]
        assert "huge.log is larger than the limit" in errors[0]
        assert "huge.log is larger than the limit" in response.content.decode()
        assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0
