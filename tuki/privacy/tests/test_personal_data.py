"""Export and erasure of one person's data: pages, API and command, per role."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tuki.accounts.models import ApiToken, User
from tuki.lib.uploads import Upload
from tuki.mail.models import InboundMessage
from tuki.mail.services import ingest_message
from tuki.mail.tests.mails import mail
from tuki.notifications.models import Notification
from tuki.privacy.models import Erasure
from tuki.tickets import services
from tuki.tickets.models import Attachment, Comment, Ticket, TicketEvent
from tuki.tickets.services.attachments import add_attachments


@pytest.fixture
def history(desk, incident):
    """The requester's data: a ticket, a reply, a file, a token, a mail and a watch."""
    services.add_comment(
        desk.requester, incident, "Maija here: still broken, call +358 40 555 1234."
    )
    services.add_comment(desk.operator, incident, "Maija Meikäläinen called again.", internal=True)
    add_attachments(desk.requester, incident, [Upload("photo.jpg", b"\xff\xd8\xff" + bytes(50))])
    ApiToken.mint(desk.requester, "laptop")
    other = services.create_ticket(desk.operator, title="Printer", requester=desk.colleague)
    other.watchers.add(desk.requester)
    ingest_message(mail("Mail body from Maija.\n", message_id="m1@acme.fi"))
    return incident


def archive_of(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


# --- who may -------------------------------------------------------------------------------

PAGES = ["/privacy/", "/privacy/people/{pk}/", "/privacy/people/{pk}/export/"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "role", ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"]
)
def test_people_who_are_not_administrators_get_404(desk, url, role):
    client = desk.client_for(getattr(desk, role))
    assert client.get(url.format(pk=desk.requester.pk)).status_code == 404
    erase = f"/privacy/people/{desk.requester.pk}/erase/"
    assert client.post(erase, {"confirm": desk.requester.email}).status_code == 404
    assert not Erasure.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_sign_in_first(client, desk, url):
    response = client.get(url.format(pk=desk.requester.pk))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_staff_administrator_manages_requesters_but_not_administrators(desk):
    staff = User.objects.create_user(
        "staff@tuki.test", "pw", full_name="Stella Staff", is_staff=True
    )
    client = desk.client_for(staff)
    assert client.get(f"/privacy/people/{desk.requester.pk}/").status_code == 200
    assert client.get(f"/privacy/people/{desk.admin.pk}/").status_code == 404
    assert client.get("/privacy/people/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize("role", ["requester", "operator", "specialist", "other_agent"])
def test_the_api_is_for_administrators_only(desk, role):
    client = desk.client_for(getattr(desk, role))
    url = f"/api/v1/privacy/people/{desk.requester.pk}"
    assert client.get(f"{url}/export").status_code == 404
    body = json.dumps({"confirm": desk.requester.email})
    assert client.post(f"{url}/erase", body, content_type="application/json").status_code == 404
    assert not Erasure.objects.exists()


# --- export --------------------------------------------------------------------------------


def test_the_export_holds_profile_tickets_comments_files_and_mail(desk, history):
    response = desk.client_for(desk.admin).get(f"/privacy/people/{desk.requester.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = archive_of(response.content)
    names = archive.namelist()
    person = json.loads(archive.read("person.json"))
    assert person["email"] == "maija@acme.fi" and person["phone"] == "+358 40 555 1234"
    assert f"tickets/{history.number}.json" in names
    assert any(
        n.startswith("tickets/INC-") and n != f"tickets/{history.number}.json" for n in names
    )
    ticket = json.loads(archive.read(f"tickets/{history.number}.json"))
    texts = [r["text"] for r in ticket["replies"]]
    assert any("still broken" in t for t in texts)
    assert not any("called again" in t for t in texts)  # the desk's internal note is not theirs
    comments = json.loads(archive.read("records/tickets.comment.json"))
    assert [c["body"] for c in comments] == ["Maija here: still broken, call +358 40 555 1234."]
    tokens = json.loads(archive.read("records/accounts.apitoken.json"))
    assert tokens[0]["name"] == "laptop" and "digest" not in tokens[0]
    assert "records/tickets.ticketevent.json" in names
    photo = [n for n in names if n.startswith("attachments/")]
    assert len(photo) == 1 and archive.read(photo[0]).startswith(b"\xff\xd8\xff")
    assert any(n.startswith("mail/inbound-") for n in names)
    assert b"password" not in archive.read("person.json")


def test_the_api_and_the_command_export_the_same(desk, history, tmp_path):
    response = desk.client_for(desk.admin).get(f"/api/v1/privacy/people/{desk.requester.pk}/export")
    assert response.status_code == 200
    target = tmp_path / "maija.zip"
    call_command("personal_data", "export", "maija@acme.fi", str(target))
    assert target.stat().st_mode & 0o077 == 0
    assert sorted(archive_of(target.read_bytes()).namelist()) == sorted(
        archive_of(response.content).namelist()
    )


def test_a_staff_administrators_export_leaves_out_a_restricted_ticket_they_may_not_see(
    desk, history
):
    """An export is a door like any other: the person's restricted HR case stays with its
    groups; a superuser's export holds it."""
    hr_case = services.create_ticket(
        desk.operator,
        title="CANARY salary dispute",
        description="CANARY details",
        requester=desk.requester,
        group=desk.network_hel,
        restricted=True,
    )
    services.add_comment(desk.requester, hr_case, "CANARY my reply")
    add_attachments(desk.requester, hr_case, [Upload("canary.txt", b"CANARY file")])
    staff = User.objects.create_user(
        "staff@tuki.test", "pw", full_name="Stella Staff", is_staff=True
    )
    assert not Ticket.objects.visible_to(staff).filter(pk=hr_case.pk).exists()

    def everything(user):
        response = desk.client_for(user).get(f"/privacy/people/{desk.requester.pk}/export/")
        assert response.status_code == 200
        archive = archive_of(response.content)
        return archive, b"".join(archive.read(n) for n in archive.namelist())

    archive, content = everything(staff)
    assert b"CANARY" not in content
    hidden = (
        Ticket.objects.filter(requester=desk.requester)
        .exclude(pk__in=Ticket.objects.visible_to(staff).values("pk"))
        .count()
    )
    assert json.loads(archive.read("person.json"))["tickets_left_out"] >= hidden >= 1
    archive, content = everything(desk.admin)
    assert f"tickets/{hr_case.number}.json" in archive.namelist()
    assert b"CANARY file" in content
    assert json.loads(archive.read("person.json"))["tickets_left_out"] == 0


# --- erasure -------------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_the_tickets(
    desk, history, django_capture_on_commit_callbacks
):
    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
    photo = Attachment.objects.get(uploaded_by=desk.requester)
    storage, name = photo.file.storage, photo.file.name
    client = desk.client_for(desk.admin)
    url = f"/privacy/people/{desk.requester.pk}/erase/"

    wrong = client.post(url, {"confirm": "someone@else.fi"})
    assert wrong.status_code == 422 and "confirm" in wrong.context["form"].errors
    assert User.objects.get(pk=desk.requester.pk).email == "maija@acme.fi"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"confirm": "MAIJA@acme.fi"})
    assert done.status_code == 302

    person = User.objects.get(pk=desk.requester.pk)
    assert person.full_name == f"Erased user #{person.pk}"
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert person.phone == "" and not person.is_active and not person.has_usable_password()
    assert Ticket.objects.count() == tickets and TicketEvent.objects.count() == events
    history.refresh_from_db()
    assert history.requester_id == person.pk  # the statistics still count the ticket
    bodies = list(Comment.objects.filter(ticket=history).values_list("body", flat=True))
    assert "[erased] called again." in bodies
    assert "Maija here: still broken, call [erased]." in bodies
    assert not Attachment.objects.filter(pk=photo.pk).exists() and not storage.exists(name)
    assert not ApiToken.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not person.watching.exists()
    message = InboundMessage.objects.get(message_id="m1@acme.fi")
    assert bytes(message.raw) == b"" and message.from_address == person.email
    erasure = Erasure.objects.get(person=person)
    assert erasure.erased_by == desk.admin and erasure.counts["attachments"] == 1

    page = client.get(f"/privacy/people/{person.pk}/")
    assert b'id="erased"' in page.content  # recorded, and no second erasure form
    again = client.post(url, {"confirm": person.email})
    assert again.status_code == 422 and Erasure.objects.count() == 1


