"""The first run: from an empty database (after migrate alone) to a desk that takes tickets."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.accounts.models import SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.conftest import PASSWORD
from tuki.mail.models import Mailbox
from tuki.setup import state
from tuki.tickets import services
from tuki.tickets.models import Ticket


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def empty(db, var_dir):
    """What `tuki migrate` leaves: seeded workflow, no people, no groups."""
    from tuki.conftest import ensure_workflow

    ensure_workflow()
    assert not User.objects.exists() and not SupportGroup.objects.exists()


def form_data(token: str = "", **extra: str) -> dict[str, str]:
    data = {
        "token": token,
        "admin_name": "Aino Admin",
        "admin_email": "aino@example.fi",
        "password1": "a long enough passphrase 7",
        "password2": "a long enough passphrase 7",
        "desk_name": "Service Desk",
        "desk_email": "help@example.fi",
        "time_zone": "Europe/Helsinki",
        "holiday_country": "fi",
        "opens": "08:00",
        "closes": "16:00",
    }
    data.update(extra)
    return data


def test_a_fresh_install_sends_the_first_visitor_to_the_setup(client, empty, var_dir):
    assert client.get("/").url == "/setup/"
    page = client.get("/setup/")
    assert page.status_code == 200 and b"Set-up token" in page.content
    token = var_dir / "setup-token"
    assert token.stat().st_mode & 0o777 == 0o600  # readable by Tuki's user only


def test_without_the_token_nothing_is_created(client, empty):
    client.get("/setup/")
    response = client.post("/setup/", form_data("guess"))
    assert response.status_code == 422
    assert "token" in response.context["form"].errors
    assert not User.objects.exists() and not SupportGroup.objects.exists()


def test_the_setup_makes_a_desk_that_takes_tickets(
    client, empty, var_dir, django_capture_on_commit_callbacks
):
    client.get("/setup/")
    token = state.ensure_token()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/setup/",
            form_data(
                token,
                mailbox_address="help@example.fi",
                imap_host="imap.example.fi",
                imap_password="s3cret",
            ),
        )
    assert response.status_code == 302 and response.url == "/"
    admin = User.objects.get(email="aino@example.fi")
    assert admin.is_superuser and admin.check_password("a long enough passphrase 7")
    desk = SupportGroup.objects.get(tier=SupportGroup.Tier.SERVICE_DESK)
    assert desk.may_write_to_requesters and admin in desk.members.all()
    calendar = Calendar.objects.get(is_default=True)
    assert calendar.holiday_country == "FI" and calendar.time_zone == "Europe/Helsinki"
    assert calendar.week["mon"] == [["08:00", "16:00"]] and "sat" not in calendar.week
    assert Mailbox.objects.get().group == desk
    assert not (var_dir / "setup-token").exists()  # the token is spent
    # Signed in as the new administrator, the desk works: a ticket can be logged.
    assert client.get("/").url == "/desk/"
    ticket = services.create_ticket(admin, title="First", requester=admin)
    assert ticket.owner_group == desk
    # And the set-up page is gone for everyone.
    assert client.get("/setup/").status_code == 404
    assert Client().get("/setup/").status_code == 404


def test_bad_input_is_refused_by_field_and_leaves_nothing(client, empty):
    client.get("/setup/")
    token = state.ensure_token()
    short = client.post("/setup/", form_data(token, password1="short", password2="short"))
    assert short.status_code == 422 and "password1" in short.context["form"].errors
    differ = client.post("/setup/", form_data(token, password2="another passphrase 8"))
    assert differ.status_code == 422 and "password2" in differ.context["form"].errors
    country = client.post("/setup/", form_data(token, holiday_country="XX"))
    assert country.status_code == 422
    hours = client.post("/setup/", form_data(token, opens="25:00"))
    assert hours.status_code == 422 and "opens" in hours.context["form"].errors
    assert not User.objects.exists() and not SupportGroup.objects.exists()
    assert not Calendar.objects.filter(name="Business hours").exists()


def test_after_createsuperuser_the_admin_signing_in_finishes_the_setup(empty):
    User.objects.create_superuser("root@example.fi", PASSWORD, full_name="Root")
    visitor = Client()
    assert visitor.get("/").url.startswith("/login/")  # an administrator exists: sign in
    assert visitor.get("/setup/").url.startswith("/login/")
    client = Client()
    client.post("/login/", {"username": "root@example.fi", "password": PASSWORD})
    assert client.get("/").url == "/setup/"
    page = client.get("/setup/")
    assert page.status_code == 200 and b"Set-up token" not in page.content
    data = {k: v for k, v in form_data().items() if k not in SetupFields.ADMIN}
    response = client.post("/setup/", data)
    assert response.status_code == 302
    desk = SupportGroup.objects.get(tier=1)
    assert desk.members.filter(email="root@example.fi").exists()
    assert client.get("/").url == "/desk/"
    assert Ticket.objects.count() == 0


class SetupFields:
    ADMIN = ("token", "admin_name", "admin_email", "password1", "password2")


@pytest.mark.parametrize("role", ["requester", "operator", "admin"])
def test_a_desk_that_is_set_up_has_no_setup_page(desk, role):
    assert desk.client_for(getattr(desk, role)).get("/setup/").status_code == 404
    assert Client().get("/setup/").status_code == 404


@pytest.mark.parametrize("role", ["requester", "operator", "specialist"])
def test_without_a_desk_group_only_the_administrator_may_finish(desk, role):
    SupportGroup.objects.filter(tier=1).update(tier=2)
    client = desk.client_for(getattr(desk, role))
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", form_data()).status_code == 404
    assert not SupportGroup.objects.filter(tier=1).exists()
    assert desk.client_for(desk.admin).get("/").url == "/setup/"
