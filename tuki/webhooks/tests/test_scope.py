"""A webhook sends only tickets its `run_as` may see, and the delivery log hides the
deliveries of tickets the reading administrator may not see (issue 13: an administrator
outside a restricted ticket's groups read it in the delivery log)."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import Desk, make_user
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import token_client
from tuki.webhooks import services
from tuki.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hook"  # never called: these tests read the rows, not the requests


@pytest.fixture
def staff_admin(desk: Desk) -> Any:
    """Staff administrator granted all tickets, in no group: every ticket but the restricted
    ones of other groups."""
    return make_user(
        "staff@tuki.test", "Stella Staff", is_agent=True, is_staff=True, sees_all_tickets=True
    )


def hr_case(desk: Desk) -> Ticket:
    """A restricted case held by Network Helsinki alone."""
    ticket = tickets.create_ticket(
        desk.specialist,
        title="Dismissal of J. Doe",
        description="Salary details inside.",
        requester=desk.requester,
        group=desk.network_hel,
        restricted=True,
    )
    Ticket.objects.filter(pk=ticket.pk).update(owner_group=desk.network_hel)
    return ticket


class TestWhatIsSent:
    def test_a_webhook_sends_no_ticket_its_administrator_cannot_see(
        self, desk: Desk, staff_admin: Any, incident: Ticket
    ) -> None:
        hook = services.create_webhook(staff_admin, name="Mine", url=URL, events=["created"])
        assert hook.run_as == staff_admin
        secret = hr_case(desk)
        public = tickets.create_ticket(desk.operator, title="Printer", requester=desk.requester)
        sent = set(WebhookDelivery.objects.filter(webhook=hook).values_list("ticket", flat=True))
        assert sent == {public.pk} and secret.pk not in sent

    def test_a_superuser_s_webhook_sends_restricted_tickets(self, desk: Desk) -> None:
        hook = services.create_webhook(desk.admin, name="All", url=URL, events=["created"])
        secret = hr_case(desk)
        assert WebhookDelivery.objects.filter(webhook=hook, ticket=secret).exists()

    def test_saving_someone_else_s_webhook_bounds_it_by_the_saver(
        self, desk: Desk, staff_admin: Any
    ) -> None:
        hook = services.create_webhook(desk.admin, name="All", url=URL, events=["created"])
        hook = services.update_webhook(staff_admin, hook, url="http://127.0.0.1:9/mine")
        assert hook.run_as == staff_admin
        hr_case(desk)
        assert not WebhookDelivery.objects.filter(webhook=hook).exists()

    def test_a_rule_cannot_send_a_ticket_out_of_the_webhook_s_scope(
        self, desk: Desk, staff_admin: Any
    ) -> None:
        hook = services.create_webhook(staff_admin, name="Mine", url=URL, events=[])
        secret = hr_case(desk)
        with pytest.raises(services.ServiceError) as refused:
            services.queue_delivery(hook, secret, "rule")
        assert refused.value.code == "out_of_scope"


class TestTheLog:
    @pytest.fixture
    def delivered(self, desk: Desk) -> WebhookDelivery:
        hook = services.create_webhook(desk.admin, name="All", url=URL, events=["created"])
        secret = hr_case(desk)
        delivery = WebhookDelivery.objects.get(webhook=hook, ticket=secret)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            request_body='{"ticket": {"title": "Dismissal of J. Doe"}}',
            response_body="echo: Dismissal of J. Doe",
        )
        return delivery

    def test_the_pages_show_it_as_hidden(
        self, desk: Desk, staff_admin: Any, delivered: WebhookDelivery
    ) -> None:
        client = desk.client_for(staff_admin)
        for url in (
            f"/webhooks/{delivered.webhook_id}/deliveries/",
            f"/webhooks/deliveries/{delivered.pk}/",
        ):
            page = client.get(url).content.decode()
            assert "hidden: restricted ticket" in page
            assert "Dismissal" not in page and f"/{delivered.ticket.number}/" not in page

    def test_the_api_shows_it_as_hidden(
        self, desk: Desk, staff_admin: Any, delivered: WebhookDelivery
    ) -> None:
        client = token_client(staff_admin)
        [row] = client.get(f"/api/v1/webhooks/{delivered.webhook_id}/deliveries").json()
        assert (row["hidden"], row["ticket"]) == (True, None)
        detail = client.get(f"/api/v1/webhooks/deliveries/{delivered.pk}")
        assert "Dismissal" not in detail.content.decode()
        body = detail.json()
        assert body["hidden"] is True and body["payload"] == {} and body["response_body"] == ""

    def test_whoever_may_see_the_ticket_reads_it_all(
        self, desk: Desk, delivered: WebhookDelivery
    ) -> None:
        body = token_client(desk.admin).get(f"/api/v1/webhooks/deliveries/{delivered.pk}").json()
        assert body["hidden"] is False and body["ticket"] == delivered.ticket.number
        assert "Dismissal" in body["request_body"]
        page = desk.client_for(desk.admin).get(f"/webhooks/deliveries/{delivered.pk}/")
        assert "Dismissal" in page.content.decode()
