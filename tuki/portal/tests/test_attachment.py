"""Download a file: public files of the requester's own requests, as a download."""

import pytest

from tuki.lib.uploads import Upload
from tuki.portal.tests.conftest import file_request
from tuki.tickets import services


@pytest.fixture
def public_file(desk, web_request):
    return services.add_attachments(desk.requester, web_request, [Upload("photo.txt", b"jam")])[0]


@pytest.fixture
def internal_file(desk, web_request):
    comment = services.add_comment(
        desk.operator,
        web_request,
        "diagnostics",
        internal=True,
        uploads=[Upload("internal.txt", b"secret")],
    )
    return comment.attachments.get()


def url(attachment) -> str:
    return f"/portal/attachments/{attachment.pk}/"


class TestPermissions:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, public_file):
        response = client.get(url(public_file))
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_the_requester_downloads_a_public_file(self, desk, public_file):
        response = desk.client_for(desk.requester).get(url(public_file))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"jam"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"

    @pytest.mark.parametrize(
        "who", ["colleague", "outsider", "operator", "specialist", "other_agent", "admin"]
    )
    def test_anyone_else_gets_not_found(self, desk, public_file, who):
        assert desk.client_for(getattr(desk, who)).get(url(public_file)).status_code == 404

    def test_a_colleague_with_the_organisation_grant_may_download_it(self, desk, public_file):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        assert desk.client_for(desk.colleague).get(url(public_file)).status_code == 200

    def test_unknown_files_are_not_found(self, desk, public_file):
        response = desk.client_for(desk.requester).get("/portal/attachments/999999/")
        assert response.status_code == 404


class TestInternalFiles:
    def test_the_requester_never_gets_an_internal_file(self, desk, internal_file):
        assert desk.client_for(desk.requester).get(url(internal_file)).status_code == 404

    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_the_portal_serves_no_internal_file_even_to_agents(self, desk, who):
        user = getattr(desk, who)
        own = file_request(desk, "Dock is dead", requester=user)
        comment = services.add_comment(
            desk.admin, own, "note", internal=True, uploads=[Upload("n.txt", b"n")]
        )
        response = desk.client_for(user).get(url(comment.attachments.get()))
        assert response.status_code == 404

    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_agents_download_public_files_of_their_own_requests(self, desk, who):
        user = getattr(desk, who)
        own = file_request(desk, "Dock is dead", requester=user, uploads=[Upload("d.txt", b"d")])
        response = desk.client_for(user).get(url(own.attachments.get()))
        assert response.status_code == 200
