"""Comments, the timeline and files over the API: internal stays internal."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tuki.tickets import services
from tuki.tickets.models import Attachment, Comment
from tuki.tickets.tests.test_api_support import API, error_fields, get, post, token_client


def upload(client, ticket, *files, internal=False):
    data = {"attachments": list(files)} | ({"internal": "true"} if internal else {})
    return client.post(f"{API}/tickets/{ticket.number}/attachments", data)


def text_file(name="log.txt", content=b"VPN log line\n"):
    return SimpleUploadedFile(name, content, content_type="application/x-evil")


class TestComments:
    def test_the_requester_reads_only_public_comments(self, desk, escalated):
        services.add_comment(desk.specialist, escalated, "Router dead", internal=True)
        services.add_comment(desk.operator, escalated, "We are on it")
        bodies = [
            c["body"]
            for c in get(
                token_client(desk.requester), f"/tickets/{escalated.number}/comments"
            ).json()
        ]
        assert bodies == ["We are on it"]
        agent = get(token_client(desk.specialist), f"/tickets/{escalated.number}/comments").json()
        assert [(c["body"], c["is_internal"]) for c in agent] == [
            ("Router dead", True),
            ("We are on it", False),
        ]

    def test_a_reply_is_recorded_with_the_api_channel(self, desk, escalated):
        response = post(
            token_client(desk.operator), f"/tickets/{escalated.number}/comments", {"body": "Hi"}
        )
        assert response.status_code == 201
        assert response.json()["channel"] == "api"
        assert response.json()["author"]["id"] == desk.operator.pk

    def test_the_specialist_is_told_which_field_to_change(self, desk, escalated):
        response = post(
            token_client(desk.specialist), f"/tickets/{escalated.number}/comments", {"body": "Hi"}
        )
        assert error_fields(response) == ["internal"]
        assert response.json()["detail"][0]["type"] == "no_public_reply"
        assert not Comment.objects.exists()

    def test_the_requester_cannot_post_an_internal_note(self, desk, escalated):
        response = post(
            token_client(desk.requester),
            f"/tickets/{escalated.number}/comments",
            {"body": "psst", "internal": True},
        )
        assert response.status_code == 403
        assert not Comment.objects.exists()

    def test_an_empty_comment_names_body(self, desk, escalated):
        for body in ({"body": "  "}, {}):
            response = post(
                token_client(desk.operator), f"/tickets/{escalated.number}/comments", body
            )
            assert error_fields(response) == ["body"]


class TestEvents:
    def test_agents_read_the_timeline(self, desk, escalated):
        events = get(token_client(desk.specialist), f"/tickets/{escalated.number}/events").json()
        assert [e["action"] for e in events][:2] == ["created", "escalated"]
        assert events[0]["actor"]["id"] == desk.operator.pk

    def test_the_requester_may_not(self, desk, escalated):
        response = get(token_client(desk.requester), f"/tickets/{escalated.number}/events")
        assert response.status_code == 403


class TestAttachments:
    def test_upload_and_download_round_trip(self, desk, escalated):
        response = upload(
            token_client(desk.requester), escalated, text_file(), text_file("b.txt", b"two")
        )
        assert response.status_code == 201, response.content
        first = response.json()[0]
        assert (first["filename"], first["size"], first["content_type"]) == (
            "log.txt",
            13,
            "text/plain",
        )
        download = token_client(desk.specialist).get(first["url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"VPN log line\n"
        assert download["Content-Disposition"].startswith("attachment")
        listed = get(token_client(desk.operator), f"/tickets/{escalated.number}/attachments").json()
        assert [a["filename"] for a in listed] == ["log.txt", "b.txt"]

    @override_settings(MAX_ATTACHMENT_SIZE=10)
    def test_an_oversized_file_is_refused_and_nothing_is_stored(self, desk, escalated):
        response = upload(
            token_client(desk.operator), escalated, text_file("small.txt", b"ok"), text_file()
        )
        assert error_fields(response) == ["attachments"]
        assert response.json()["detail"][0]["type"] == "attachment_too_large"
        assert not Attachment.objects.exists()

    def test_no_file_is_a_422(self, desk, escalated):
        response = token_client(desk.operator).post(
            f"{API}/tickets/{escalated.number}/attachments", {}
        )
        assert error_fields(response) == ["attachments"]

    def test_internal_files_are_hidden_from_the_requester(self, desk, escalated):
        response = upload(token_client(desk.specialist), escalated, text_file(), internal=True)
        attachment = response.json()[0]
        assert attachment["is_internal"] is True
        requester = token_client(desk.requester)
        assert get(requester, f"/tickets/{escalated.number}/attachments").json() == []
        assert requester.get(attachment["url"]).status_code == 404
        ticket = get(requester, f"/tickets/{escalated.number}").json()
        assert ticket["attachment_count"] == 0

    def test_the_requester_cannot_upload_internal_files(self, desk, escalated):
        response = upload(token_client(desk.requester), escalated, text_file(), internal=True)
        assert response.status_code == 403

    def test_an_unknown_attachment_is_a_404(self, desk):
        assert get(token_client(desk.admin), "/attachments/9999").status_code == 404
