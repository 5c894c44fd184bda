"""Shared test fixtures: a small service desk with named people (docs/development/style.md,
Tests), the session-wide clock override and the environment of a `python -m tuki` child.

TUKI_TEST_NOW="2026-12-05T23:50:00+02:00" runs the whole session (every xdist worker too)
with the clock travelled to that instant and ticking from there, to catch tests that pass
only at some hours or on some days (docs/development/testing.md, "The clock").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.tickets import services
from tuki.tickets.models import Category, Channel, Ticket

PASSWORD = "correct-horse-battery"

_travel: Any = None


def pytest_configure(config: pytest.Config) -> None:
    """Start TUKI_TEST_NOW's travel. Each xdist worker is a process of its own that runs this
    hook with the environment it inherited, so the workers travel as well."""
    global _travel
    now = os.environ.get("TUKI_TEST_NOW", "").strip()
    if not now:
        return
    import time_machine

    moment = datetime.fromisoformat(now)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"TUKI_TEST_NOW needs a UTC offset: {now!r}")
    _travel = time_machine.travel(moment, tick=True)
    _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


# A test that uses one of these fixtures gets the marker, wherever it lives, so that
# `-m "not mailserver"` (pyproject's markers) leaves out every test that starts a server.
MARK_BY_FIXTURE = {
    "dovecot": "mailserver",
    "imap_server": "mailserver",
    "smtp_sink": "mailserver",
    "chromium": "browser",
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, mark in MARK_BY_FIXTURE.items():
            if fixture in fixtures and item.get_closest_marker(mark) is None:
                item.add_marker(mark)


def pytest_report_header(config: pytest.Config) -> str | None:
    now = os.environ.get("TUKI_TEST_NOW", "").strip()
    return f"TUKI_TEST_NOW: the clock starts at {now}" if now else None


@dataclass
class Desk:
    helsinki: Location
    bucharest: Location
    acme: Organisation
    globex: Organisation
    service_desk: SupportGroup
    network_hel: SupportGroup
    network_buc: SupportGroup
    apps: SupportGroup
    operator: User  # first line, service desk, may write to requesters
    specialist: User  # second line, Network Helsinki, internal notes only
    lead: User  # manager of Network Helsinki
    other_agent: User  # second line, Applications: must not see Network's tickets
    requester: User  # Acme employee in Helsinki
    colleague: User  # another Acme employee (sees org tickets only if granted)
    outsider: User  # Globex employee: must see nothing of Acme's
    admin: User
    vpn: Category

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_user(email: str, name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, **extra)


def ensure_workflow() -> None:
    """The seeded statuses and matrix; a transactional test's flush removes them."""
    import importlib

    from tuki.tickets.models import PriorityRule, Status, StatusTransition

    if not Status.objects.exists():
        seed = importlib.import_module("tuki.tickets.migrations.0002_seed_workflow")
        seed.seed_models(Status, StatusTransition, PriorityRule)
        approval = importlib.import_module("tuki.tickets.migrations.0004_request_approval_flow")
        approval.seed_models(Status, StatusTransition)
        changes = importlib.import_module("tuki.changes.seed")
        changes.seed_transitions(Status, StatusTransition)
        names = importlib.import_module("tuki.tickets.migrations.0010_workflow_editing").NAMES
        for status in Status.objects.filter(key__in=names):
            status.names = names[status.key]
            status.save(update_fields=["names"])
    ensure_changes()
    ensure_cmdb()


def ensure_changes() -> None:
    """The risk questionnaire of changes' migration 0003; a flush removes it."""
    from tuki.changes import seed
    from tuki.changes.models import RiskQuestion

    if not RiskQuestion.objects.exists():
        seed.seed_questions(RiskQuestion)


def ensure_cmdb() -> None:
    """The seeded CI classes and data sources; a transactional test's flush removes them."""
    import importlib

    from django.apps import apps

    from tuki.cmdb.models import CIClass, DataSource

    if not CIClass.objects.exists():
        importlib.import_module("tuki.cmdb.migrations.0002_standard_classes").seed(apps, None)
    if not DataSource.objects.exists():
        importlib.import_module("tuki.cmdb.migrations.0003_data_sources").seed(apps, None)


