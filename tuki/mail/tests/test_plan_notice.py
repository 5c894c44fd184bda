import pytest
from django.core import mail
from django.db import transaction

from tuki.mail.models import OutboundStatus
from tuki.mail.outbound.planning import plan_notice


@pytest.mark.django_db(transaction=True)
def test_plan_notice_sends(incident):
    with transaction.atomic():
        out = plan_notice(
            incident,
            to_address="Boss@Example.com",
            subject="Approve [INC]",
            text="Please approve",
            html="<p>Please</p>",
        )
    out.refresh_from_db()
    assert out.status == OutboundStatus.SENT, out.last_error
    assert mail.outbox[-1].to == ["boss@example.com"]
    assert b"Please approve" in bytes(out.raw)


@pytest.mark.django_db(transaction=True)
def test_plan_notice_refuses_bouncing_address_and_empty(incident):
    from tuki.mail.models import BouncingAddress

    BouncingAddress.objects.create(address="gone@example.com")
    with transaction.atomic():
        out = plan_notice(incident, to_address="gone@example.com", subject="x", text="y")
        assert plan_notice(incident, to_address=" ", subject="x", text="y") is None
    out.refresh_from_db()
    assert out.status == OutboundStatus.SKIPPED
    assert "bounces" in out.reason
    assert not mail.outbox
