"""The fill and article outcomes on a registered call, scripts linked to services and
catalogue items, Log a call's catalogue picker, and the all-scripts report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tuki.catalogue import services as catalogue_services
from tuki.catalogue.models import CatalogueCategory, CatalogueItem
from tuki.conftest import Desk
from tuki.knowledge.models import Article, ArticleTranslation
from tuki.lib.errors import ServiceError
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.scripts import services
from tuki.scripts.models import RunOutcome, Script, ScriptRun
from tuki.scripts.tests.helpers import build_vpn_script
from tuki.sla.models import Service
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Category, Comment, CustomField, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
AGENTS = ["operator", "specialist", "lead", "other_agent", "admin"]
NOT_AGENTS = ["requester", "colleague", "outsider"]
NON_ADMINS = ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"]
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def outcome_script(desk: Desk, node: dict[str, object], name: str = "Fill it") -> Script:
    """question (n1) → Yes: the outcome `node` ; No: escalate to Network Helsinki."""
    admin = desk.admin
    script = services.create_script(admin, name=name)
    n1 = services.add_node(admin, script, kind="question")
    services.update_node(admin, script, n1, {"text": "Is it the VPN?", "answers": ["Yes", "No"]})
    n2 = services.add_node(admin, script, kind=str(node["type"]), parent=n1, answer=0)
    services.update_node(admin, script, n2, {k: v for k, v in node.items() if k != "type"})
    n3 = services.add_node(admin, script, kind="escalate", parent=n1, answer=1)
    services.update_node(admin, script, n3, {"text": "Network", "group": desk.network_hel.pk})
    services.publish(admin, script)
    return script


def register(desk: Desk, client: Client, script: Script, **data: object) -> object:
    client.post(f"/scripts/run/start/{script.pk}/")
    run = ScriptRun.objects.latest("pk")
    client.post(f"/scripts/run/{run.pk}/step/", {"answer": "0"})
    payload = {
        "requester": desk.requester.pk,
        "category": desk.vpn.pk,
        "title": "VPN will not connect",
        "impact": 3,
        "urgency": 3,
        "outcome": "save",
        "kind": "incident",
        "script_run": run.pk,
    }
    payload.update(data)
    return client.post("/desk/call/", payload)


# --- the fill outcome ------------------------------------------------------------------------


def test_a_fill_outcome_writes_its_fields_to_the_ticket_with_timeline_events(desk: Desk) -> None:
    CustomField.objects.create(key="vpn_client", label="VPN client", type="text")
    script = outcome_script(
        desk,
        {
            "type": "fill",
            "text": "Record the client",
            "values": {"vpn_client": "GlobalProtect 6", "urgency": "1", "kind": "request"},
        },
    )
    response = register(desk, desk.client_for(desk.operator), script)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.custom == {"vpn_client": "GlobalProtect 6"}
    assert ticket.urgency == 1 and ticket.kind == "request"
    fields = set(TicketEvent.objects.filter(ticket=ticket).values_list("field", flat=True))
    assert {"custom.vpn_client", "urgency"} <= fields
    run = ScriptRun.objects.get()
    assert run.outcome == RunOutcome.FILL and run.ticket == ticket
    note = Comment.objects.get(ticket=ticket, is_internal=True).body
    assert "vpn_client = GlobalProtect 6" in note


def test_a_fill_outcome_sets_the_category_by_name(desk: Desk) -> None:
    other = Category.objects.create(name="Wi-Fi", parent=desk.vpn.parent)
    script = outcome_script(desk, {"type": "fill", "values": {"category": "Wi-Fi"}})
    assert register(desk, desk.client_for(desk.operator), script).status_code == 302
    assert Ticket.objects.get().category == other


def test_a_fill_value_the_ticket_refuses_is_a_clear_message_and_nothing_is_written(
    desk: Desk,
) -> None:
    elsewhere = Category.objects.create(name="Printers")
    field = CustomField.objects.create(key="printer_no", label="Printer number", type="text")
    field.categories.set([elsewhere])
    script = outcome_script(desk, {"type": "fill", "values": {"printer_no": "P-12"}})
    response = register(desk, desk.client_for(desk.operator), script)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The script fills “printer_no”, which this ticket refuses" in html
    assert not Ticket.objects.exists()
    run = ScriptRun.objects.get()
    assert run.finished_at is None
    # The page shows the run again, at its outcome, for the operator to fix and register.
    assert f'name="script_run" value="{run.pk}"' in html
    panel = desk.client_for(desk.operator).post(f"/scripts/run/{run.pk}/step/", {"show": "1"})
    assert "printer_no: P-12" in panel.content.decode()
    assert ScriptRun.objects.get().path == run.path


def test_the_builder_refuses_an_unknown_field_or_a_bad_standard_value(desk: Desk) -> None:
    script = services.create_script(desk.admin, name="S")
    node = services.add_node(desk.admin, script, kind="fill")
    with pytest.raises(ServiceError) as unknown:
        services.update_node(desk.admin, script, node, {"values": {"nope": "1"}})
    assert unknown.value.field == "values" and "nope" in unknown.value.message
    with pytest.raises(ServiceError) as bad:
        services.update_node(desk.admin, script, node, {"values": {"impact": "9"}})
    assert bad.value.field == "values"
    response = desk.client_for(desk.admin).post(
        f"/scripts/{script.pk}/nodes/{node}/", {f"{node}-values": "nope=1"}
    )
    assert response.status_code == 422 and "There is no field “nope”" in response.content.decode()


def test_a_resolution_with_an_article_links_it(desk: Desk) -> None:
    article = Article.objects.create()
    ArticleTranslation.objects.create(article=article, language="en", title="Connect to VPN")
    script = outcome_script(
        desk, {"type": "resolve", "text": "Reconnected.", "article": article.pk}
    )
    assert register(desk, desk.client_for(desk.operator), script).status_code == 302
    ticket = Ticket.objects.get()
    assert f"KB-{article.pk} Connect to VPN: /kb/{article.pk}/" in ticket.resolution
    note = Comment.objects.get(ticket=ticket, is_internal=True).body
    assert f"/kb/{article.pk}/" in note


# --- links and suggestions -------------------------------------------------------------------


@pytest.fixture
def item(desk: Desk) -> CatalogueItem:
    shelf = CatalogueCategory.objects.create(name="Access")
    return catalogue_services.save_item(
        desk.admin, None, {"name": "VPN access", "category": shelf, "kind": "request"}
    )


def test_scripts_are_suggested_by_service_and_by_catalogue_item(
    desk: Desk, item: CatalogueItem
) -> None:
    vpn_service = Service.objects.create(name="Remote access")
    vpn_service.categories.set([desk.vpn])
    by_service = services.create_script(desk.admin, name="By service", services=[vpn_service])
    by_item = services.create_script(desk.admin, name="By item", catalogue_items=[item])
    for script in (by_service, by_item):
        node = services.add_node(desk.admin, script, kind="resolve")
        services.update_node(desk.admin, script, node, {"text": "Done"})
        services.publish(desk.admin, script)
    client = desk.client_for(desk.operator)
    html = client.get(f"/scripts/run/suggest/?category={desk.vpn.pk}").content.decode()
    assert "By service" in html and "By item" not in html
    html = client.get(f"/scripts/run/suggest/?service={vpn_service.pk}").content.decode()
    assert "By service" in html
    html = client.get(f"/scripts/run/suggest/?catalogue_item={item.pk}").content.decode()
    assert "By item" in html and "By service" not in html
    with query_budget(7):  # session, user, scripts, three links, the category's services
        client.get(f"/scripts/run/suggest/?category={desk.vpn.pk}&catalogue_item={item.pk}")


def test_the_builder_links_services_and_catalogue_items(desk: Desk, item: CatalogueItem) -> None:
    service = Service.objects.create(name="Remote access")
    client = desk.client_for(desk.admin)
    response = client.post(
        "/scripts/new/",
        {"name": "VPN", "services": [service.pk], "catalogue_items": [item.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    script = Script.objects.get()
    assert list(script.services.all()) == [service]
    assert list(script.catalogue_items.all()) == [item]
    page = client.get(f"/scripts/{script.pk}/").content.decode()
    assert "VPN access" in page and "Remote access" in page


# --- Log a call: ordering from the catalogue -------------------------------------------------


def test_the_catalogue_picker_lists_what_the_caller_may_order(
    desk: Desk, item: CatalogueItem
) -> None:
    shelf = item.category
    desk_only = catalogue_services.save_item(
        desk.admin, None, {"name": "Desk phone", "category": shelf, "groups": [desk.service_desk]}
    )
    globex_only = catalogue_services.save_item(
        desk.admin,
        None,
        {"name": "Globex badge", "category": shelf, "organisations": [desk.globex]},
    )
    client = desk.client_for(desk.operator)
    html = client.get(f"/scripts/run/catalogue/?requester={desk.requester.pk}").content.decode()
    assert "VPN access" in html
    assert f"/catalogue/order/{item.pk}/?for={desk.requester.pk}" in html
    # The operator may order the desk's phone; the caller may not.
    assert desk_only.name not in html and globex_only.name not in html
    html = client.get(f"/scripts/run/catalogue/?requester={desk.outsider.pk}").content.decode()
    assert "Globex badge" in html and "Desk phone" not in html
    html = client.get(
        f"/scripts/run/catalogue/?requester={desk.requester.pk}&q=phone"
    ).content.decode()
    assert "VPN access" not in html and "matches “phone”" in html
    assert "Pick the caller first" in client.get("/scripts/run/catalogue/").content.decode()


def test_the_catalogue_picker_costs_the_same_for_many_items(
    desk: Desk, item: CatalogueItem
) -> None:
    client = desk.client_for(desk.operator)
    url = f"/scripts/run/catalogue/?requester={desk.requester.pk}"
    client.get(url)  # the session's first request does more

    def more() -> None:
        for i in range(5):
            catalogue_services.save_item(
                desk.admin, None, {"name": f"Item {i}", "category": item.category}
            )

    few = counted(lambda: client.get(url))
    more()
    assert_same_count(few, counted(lambda: client.get(url)))


@pytest.mark.parametrize("role", AGENTS)
def test_agents_open_the_catalogue_picker(desk: Desk, role: str) -> None:
    response = desk.client_for(getattr(desk, role)).get("/scripts/run/catalogue/")
    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_AGENTS)
def test_the_catalogue_picker_is_hidden_from_requesters(desk: Desk, role: str) -> None:
    response = desk.client_for(getattr(desk, role)).get(
        f"/scripts/run/catalogue/?requester={desk.requester.pk}"
    )
    assert response.status_code == 404


def test_log_a_call_offers_the_catalogue(desk: Desk) -> None:
    html = desk.client_for(desk.operator).get("/desk/call/").content.decode()
    assert 'id="call-catalogue-toggle"' in html and "/scripts/run/catalogue/" in html


def test_an_order_for_the_caller_is_on_the_phone_channel_by_the_operator(
    desk: Desk, item: CatalogueItem
) -> None:
    client = desk.client_for(desk.operator)
    response = client.post(f"/catalogue/order/{item.pk}/?for={desk.requester.pk}", {"go": "1"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "phone" and ticket.requester == desk.requester
    assert ticket.created_by == desk.operator


# --- the report ------------------------------------------------------------------------------


def runs(desk: Desk, script: Script, answers: list[int], *, finish: bool) -> ScriptRun:
    run = services.start_run(desk.operator, script)
    for index in answers:
        services.answer(desk.operator, run, index)
    if not finish:
        return services.abandon(desk.operator, run)
    ticket = ticket_services.create_ticket(desk.operator, title="Call", requester=desk.requester)
    return services.finish(desk.operator, run, ticket)


def counted(get: Callable[[], object]) -> Queries:
    with query_budget() as queries:
        get()
    return queries


def test_the_report_counts_uses_resolutions_and_drop_outs_per_version(desk: Desk) -> None:
    script = build_vpn_script(desk)
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        runs(desk, script, [], finish=False)  # only in the last 90 days
    with time_machine.travel(NOW, tick=False):
        runs(desk, script, [0, 0, 0], finish=True)  # resolved
        runs(desk, script, [1], finish=True)  # escalated
        runs(desk, script, [0], finish=False)  # stopped at n2
        runs(desk, script, [0], finish=False)
        runs(desk, script, [], finish=False)  # stopped at n1
        client = desk.client_for(desk.admin)
        html = client.get("/scripts/report/").content.decode()
        html90 = client.get("/scripts/report/?days=90").content.decode()
    assert 'id="total-uses">5<' in html and 'id="total-rate">20%<' in html
    assert 'id="total-uses">6<' in html90
    assert "Is the VPN client installed?" in html  # the most common drop-out step
    assert f"/scripts/{script.pk}/stats/" in html


def test_the_report_costs_the_same_for_more_scripts_and_runs(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    first = build_vpn_script(desk)
    runs(desk, first, [0], finish=False)
    client.get("/scripts/report/")  # the session's first request does more

    def more() -> None:
        script = build_vpn_script(desk)
        for answers in ([0], [1], [0, 0, 0]):
            runs(desk, script, answers, finish=len(answers) != 1 or answers == [1])

    few = counted(lambda: client.get("/scripts/report/"))
    more()
    assert_same_count(few, counted(lambda: client.get("/scripts/report/")))
    with query_budget(10):
        client.get("/scripts/report/")


def test_administrators_see_the_report(desk: Desk) -> None:
    assert desk.client_for(desk.admin).get("/scripts/report/").status_code == 200


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_report_is_hidden_from_everyone_but_administrators(desk: Desk, role: str) -> None:
    assert desk.client_for(getattr(desk, role)).get("/scripts/report/").status_code == 404


def test_anonymous_visitors_sign_in_for_the_report() -> None:
    response = Client().get("/scripts/report/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_an_unknown_period_falls_back_to_thirty_days(desk: Desk) -> None:
    html = desk.client_for(desk.admin).get("/scripts/report/?days=99999999999").content.decode()
    assert 'aria-current="page">Last 30 days' in html