@pytest.fixture
def desk(db: None) -> Desk:
    ensure_workflow()
    helsinki = Location.objects.create(name="Helsinki", time_zone="Europe/Helsinki")
    bucharest = Location.objects.create(name="Bucharest", time_zone="Europe/Bucharest")
    acme = Organisation.objects.create(name="Acme Oy", domains="acme.fi")
    globex = Organisation.objects.create(name="Globex SRL", domains="globex.ro")
    lead = make_user("lead@tuki.test", "Liisa Lead", is_agent=True)
    service_desk = SupportGroup.objects.create(
        name="Service Desk", tier=1, may_write_to_requesters=True
    )
    network_hel = SupportGroup.objects.create(
        name="Network Helsinki", tier=2, location=helsinki, manager=lead
    )
    network_buc = SupportGroup.objects.create(name="Network Bucharest", tier=2, location=bucharest)
    apps = SupportGroup.objects.create(name="Applications", tier=2)
    operator = make_user("operator@tuki.test", "Olli Operator", is_agent=True, phone="+358401111")
    specialist = make_user("specialist@tuki.test", "Sanna Specialist", is_agent=True)
    other_agent = make_user("apps@tuki.test", "Andrei Apps", is_agent=True)
    service_desk.members.add(operator)
    network_hel.members.add(specialist, lead)
    apps.members.add(other_agent)
    requester = make_user(
        "maija@acme.fi",
        "Maija Meikäläinen",
        organisation=acme,
        location=helsinki,
        phone="+358 40 555 1234",
    )
    colleague = make_user("matti@acme.fi", "Matti Virtanen", organisation=acme, location=helsinki)
    outsider = make_user("ion@globex.ro", "Ion Popescu", organisation=globex, location=bucharest)
    admin = User.objects.create_superuser("admin@tuki.test", PASSWORD, full_name="Ada Admin")
    network = Category.objects.create(name="Network", default_group=network_hel)
    vpn = Category.objects.create(name="VPN", parent=network, default_group=network_hel)
    return Desk(
        helsinki,
        bucharest,
        acme,
        globex,
        service_desk,
        network_hel,
        network_buc,
        apps,
        operator,
        specialist,
        lead,
        other_agent,
        requester,
        colleague,
        outsider,
        admin,
        vpn,
    )


@pytest.fixture
def incident(desk: Desk) -> Ticket:
    """A phone call the operator registered for the requester, still with the desk."""
    return services.create_ticket(
        desk.operator,
        title="VPN drops every few minutes",
        description="Since this morning the VPN disconnects.",
        requester=desk.requester,
        category=desk.vpn,
        channel=Channel.PHONE,
        impact=2,
        urgency=2,
    )


@pytest.fixture
def escalated(desk: Desk, incident: Ticket) -> Ticket:
    return services.escalate_ticket(
        desk.operator, incident, group=desk.network_hel, reason="Needs the network team"
    )


# --- child processes -------------------------------------------------------------------------


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a `python -m tuki` child: a var dir of its own and, on PostgreSQL
    under xdist, a database name with this worker's suffix (test_<name>_gw0 is pytest-django's;
    this is the child's `<name>_gw0`), so the scratch databases the child makes next to it
    (`<name>_benchq`, `<name>_bench`) are never shared by two workers."""
    env = dict(os.environ, TUKI_VAR_DIR=str(tmp_path / "var"))
    # The child reads the secrets this process encrypted (tuki/lib/crypto.py): same keys.
    env["TUKI_ENCRYPTION_KEY"] = ",".join(settings.ENCRYPTION_KEYS)
    env.pop("PYTEST_CURRENT_TEST", None)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = env.get("TUKI_DATABASE_URL", "")
    if worker and url and not url.startswith("sqlite"):
        parts = urlsplit(url)
        env["TUKI_DATABASE_URL"] = urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))
    return env


# --- real browser ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; Playwright never downloads a browser here."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # beside it are safe (one thread, the live server has its own).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shooter:
    """Saves a numbered screenshot of each page a browser test visits (CI keeps them)."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / "screenshots" / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page: Any, label: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shooter:
    return Shooter(request.node.name)


@pytest.fixture(autouse=True)
def _no_language_left_behind() -> Iterator[None]:
    """Each test starts and ends in the default language. A request or a service that
    activates a person's language in this thread would otherwise leave it for the next test
    on the same worker (a Finnish message where an English one is expected)."""
    translation.deactivate()
    yield
    translation.deactivate()
