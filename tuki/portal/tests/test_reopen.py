"""Reopen a resolution: "No, it's still a problem", with a reason, by the requester only."""

import pytest

from tuki.tickets.models import Comment


def url(ticket) -> str:
    return f"/portal/tickets/{ticket.number}/reopen/"


class TestPermissions:
    def test_anonymous_posts_are_sent_to_sign_in(self, client, resolved):
        response = client.post(url(resolved), {"reason": "Broken"})
        assert response.status_code == 302 and response.url.startswith("/login/")
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved"

    @pytest.mark.parametrize(
        "who", ["colleague", "outsider", "operator", "specialist", "other_agent", "admin"]
    )
    def test_anyone_else_gets_not_found(self, desk, resolved, who):
        response = desk.client_for(getattr(desk, who)).post(url(resolved), {"reason": "Broken"})
        assert response.status_code == 404
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved"

    def test_a_colleague_who_may_read_it_still_cannot_reopen_it(self, desk, resolved):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        response = desk.client_for(desk.colleague).post(url(resolved), {"reason": "Broken"})
        assert response.status_code == 403
        assert Comment.objects.count() == 0

    def test_a_get_is_not_allowed(self, desk, resolved):
        assert desk.client_for(desk.requester).get(url(resolved)).status_code == 405


class TestReopen:
    def test_no_reopens_the_request_with_the_reason_as_a_public_reply(self, desk, resolved):
        response = desk.client_for(desk.requester).post(
            url(resolved), {"reason": "It jams again since Monday"}
        )
        assert response.status_code == 302
        resolved.refresh_from_db()
        assert resolved.status.category == "open" and resolved.reopen_count == 1
        comment = Comment.objects.get()
        assert (comment.body, comment.is_internal, comment.author) == (
            "It jams again since Monday",
            False,
            desk.requester,
        )

    def test_the_reason_is_required_and_nothing_changes_without_it(self, desk, resolved):
        response = desk.client_for(desk.requester).post(url(resolved), {"reason": "  "})
        assert response.status_code == 200
        assert "reason" in response.context["reopen_form"].errors
        assert "Is your issue solved?" in response.content.decode()
        resolved.refresh_from_db()
        assert resolved.status.category == "resolved" and resolved.reopen_count == 0
        assert Comment.objects.count() == 0

    def test_a_request_that_is_not_resolved_cannot_be_reopened(self, desk, web_request):
        response = desk.client_for(desk.requester).post(url(web_request), {"reason": "Again"})
        assert response.status_code == 200
        assert "Only resolved tickets can be reopened." in response.content.decode()
        assert Comment.objects.count() == 0

    def test_a_closed_request_cannot_be_reopened(self, desk, closed):
        response = desk.client_for(desk.requester).post(url(closed), {"reason": "Again"})
        assert response.status_code == 200
        closed.refresh_from_db()
        assert closed.status.key == "closed"
