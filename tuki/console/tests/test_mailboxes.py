import pytest
from django.db import connection
from django.utils import timezone

from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib import crypto
from tuki.lib.testing import assert_same_count, query_budget
from tuki.mail.models import ImapSecurity, Mailbox, MailboxPoll
from tuki.mail.tests.conftest import free_port


def _form(**extra):
    data = {
        "name": "support",
        "address": "Support@Tuki.test",
        "from_name": "Tuki support",
        "is_active": "on",
        "imap_host": "imap.tuki.test",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_user": "support",
        "imap_password": "s3cret",
        "imap_folder": "INBOX",
        "poll_interval": "60",
        "kind": "incident",
        "unknown_senders": "create",
        "closed_replies": "reopen",
    }
    data.update(extra)
    return data


@pytest.fixture
def mailbox(desk) -> Mailbox:
    return Mailbox.objects.create(
        name="helpdesk",
        address="helpdesk@tuki.test",
        imap_host="127.0.0.1",
        imap_port=993,
        imap_user="helpdesk",
        imap_password="old-secret",
    )


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, mailbox, role):
    client = desk.client_for(people[role])
    pk = mailbox.pk
    assert client.get("/console/mailboxes/").status_code == 404
    assert client.get(f"/console/mailboxes/{pk}/").status_code == 404
    assert client.post("/console/mailboxes/new/", _form()).status_code == 404
    assert client.post(f"/console/mailboxes/{pk}/", _form()).status_code == 404
    assert client.post(f"/console/mailboxes/{pk}/check/").status_code == 404
    assert client.post(f"/console/mailboxes/{pk}/active/", {"active": "0"}).status_code == 404
    mailbox.refresh_from_db()
    assert mailbox.is_active and mailbox.name == "helpdesk"
    assert not Mailbox.objects.filter(name="support").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_the_last_poll_but_never_the_password(desk, people, mailbox, role):
    MailboxPoll.objects.create(
        mailbox=mailbox, last_poll_at=timezone.now(), last_error="LOGIN failed", failures=3
    )
    client = desk.client_for(people[role])
    page = client.get("/console/mailboxes/").content.decode()
    assert "helpdesk@tuki.test" in page and "LOGIN failed" in page
    edit = client.get(f"/console/mailboxes/{mailbox.pk}/")
    assert edit.status_code == 200
    text = edit.content.decode()
    assert "old-secret" not in text and "A password is stored." in text
    assert "LOGIN failed" in text


def test_a_mailbox_is_created_with_its_password_encrypted(desk, people):
    client = desk.client_for(people["staff"])
    data = _form(group=desk.service_desk.pk, category=desk.vpn.pk, organisation=desk.acme.pk)
    response = client.post("/console/mailboxes/new/", data)
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(name="support")
    assert mailbox.address == "support@tuki.test"
    assert mailbox.imap_password == "s3cret"
    with connection.cursor() as cursor:
        table = Mailbox._meta.db_table
        cursor.execute(f"SELECT imap_password FROM {table} WHERE id = %s", [mailbox.pk])
        stored = cursor.fetchone()[0]
    assert crypto.is_encrypted(stored) and "s3cret" not in stored
    assert (mailbox.group, mailbox.category, mailbox.organisation) == (
        desk.service_desk,
        desk.vpn,
        desk.acme,
    )


def test_an_empty_password_keeps_the_stored_one(desk, people, mailbox):
    client = desk.client_for(people["staff"])
    data = _form(name="helpdesk", address="helpdesk@tuki.test", imap_password="", imap_port="143")
    assert client.post(f"/console/mailboxes/{mailbox.pk}/", data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.imap_password == "old-secret" and mailbox.imap_port == 143
    data["imap_password"] = "new-secret"
    assert client.post(f"/console/mailboxes/{mailbox.pk}/", data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.imap_password == "new-secret"


def test_bad_input_is_a_field_error_and_nothing_changes(desk, people, mailbox):
    client = desk.client_for(people["staff"])
    bad = _form(
        name="not a slug",
        address="nope",
        imap_port="70000",
        imap_user="",
        poll_interval="5",
        imap_security="carrier-pigeon",
    )
    response = client.post(f"/console/mailboxes/{mailbox.pk}/", bad)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"name", "address", "imap_port", "poll_interval", "imap_security"} <= set(errors)
    assert "s3cret" not in response.content.decode()
    taken = client.post("/console/mailboxes/new/", _form(address="HELPDESK@tuki.test"))
    assert taken.status_code == 422 and taken.context["form"].errors["address"]
    no_user = client.post("/console/mailboxes/new/", _form(imap_user=""))
    assert no_user.status_code == 422 and no_user.context["form"].errors["imap_user"]
    mailbox.refresh_from_db()
    assert mailbox.name == "helpdesk" and mailbox.imap_port == 993
    assert not Mailbox.objects.filter(name="support").exists()


def test_mailboxes_are_turned_off_and_on(desk, people, mailbox):
    client = desk.client_for(people["staff"])
    assert (
        client.post(f"/console/mailboxes/{mailbox.pk}/active/", {"active": "0"}).status_code == 302
    )
    mailbox.refresh_from_db()
    assert not mailbox.is_active
    client.post(f"/console/mailboxes/{mailbox.pk}/active/", {"active": "1"})
    mailbox.refresh_from_db()
    assert mailbox.is_active


def test_testing_a_closed_port_says_so(desk, people, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_port=free_port(), imap_security=ImapSecurity.NONE
    )
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "refused the connection" in text and "nothing listens on that port" in text


def test_testing_a_mailbox_without_a_host_says_so(desk, people, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="")
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert "No IMAP host" in response.content.decode()


def test_testing_a_mailbox_on_an_unknown_host_says_so(desk, people, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="no-such-host.invalid")
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert "is not known" in response.content.decode()


@pytest.mark.mailserver
def test_testing_the_connection_signs_in_to_dovecot(desk, people, mailbox, imap_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=ImapSecurity.NONE,
        imap_user=imap_server.user,
    )
    mailbox.refresh_from_db()
    mailbox.imap_password = imap_server.password
    mailbox.save()
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert "signed in as" in response.content.decode()
    mailbox.imap_password = "wrong"
    mailbox.save()
    refused = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert "refused to sign in" in refused.content.decode()
    mailbox.imap_password = imap_server.password
    mailbox.imap_folder = "Nowhere"
    mailbox.save()
    folder = client.post(f"/console/mailboxes/{mailbox.pk}/check/", follow=True)
    assert "cannot be opened" in folder.content.decode()


def test_the_list_has_a_query_budget(desk, people, mailbox):
    client = desk.client_for(people["staff"])
    client.get("/console/mailboxes/")
    with query_budget(6) as few:
        client.get("/console/mailboxes/")
    for n in range(10):
        box = Mailbox.objects.create(
            name=f"box{n}", address=f"box{n}@tuki.test", imap_host="h", group=desk.apps
        )
        MailboxPoll.objects.create(mailbox=box, last_poll_at=timezone.now())
    with query_budget(6) as many:
        client.get("/console/mailboxes/")
    assert_same_count(few, many)
    with query_budget(12):
        client.get(f"/console/mailboxes/{mailbox.pk}/")
