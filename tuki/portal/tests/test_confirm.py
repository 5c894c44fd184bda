"""Confirm a resolution: "Yes, close it", by the requester only."""

import pytest

from tuki.tickets.models import Comment


def url(ticket) -> str:
    return f"/portal/tickets/{ticket.number}/confirm/"


class TestPermissions:
    def test_anonymous_posts_are_sent_to_sign_in(self, client, resolved):
        response = client.post(url(resolved))
        assert response.status_code == 302 and response.url.startswith("/login/")
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved"

    @pytest.mark.parametrize(
        "who", ["colleague", "outsider", "operator", "specialist", "other_agent", "admin"]
    )
    def test_anyone_else_gets_not_found(self, desk, resolved, who):
        response = desk.client_for(getattr(desk, who)).post(url(resolved))
        assert response.status_code == 404
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved"

    def test_a_colleague_who_may_read_it_still_cannot_confirm_it(self, desk, resolved):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        response = desk.client_for(desk.colleague).post(url(resolved))
        assert response.status_code == 403
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved"

    def test_a_get_is_not_allowed(self, desk, resolved):
        assert desk.client_for(desk.requester).get(url(resolved)).status_code == 405


class TestConfirm:
    def test_yes_closes_the_request(self, desk, resolved):
        response = desk.client_for(desk.requester).post(url(resolved), follow=True)
        resolved.refresh_from_db()
        assert resolved.status.key == "closed" and resolved.closed_at
        assert Comment.objects.count() == 0
        assert "This request is closed" in response.content.decode()

    def test_a_thank_you_note_becomes_a_public_reply(self, desk, resolved):
        desk.client_for(desk.requester).post(url(resolved), {"comment": "Works, thanks!"})
        comment = Comment.objects.get()
        assert (comment.body, comment.is_internal) == ("Works, thanks!", False)

    def test_a_request_that_is_not_resolved_cannot_be_confirmed(self, desk, web_request):
        response = desk.client_for(desk.requester).post(url(web_request), {"comment": "Done?"})
        assert response.status_code == 200
        assert "Only a resolved request can be confirmed." in response.content.decode()
        web_request.refresh_from_db()
        assert web_request.status.key == "new"
        assert Comment.objects.count() == 0

    def test_a_closed_request_cannot_be_confirmed_again(self, desk, closed):
        response = desk.client_for(desk.requester).post(url(closed))
        assert response.status_code == 200
        assert "Only a resolved request can be confirmed." in response.content.decode()
