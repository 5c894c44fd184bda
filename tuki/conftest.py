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


def _emptying_flush(
    self: Any,
    style: Any,
    tables: list[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    """PostgreSQL's flush for tests: DELETE every table, not one TRUNCATE of them all.

    A transactional test (live server, a second connection, a worker) ends with a flush.
    TRUNCATE makes new files for each of some 170 tables and their indexes: about 3 s here,
    each time; DELETE of the few rows a test leaves takes 0.1 s. Django's foreign keys are
    DEFERRABLE, so deferring them lets the tables go in any order. Content types and
    permissions stay: the flush's post_migrate would only make them again (a second per
    flush), and under new ids that ContentType's cache would not know.
    """
    global _truncated
    if reset_sequences or not tables:
        # `call_command("flush")` resets sequences: TRUNCATE ... RESTART IDENTITY, content
        # types too, so this flush's post_migrate must make them again (_post_flush_signal).
        _truncated = True
        return _truncating_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    delete = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
    sql = [f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')}"] + [
        f"{delete} {style.SQL_FIELD(self.quote_name(table))}"
        for table in tables
        if table not in KEPT_BY_FLUSH
    ]
    if "configcache_version" in tables:
        # TRUNCATE fired the configuration triggers once, after emptying every table: the
        # version row came back with a new token (configcache/migrations/0001_initial.py).
        sql.append(CONFIGURATION_CHANGED)
    return sql


def _post_flush_signal(verbosity: int, interactive: bool, db: str, **kwargs: Any) -> None:
    """post_migrate after a flush, but not after `_emptying_flush`, which kept what it makes.

    ContentType's cache is emptied all the same, as post_migrate's create_contenttypes would:
    a test may have filled it inside a transaction it then rolled back.
    """
    global _truncated
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    truncated, _truncated = _truncated, False
    if connections[db].vendor == "postgresql" and not truncated:
        ContentType.objects.clear_cache()
        return
    _emit_post_migrate(verbosity, interactive, db, **kwargs)


_truncating_flush: Any = None
_truncated = False
_emit_post_migrate: Any = None
KEPT_BY_FLUSH = frozenset({"django_content_type", "auth_permission"})
CONFIGURATION_CHANGED = (
    "INSERT INTO configcache_version (id, token) VALUES (1, md5(random()::text)) "
    "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"
)


def pytest_configure(config: pytest.Config) -> None:
    """Flush PostgreSQL test databases by DELETE (`_emptying_flush`), and start
    TUKI_TEST_NOW's travel. Each xdist worker is a process of its own that runs this hook
    with the environment it inherited, so the workers travel as well."""
    global _travel, _truncating_flush, _emit_post_migrate
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    if _truncating_flush is None:
        _truncating_flush = DatabaseOperations.sql_flush
        DatabaseOperations.sql_flush = _emptying_flush  # type: ignore[method-assign,assignment]
        # flush.py imported the function by name: replace that name, in its module.
        _emit_post_migrate = vars(flush)["emit_post_migrate_signal"]
        vars(flush)["emit_post_migrate_signal"] = _post_flush_signal
    # Semantic search is off in tests unless one turns it on (settings.py): in the child
    # processes too (bench, race tests' workers), which are not under pytest themselves.
    os.environ.setdefault("TUKI_SEMANTIC_SEARCH", "off")
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


# CI runs the whole suite on PostgreSQL, then on SQLite with TUKI_TESTS_SECOND_DATABASE=1,
# which runs only what may differ by database (testing.md, "Two databases"): the tests of the
# apps whose code asks which database it is on (DATABASE_SPECIFIC_APPS, kept complete by
# lib/tests/test_database_specific.py) and tests marked `each_database` elsewhere, less the
# tests marked `any_database` and browser tests not marked `each_database`.
SECOND_DATABASE = "TUKI_TESTS_SECOND_DATABASE"
DATABASE_SPECIFIC_APPS = frozenset(
    {
        "automation",  # SQLite folds only ASCII case; the rules' pass locks rows elsewhere
        "backup",  # pg_dump / the SQLite backup API
        "bench",  # scratch databases of each kind
        "cmdb",  # the impact walk: a recursive CTE on PostgreSQL
        "configcache",  # the version's triggers, written per database
        "live",  # LISTEN/NOTIFY against polling a table
        "monitoring",  # alert grouping by upsert on PostgreSQL
        "reports",  # rollups' SQL
        "search",  # two engines: PostgreSQL full text, SQLite FTS5
        "server",  # the task queue: NOTIFY, row locks, a worker's wake-up
        "sla",  # timers taken under row locks
    }
)


def runs_on_second_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("any_database") is not None:
        return False
    if item.get_closest_marker("each_database") is not None:
        return True
    if item.get_closest_marker("browser") is not None:
        return False
    parts = Path(str(item.path)).relative_to(Path(__file__).parent).parts
    return len(parts) > 1 and parts[0] in DATABASE_SPECIFIC_APPS


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    second = os.environ.get(SECOND_DATABASE, "").strip() not in ("", "0")
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, mark in MARK_BY_FIXTURE.items():
            if fixture in fixtures and item.get_closest_marker(mark) is None:
                item.add_marker(mark)
        if second and not runs_on_second_database(item):
            item.add_marker(
                pytest.mark.skip(reason=f"ran on CI's first database ({SECOND_DATABASE})")
            )


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
    from tuki.live.hub import hub

    hub.stop()  # PostgreSQL: its LISTEN connection would keep the test database from being dropped


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
