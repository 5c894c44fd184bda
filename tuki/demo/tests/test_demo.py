import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.approvals.models import ApprovalTemplate
from tuki.automation.models import Rule, RuleRun, ScheduledRun
from tuki.bundles import services as bundles
from tuki.bundles.tests import roundtrip
from tuki.calendars.models import Calendar
from tuki.chat.models import ChatQueue, Conversation
from tuki.conftest import ensure_workflow
from tuki.demo import knowledge as demo_knowledge
from tuki.demo.cast import build_cast, logins
from tuki.demo.loader import load_demo
from tuki.demo.stories import Director
from tuki.macros.models import Macro, Scope
from tuki.mail.models import OutboundMessage, OutboundStatus
from tuki.monitoring.models import AlertSource
from tuki.scripts.models import Script, ScriptRun
from tuki.search import engine
from tuki.search.models import SearchEntry
from tuki.sla.models import Agreement, ClockState, Metric, SlaClock, SlaClockLog, SlaPolicy
from tuki.tickets.models import (
    ActorKind,
    Category,
    Kind,
    Status,
    StatusCategory,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tuki.webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.slow  # loads the whole demo (module fixture)

LOADED_AT: list[datetime] = []  # when load_demo returned: its catch-up of due SLA timers ran
PROGRESS: list[str] = []  # the lines load_demo reported while loading


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """Loaded once for the module (it takes seconds), committed, and wiped afterwards."""
    PROGRESS.clear()
    with django_db_blocker.unblock():
        ensure_workflow()  # a transactional test before this module on this worker flushed it
        summary = load_demo(progress=PROGRESS.append)
    LOADED_AT[:] = [timezone.now()]
    assert summary is not None
    yield summary
    with django_db_blocker.unblock():
        demo_knowledge.wipe()  # articles, categories, deflections and their search documents
        Rule.objects.all().delete()
        Macro.objects.all().delete()
        Webhook.objects.all().delete()
        AlertSource.objects.all().delete()  # it protects the person it acts as
        ScriptRun.objects.all().delete()  # they protect the script versions they followed
        Script.objects.all().delete()
        Ticket.objects.all().delete()
        Conversation.objects.all().delete()  # they protect the chat queue they waited in
        ApprovalTemplate.objects.all().delete()
        SlaPolicy.objects.all().delete()
        Category.objects.all().delete()
        SupportGroup.objects.all().delete()
        User.objects.all().delete()
        Organisation.objects.all().delete()
        Location.objects.all().delete()
        Tag.objects.all().delete()
        # Last: deleting the rows above may ask for the default calendar, which makes one.
        Calendar.objects.all().delete()
        # What the deletes above leave (their audit entries, held mail, heartbeats, ...) goes
        # as a transactional test's teardown would take it: later modules start empty.
        call_command("flush", interactive=False, verbosity=0)
        ensure_workflow()


@pytest.fixture
def demo(loaded: dict[str, int], db: None) -> dict[str, int]:
    return loaded


def test_one_service_desk_and_three_second_line_groups_over_two_offices(demo):
    desk = SupportGroup.objects.get(tier=1)
    assert desk.may_write_to_requesters
    assert desk.members.count() == 3
    second = SupportGroup.objects.filter(tier=2)
    assert second.count() == 3
    assert len({g.location_id for g in second}) == 2
    assert all(g.manager and not g.may_write_to_requesters for g in second)


def test_two_client_organisations_with_about_twenty_requesters(demo):
    assert Organisation.objects.exclude(domains="").count() == 2
    requesters = User.objects.filter(is_agent=False, is_superuser=False)
    assert 18 <= requesters.count() <= 25
    assert {u.language for u in requesters} == {"en", "fi", "ro"}
    assert all(u.phone and u.time_zone and u.organisation_id for u in requesters)


def test_the_category_tree_has_default_groups(demo):
    paths = dict(Category.objects.values_list("path", "default_group__name"))
    assert paths["Network › VPN"] and paths["Workplace › Printer"]
    assert {"Accounts › Password reset", "Applications › ERP", "Network › Wi-Fi"} <= set(paths)


def test_about_two_hundred_tickets_in_every_status_with_real_history(demo):
    assert 180 <= Ticket.objects.count() <= 220
    used = set(Ticket.objects.values_list("status__key", flat=True))
    assert used == set(Status.objects.values_list("key", flat=True))
    assert set(Ticket.objects.values_list("kind", flat=True)) >= {
        Kind.INCIDENT,
        Kind.REQUEST,
        Kind.PROBLEM,
        Kind.CHANGE,
    }
    assert not Ticket.objects.filter(events__isnull=True).exists()
    actions = set(TicketEvent.objects.values_list("action", flat=True))
    assert {"escalated", "resolution", "note", "reply", "linked", "merged"} <= actions
    assert Ticket.objects.filter(reopen_count__gt=0).exists()
    assert TicketLink.objects.exists()


def test_history_is_spread_over_the_last_two_months_and_never_in_the_future(demo):
    now = timezone.now()
    oldest = Ticket.objects.aggregate(oldest=Min("created_at"))["oldest"]
    assert now - timedelta(days=62) < oldest < now - timedelta(days=40)
    assert not Ticket.objects.filter(updated_at__gt=now).exists()
    assert not TicketEvent.objects.filter(created_at__gt=now).exists()
    for ticket in Ticket.objects.filter(pk__in=range(1, 400, 7)):
        # SLA warnings and breaches come when due, without touching the ticket.
        events = ticket.events.exclude(actor_kind=ActorKind.SLA)
        times = list(events.values_list("created_at", flat=True))
        assert ticket.created_at <= min(times) and max(times) <= ticket.updated_at
        if ticket.closed_at:
            assert ticket.created_at <= ticket.closed_at <= now


def test_the_printed_logins_work(demo):
    for _role, email, password in logins():
        assert User.objects.get(email=email).check_password(password)


def test_loading_twice_adds_nothing(demo):
    counts = (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count())
    assert load_demo() is None
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "already holds tickets" in out.getvalue()
    assert "http://127.0.0.1:8000" in out.getvalue()
    assert (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count()) == counts


def test_the_same_seed_plans_the_same_tickets(demo):
    def plan(seed: int) -> list[tuple[str, str, datetime]]:
        rnd = random.Random(seed)
        director = Director(build_cast(rnd), rnd, datetime(2025, 3, 1, tzinfo=UTC))
        return [(p.kind, p.final, p.created) for p in director.plan()]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


def test_each_client_has_an_agreement_on_its_office_calendar(demo):
    calendars = dict(Agreement.objects.values_list("organisation__name", "calendar__name"))
    assert calendars == {"Revontuli Oy": "Helsinki office", "Carpatica SRL": "Bucharest office"}
    helsinki = Calendar.objects.get(name="Helsinki office")
    assert (helsinki.time_zone, helsinki.holiday_country) == ("Europe/Helsinki", "FI")
    for policy in SlaPolicy.objects.all():
        assert policy.targets.count() == 5 and policy.ola_targets.exists()
        assert policy.warning_thresholds == [75, 90]


def test_clocks_follow_the_backdated_history_with_a_mix_of_states(demo):
    now = timezone.now()
    clocks = SlaClock.objects.all()
    incidents = Ticket.objects.filter(kind__in=[Kind.INCIDENT, Kind.REQUEST])
    assert not incidents.filter(sla_clocks__isnull=True).exists()
    assert not Ticket.objects.filter(kind=Kind.PROBLEM, sla_clocks__isnull=False).exists()
    states = set(clocks.values_list("state", flat=True))
    assert {ClockState.MET, ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED} <= states
    assert {Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION, Metric.OLA} <= set(
        clocks.values_list("metric", flat=True)
    )
    assert clocks.filter(state=ClockState.PAUSED, ticket__status__key="pending_customer").exists()
    # Clocks start with their ticket's (backdated) registration, not when the demo loaded.
    for clock in clocks.filter(metric=Metric.FIRST_RESPONSE, cycle=1)[:50]:
        assert clock.started_at == clock.ticket.created_at
    running = clocks.filter(state=ClockState.RUNNING)
    # Overdue ones were announced when the demo loaded; later deadlines pass while tests run.
    assert not running.filter(deadline__lt=LOADED_AT[0]).exists()
    warned = SlaClockLog.objects.filter(what="warned", clock__state=ClockState.RUNNING)
    assert warned.exists()  # at risk
    breaches = TicketEvent.objects.filter(action="sla_breached")
    assert breaches.exists() and not breaches.filter(created_at__gt=now).exists()


def test_the_demo_mail_is_history_sent_when_it_happened_and_nothing_is_left_to_send(demo):
    # The addresses are made up: nothing may wait for the worker to send it.
    assert OutboundMessage.objects.exists()
    assert not OutboundMessage.objects.exclude(status=OutboundStatus.SENT).exists()
    replies = OutboundMessage.objects.filter(comment__isnull=False).select_related("comment")
    assert replies.exists()
    for message in replies[:50]:  # "emailed" on the ticket page, when the reply was written
        assert message.sent_at == message.created_at == message.comment.created_at
    # Backdated with the history: a requester's next ticket is acknowledged as usual (at
    # most a few acknowledgements to one address in an hour).
    # Each is stamped when its ticket was opened, not when the demo loaded (a ticket the
    # history opened in its last hour is acknowledged in that hour, and that is right).
    acknowledgements = OutboundMessage.objects.filter(what="created").select_related("ticket")
    assert acknowledgements.filter(created_at__lt=LOADED_AT[0] - timedelta(days=7)).exists()
    for ack in acknowledgements:
        assert abs(ack.created_at - ack.ticket.created_at) < timedelta(minutes=5), ack


def test_loading_reports_its_progress_stage_by_stage(demo):
    tickets = [line for line in PROGRESS if line.startswith("Loading tickets ")]
    total = demo["tickets"]
    assert len(tickets) >= 5 and tickets[-1] == f"Loading tickets {total}/{total}"
    for stage in ("People: ", "Service levels", "Replaying SLA clocks", "Mail history: ",
                  "Routing: ", "Automation: ", "Knowledge base: "):  # fmt: skip
        assert any(line.startswith(stage) for line in PROGRESS), stage


def test_the_demo_command_prints_the_progress(db):
    out = StringIO()
    with patch("tuki.demo.management.commands.demo.load_demo") as load:
        load.side_effect = lambda seed, progress: (
            progress("Loading tickets 20/202") or {"tickets": 202}
        )
        call_command("demo", "--no-serve", stdout=out)
    assert "  Loading tickets 20/202\n" in out.getvalue()
    assert "Loaded 202 demo tickets" in out.getvalue()


def test_search_finds_every_demo_ticket(demo):
    """The load drops its tasks (no notification storm), the index's among them: it is
    rebuilt at the end (search found 4 of the 207 tickets before)."""
    indexed = SearchEntry.objects.filter(kind="ticket").values("object_id").distinct().count()
    assert indexed == Ticket.objects.count()
    every = {"ticket": Ticket.objects.all()}
    vpn = Ticket.objects.filter(title__icontains="VPN").values_list("pk", flat=True)
    hits = engine.search("VPN", allowed=every, kinds=["ticket"], limit=200)
    assert len(vpn) > 4 and set(vpn) <= {hit.object_id for hit in hits}


def test_administration_opens_on_examples_made_through_the_services(demo):
    rules = {rule.name: rule for rule in Rule.objects.all()}
    assert len(rules) >= 5
    assert any(rule.trigger == Rule.Trigger.SCHEDULED for rule in rules.values())
    actions = {action["type"] for rule in rules.values() for action in rule.actions}
    assert {"set_field", "assign", "request_approval", "public_reply", "webhook"} <= actions
    assert all(rule.created_by and rule.created_by.is_superuser for rule in rules.values())
    # Rules come after the history: none answered two months of tickets when it was saved.
    assert not RuleRun.objects.exists() and not ScheduledRun.objects.exists()
    scopes = set(Macro.objects.values_list("scope", flat=True))
    assert {Scope.GLOBAL, Scope.GROUP, Scope.PERSONAL} <= scopes
    assert Macro.objects.filter(body__contains="{{requester.first_name}}").exists()
    template = ApprovalTemplate.objects.get(name="Access to a system")
    assert template.kinds == [Kind.REQUEST] and len(template.steps) == 2
    approval_rule = next(r for r in rules.values() if r.actions[0]["type"] == "request_approval")
    assert approval_rule.actions[0]["template"] == template.pk
    # The example webhook is off, as is the rule that calls it: the demo sends nothing.
    hook = Webhook.objects.get()
    assert not hook.is_active and ".invalid/" in hook.url
    assert not rules["Tell the team chat about breaches (example)"].is_active
    assert not WebhookDelivery.objects.exists()


def test_the_queue_opens_on_recent_work_not_on_weeks_overdue_tickets(demo):
    now = LOADED_AT[0]
    support = Ticket.objects.filter(kind__in=[Kind.INCIDENT, Kind.REQUEST])
    working = support.filter(status__category__in=[StatusCategory.NEW, StatusCategory.OPEN])
    assert working.count() >= 20
    assert not working.filter(created_at__lt=now - timedelta(days=6)).exists()
    # Clocks still counting on open tickets: a few at risk or breached, none by weeks.
    counting = SlaClock.objects.filter(
        ticket__in=working, state__in=[ClockState.RUNNING, ClockState.BREACHED], stopped_at=None
    )
    assert counting.filter(deadline__lt=now).exists()
    assert not counting.filter(deadline__lt=now - timedelta(days=5)).exists()
    waiting = support.filter(status__category=StatusCategory.PENDING)
    assert waiting.exists()
    assert not waiting.filter(created_at__lt=now - timedelta(days=13)).exists()


# --- every door, as every role of the demo desk ------------------------------------------------
# The role walk of server/tests/test_walk_roles.py on the demo's ~200 tickets and its own cast:
# canaries (a Revontuli ticket, a Carpatica ticket, a restricted Workplace case) are put in, and
# every URL pattern and API operation is requested as each person below.

DEMO_ROLES = {
    "requester": "Mikko Nieminen",  # Revontuli Oy
    "colleague": "Laura Mäkelä",  # Revontuli Oy: the restricted case is hers
    "client_manager": "Pekka Lehtinen",  # sees all of Revontuli's tickets
    "outsider": "Andreea Ionescu",  # Carpatica SRL
    "first_line": "Aino Virtanen",  # Service Desk
    "second_line": "Sanna Korhonen",  # Network Helsinki
    "manager": "Laura Mihăilă",  # manages the Service Desk from outside its queue: sees all
    "other_agent": "Elena Stan",  # Network Bucharest
    "supplier": "Petteri Salo",  # Nordic ERP Partner (tier 3)
    "superuser": "Tuki Admin",
}


@pytest.fixture
def demo_world(demo: dict[str, int]) -> Any:
    from types import SimpleNamespace

    from tuki.conftest import make_user
    from tuki.server.tests.test_walk_roles import make_world

    people = {u.full_name: u for u in User.objects.filter(full_name__in=DEMO_ROLES.values())}
    roles: dict[str, User | None] = {role: people[name] for role, name in DEMO_ROLES.items()}
    roles["anonymous"] = None
    # The demo has no staff administrator outside the groups: the one who must not read the
    # restricted case through the configuration pages.
    roles["staff_admin"] = make_user("staff@tuki.example", "Stina Staff", is_staff=True)
    desk = SimpleNamespace(
        operator=roles["first_line"],
        admin=roles["superuser"],
        requester=roles["requester"],
        colleague=roles["colleague"],
        outsider=roles["outsider"],
        network_hel=SupportGroup.objects.get(name="Network Helsinki"),
        apps=SupportGroup.objects.get(name="Workplace Bucharest"),
    )
    return make_world(desk, roles)


@pytest.mark.any_database  # server/tests/test_walk_roles.py walks both databases
@pytest.mark.parametrize("role", [*DEMO_ROLES, "anonymous", "staff_admin"])
def test_no_door_of_the_demo_desk_shows_a_role_what_it_may_not_see(demo_world, role):
    from tuki.server.tests.test_walk_roles import walk_reads, walk_writes

    # What the demo adds to server/tests/test_walk_roles.py is real data behind the lists,
    # boards, reports and ticket pages; the doors named by row ids are that module's to try
    # (the canaries are the same rows), and trying them all again here took two thirds of
    # this walk's time.
    walk_reads(demo_world, role, by_id=False)
    walk_writes(demo_world, role)


# --- schemathesis over the API, on the demo desk as its administrator -------------------------
# server/tests/test_schemathesis.py runs it as an agent and a requester of the small test desk;
# here the ids it meets are the demo's, and the administrator reaches the configuration too.

from tuki.server.tests.test_schemathesis import (  # noqa: E402  # beside the tests it serves
    SLOW_DATA,
    load_schema,
    not_a_server_error,
)

demo_schema = load_schema()


@pytest.fixture
def demo_admin_token(demo: dict[str, int]) -> Iterator[str]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tuki.accounts.tokens import issue_token

    # Django's WSGI handler would close the connection (and the test's transaction) after
    # each request, as in test_schemathesis.py.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield f"Bearer {issue_token(User.objects.get(email='admin@tuki.example'))}"
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@demo_schema.parametrize()
@SLOW_DATA
def test_no_api_input_gives_the_demo_administrator_a_server_error(
    case: Any, demo_admin_token: str
) -> None:
    case.call_and_validate(headers={"Authorization": demo_admin_token}, checks=[not_a_server_error])


def test_the_demo_problems_have_a_root_cause_known_errors_and_incidents(demo):
    from tuki.problems.models import Problem
    from tuki.problems.services import linked_incidents

    problems = list(Problem.objects.select_related("ticket__status", "article"))
    assert len(problems) == Ticket.objects.filter(kind="problem").count() >= 6
    worked = [p for p in problems if p.root_cause]
    assert len(worked) >= 4
    known = [p for p in problems if p.is_known_error]
    assert len(known) >= 3 and all(p.article and p.article.state == "published" for p in known)
    assert sum(linked_incidents(p).exists() for p in problems) >= 4


def test_the_demo_configuration_moves_to_an_empty_install_as_a_bundle(
    demo: dict[str, int], tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    """Exported from the demo and imported into an empty install, every row of the
    configuration comes back field by field (docs/customisation.md, Bundles)."""
    exported = bundles.export_bundle()
    assert len(exported["sections"]["automation.Rule"]) >= 5
    assert (
        roundtrip.differences(exported, roundtrip.carry(exported, tmp_path, subprocess_env)) == []
    )


def test_the_catalogue_offers_ready_made_items_that_can_be_ordered(demo):
    from tuki.catalogue import services as catalogue
    from tuki.catalogue.models import CatalogueItem

    names = set(CatalogueItem.objects.values_list("name", flat=True))
    assert {
        "New laptop",
        "Access to an application",
        "VPN access",
        "Software install",
        "Password reset",
        "New employee",
    } <= names
    employee = CatalogueItem.objects.get(name="New employee")
    assert employee.tasks.count() == 4
    assert len({t.group_id for t in employee.tasks.all()}) == 4
    assert all(i.translations.get("fi", {}).get("name") for i in CatalogueItem.objects.all())
    laptop = CatalogueItem.objects.get(name="New laptop")
    requester = User.objects.filter(is_agent=False, is_superuser=False, is_active=True).first()
    ticket = catalogue.order_item(
        requester,
        laptop,
        requester,
        {"laptop_model": "standard", "needs_docking": True, "monitor_count": "2"},
    )
    assert ticket.custom == {"laptop_model": "standard", "needs_docking": True, "monitor_count": 2}
    assert ticket.group == laptop.fulfilment_group
    assert ticket.fulfilment_tasks.count() == 2


def test_ready_made_scripts_are_published_with_a_history_of_runs(demo, client):
    from tuki.scripts.views.stats import report_rows

    scripts = {s.name: s for s in Script.objects.all()}
    assert {"Password reset", "Printer not working", "VPN does not connect"} <= set(scripts)
    for script in scripts.values():
        assert script.versions.filter(state="published").exists()
    password = scripts["Password reset"].versions.get(state="published").tree
    resolves = [n for n in password["nodes"].values() if n["type"] == "resolve"]
    assert resolves and all(n.get("article") for n in resolves)
    vpn = scripts["VPN does not connect"]
    assert vpn.services.exists() and vpn.catalogue_items.exists()
    assert {n["type"] for n in vpn.versions.get().tree["nodes"].values()} >= {"escalate", "fill"}
    runs = ScriptRun.objects.all()
    assert runs.filter(outcome="resolve").exists() and runs.filter(outcome="abandoned").exists()
    assert not runs.filter(ticket=None).exists()
    rows = report_rows(timezone.now() - timedelta(days=90))
    assert sum(r["uses"] for r in rows) == runs.count()
    client.force_login(User.objects.get(email__startswith="admin@"))
    assert client.get("/scripts/report/?days=90").status_code == 200


def test_the_service_desk_answers_chats_and_chat_tickets_have_their_conversation(demo, client):
    queue = ChatQueue.objects.get()
    assert queue.is_active and queue.is_default and queue.group.tier == 1
    conversations = Conversation.objects.select_related("ticket")
    assert 1 <= conversations.count() <= 6
    for conversation in conversations:
        assert conversation.status == "ended" and conversation.ticket.channel == "chat"
        assert conversation.ticket.requester_id == conversation.requester_id
        assert conversation.created_at < conversation.ticket.created_at
    operator = queue.group.members.first()
    client.force_login(operator)
    chat = conversations.first()
    assert client.get(f"/desk/chat/{chat.pk}/").status_code == 200
    assert b'id="chat-section"' in client.get(f"/desk/tickets/{chat.ticket.number}/").content