def test_the_last_superuser_cannot_be_erased(desk):
    client = desk.client_for(desk.admin)
    response = client.post(f"/privacy/people/{desk.admin.pk}/erase/", {"confirm": desk.admin.email})
    assert response.status_code == 422
    assert "last administrator" in response.content.decode()
    assert User.objects.get(pk=desk.admin.pk).is_superuser and not Erasure.objects.exists()


def test_the_api_erases_with_field_errors_for_a_wrong_confirmation(desk, history):
    client = desk.client_for(desk.admin)
    url = f"/api/v1/privacy/people/{desk.requester.pk}/erase"
    wrong = client.post(url, json.dumps({"confirm": "x"}), content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "confirm"]
    done = client.post(
        url, json.dumps({"confirm": "maija@acme.fi"}), content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["person"] == desk.requester.pk


def test_the_command_erases_as_the_administrator_named(desk, history):
    with pytest.raises(CommandError):
        call_command(
            "personal_data", "erase", "maija@acme.fi", "--confirm", "nope", "--by", desk.admin.email
        )
    with pytest.raises(CommandError):  # an agent may not
        call_command(
            "personal_data",
            "erase",
            "maija@acme.fi",
            "--confirm",
            "maija@acme.fi",
            "--by",
            desk.operator.email,
        )
    call_command(
        "personal_data",
        "erase",
        "maija@acme.fi",
        "--confirm",
        "maija@acme.fi",
        "--by",
        desk.admin.email,
    )
    assert Erasure.objects.get().erased_by == desk.admin
