"""Email per preference: composed in the recipient's language, sent by the mail worker
after the change commits (real transactions here, as in production)."""

import pytest
from django.core import mail

from tuki.notifications import services
from tuki.notifications.models import Notification
from tuki.tickets import services as ticket_services

pytestmark = pytest.mark.django_db(transaction=True)


def mail_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_an_assignment_is_mailed_by_default(desk, escalated):
    mail.outbox.clear()
    ticket_services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
    (message,) = mail_to("specialist@tuki.test")
    number = escalated.number
    assert message.subject == f"[{number}] Liisa Lead assigned {number} to you: {escalated.title}"
    assert f"http://127.0.0.1:8000/desk/tickets/{number}/" in message.body
    assert "http://127.0.0.1:8000/notifications/preferences/" in message.body
    assert message.body.startswith("Hello Sanna,")
    assert Notification.objects.filter(recipient=desk.specialist, kind="assigned_to_me").exists()


def test_a_new_ticket_in_the_group_is_not_mailed_by_default(desk, incident):
    mail.outbox.clear()
    ticket_services.escalate_ticket(desk.operator, incident, group=desk.network_hel)
    assert mail_to("specialist@tuki.test") == []
    assert Notification.objects.filter(recipient=desk.specialist, kind="group_ticket").exists()


def test_email_only_when_chosen(desk, incident):
    services.set_preferences(desk.specialist, desk.specialist, {"group_ticket": (False, True)})
    mail.outbox.clear()
    ticket_services.escalate_ticket(desk.operator, incident, group=desk.network_hel)
    assert len(mail_to("specialist@tuki.test")) == 1
    assert not Notification.objects.filter(recipient=desk.specialist).exists()
    assert Notification.objects.filter(recipient=desk.lead, kind="group_ticket").exists()


def test_nothing_at_all_when_both_are_off(desk, escalated):
    services.set_preferences(desk.specialist, desk.specialist, {"assigned_to_me": (False, False)})
    mail.outbox.clear()
    ticket_services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
    assert mail_to("specialist@tuki.test") == []
    assert not Notification.objects.filter(recipient=desk.specialist, kind="assigned_to_me")


def test_the_mail_is_in_the_recipients_language(desk, escalated):
    desk.specialist.language = "fi"
    desk.specialist.save()
    mail.outbox.clear()
    ticket_services.add_comment(desk.lead, escalated, "@specialist katso tätä", internal=True)
    (message,) = mail_to("specialist@tuki.test")
    assert message.body.startswith("Hei Sanna,")


def test_a_mention_is_mailed_and_the_author_gets_nothing(desk, escalated):
    mail.outbox.clear()
    ticket_services.add_comment(desk.specialist, escalated, "@lead please approve", internal=True)
    assert len(mail_to("lead@tuki.test")) == 1
    assert mail_to("specialist@tuki.test") == []


def test_a_rolled_back_change_mails_nobody(desk, escalated):
    from django.db import transaction

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
        raise RuntimeError("boom")
    assert mail_to("specialist@tuki.test") == []
    assert not Notification.objects.filter(recipient=desk.specialist, kind="assigned_to_me")
