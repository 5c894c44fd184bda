"""Reply on a request: public comments with files, only while the request is open."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tuki.portal.tests.conftest import file_request
from tuki.tickets import services
from tuki.tickets.models import Attachment, Comment


def url(ticket) -> str:
    return f"/portal/tickets/{ticket.number}/reply/"


class TestPermissions:
    def test_anonymous_posts_are_sent_to_sign_in_and_write_nothing(self, client, web_request):
        response = client.post(url(web_request), {"body": "Hello"})
        assert response.status_code == 302 and response.url.startswith("/login/")
        assert Comment.objects.count() == 0

    def test_the_requester_replies_publicly(self, desk, web_request):
        response = desk.client_for(desk.requester).post(url(web_request), {"body": "Still jams"})
        assert response.status_code == 302
        assert response.url == f"/portal/tickets/{web_request.number}/"
        comment = Comment.objects.get()
        assert (comment.body, comment.is_internal, comment.author, comment.channel) == (
            "Still jams",
            False,
            desk.requester,
            "web",
        )

    @pytest.mark.parametrize(
        "who", ["colleague", "outsider", "operator", "specialist", "other_agent", "admin"]
    )
    def test_anyone_else_gets_not_found_and_writes_nothing(self, desk, web_request, who):
        response = desk.client_for(getattr(desk, who)).post(url(web_request), {"body": "Hi"})
        assert response.status_code == 404
        assert Comment.objects.count() == 0

    def test_a_colleague_with_the_organisation_grant_may_add_to_the_conversation(
        self, desk, web_request
    ):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        response = desk.client_for(desk.colleague).post(url(web_request), {"body": "Me too"})
        assert response.status_code == 302
        assert Comment.objects.get().author == desk.colleague

    def test_an_agent_replies_on_their_own_request(self, desk):
        own = file_request(desk, "My headset crackles", requester=desk.operator)
        response = desk.client_for(desk.operator).post(url(own), {"body": "Still crackles"})
        assert response.status_code == 302
        assert not Comment.objects.get().is_internal

    def test_a_get_is_not_allowed(self, desk, web_request):
        assert desk.client_for(desk.requester).get(url(web_request)).status_code == 405


class TestReply:
    def test_a_reply_wakes_a_request_waiting_for_the_requester(self, desk, web_request):
        services.change_status(desk.operator, web_request, "pending_customer")
        desk.client_for(desk.requester).post(url(web_request), {"body": "Here you go"})
        web_request.refresh_from_db()
        assert web_request.status.category == "open"

    def test_files_alone_make_a_reply(self, desk, web_request):
        files = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]
        desk.client_for(desk.requester).post(url(web_request), {"body": "", "attachments": files})
        comment = Comment.objects.get()
        assert sorted(a.filename for a in comment.attachments.all()) == ["a.txt", "b.txt"]
        assert not comment.attachments.filter(is_internal=True).exists()


class TestBadInput:
    def test_an_empty_reply_is_a_field_error_and_nothing_is_written(self, desk, web_request):
        response = desk.client_for(desk.requester).post(url(web_request), {"body": "   "})
        assert response.status_code == 200
        assert "body" in response.context["reply_form"].errors
        assert "Write something first." in response.content.decode()
        assert Comment.objects.count() == 0

    @override_settings(MAX_ATTACHMENT_SIZE=10)
    def test_an_oversize_file_is_refused_with_a_message_and_nothing_is_written(
        self, desk, web_request
    ):
        big = SimpleUploadedFile("trace.log", b"x" * 11)
        response = desk.client_for(desk.requester).post(
            url(web_request), {"body": "See log", "attachments": [big]}
        )
        assert response.status_code == 200
        assert "trace.log is larger than the limit" in response.content.decode()
        assert Comment.objects.count() == 0 and Attachment.objects.count() == 0

    def test_a_resolved_request_takes_no_plain_reply(self, desk, resolved):
        response = desk.client_for(desk.requester).post(url(resolved), {"body": "Thanks"})
        assert response.status_code == 200
        assert "no longer open" in response.content.decode()
        assert Comment.objects.count() == 0

    def test_a_closed_request_takes_no_reply(self, desk, closed):
        response = desk.client_for(desk.requester).post(url(closed), {"body": "Hello?"})
        assert response.status_code == 200
        assert "no longer open" in response.content.decode()
        assert Comment.objects.count() == 0
