"""The report pages: who may open them, what they show, and that every number opens exactly
the tickets behind it."""

from __future__ import annotations

import re

import pytest
import time_machine

from tuki.lib.testing import assert_same_count, query_budget
from tuki.reports import saving
from tuki.reports.indicators import INDICATORS
from tuki.reports.tests.pages import MARCH, World, grant
from tuki.tickets import services
from tuki.tickets.models import Channel

PAGES = [
    "/reports/",
    "/reports/volume/",
    "/reports/volume/?by=channel",
    "/reports/volume/tickets/",
    "/reports/volume/export.csv",
    "/reports/volume/export.xlsx",
    "/reports/saved/",
    "/reports/saved/new/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_sign_in_first(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_requesters_get_404(world: World, path):
    for person in (world.desk.requester, world.desk.outsider):
        assert world.client(person).get(path).status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_agents_without_the_permission_get_403(world: World, path):
    assert world.client(world.desk.operator).get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_managers_analysts_and_admins_open_every_page(world: World, path):
    for person in (world.manager, world.analyst, world.desk.admin):
        assert world.client(person).get(path).status_code == 200, person


def test_an_unknown_indicator_is_404(world: World):
    client = world.client(world.analyst)
    assert client.get("/reports/nope/").status_code == 404
    assert client.get("/reports/nope/tickets/").status_code == 404


def test_the_navigation_shows_reports_to_those_who_may_view_them(world: World):
    link = 'href="/reports/"'
    assert link in world.client(world.manager).get("/desk/").content.decode()
    assert link in world.client(world.desk.admin).get("/desk/").content.decode()
    assert link not in world.client(world.desk.operator).get("/desk/").content.decode()


def test_the_overview_shows_each_headline_with_its_tickets(world: World):
    page = world.client(world.analyst).get(f"/reports/?{MARCH}").content.decode()
    assert str(INDICATORS["volume"].label) in page
    assert "/reports/volume/tickets/?" in page


def _links(page: str) -> list[tuple[str, str]]:
    """(href, text) of the links to tickets behind numbers in a report table."""
    return [
        (href.replace("&amp;", "&"), text)
        for href, text in re.findall(
            r'<a href="(/reports/volume/tickets/\?[^"]*)" class="report-number">([^<]*)</a>', page
        )
    ]


def test_every_number_opens_exactly_its_tickets(world: World):
    client = world.client(world.analyst)
    page = client.get(f"/reports/volume/?{MARCH}&by=channel").content.decode()
    links = _links(page)
    assert len(links) >= 4  # the trend's days, the channels, the total
    for href, text in links:
        drill = client.get(href)
        assert drill.status_code == 200
        assert drill.context["page"].paginator.count == int(text.replace("\xa0", "")), href
    # The channel rows: phone counts two tickets (one of them escalated).
    phone = [h for h, _t in links if "key=phone" in h]
    assert phone
    numbers = {t.number for t in client.get(phone[0]).context["page"].object_list}
    assert world.escalated.number in numbers


def test_a_viewer_counts_only_the_tickets_they_may_see(world: World):
    """The lead of Network Helsinki, granted reports, counts only the ticket escalated to
    their group; the analyst (all tickets) counts every one."""
    grant(world.desk.lead)
    lead = world.client(world.desk.lead).get(f"/reports/volume/tickets/?{MARCH}")
    analyst = world.client(world.analyst).get(f"/reports/volume/tickets/?{MARCH}")
    assert [t.pk for t in lead.context["page"].object_list] == [world.escalated.pk]
    assert analyst.context["page"].paginator.count == 5


def test_the_chart_data_equals_the_table(world: World):
    response = world.client(world.analyst).get(f"/reports/volume/?{MARCH}&by=channel")
    rows = response.context["breakdown_rows"]
    chart = response.context["breakdown_chart"]
    assert chart["labels"] == [str(r.cell.label) for r in rows]
    assert chart["datasets"][0]["data"] == [r.cell.value for r in rows]
    assert 'id="breakdown-data" type="application/json"' in response.content.decode()


def test_bad_filters_are_field_errors_not_500(world: World):
    client = world.client(world.analyst)
    for query in (
        "period=custom",
        "period=custom&start=2026-03-10&end=2026-03-01",
        "period=custom&start=nope&end=2026-03-01",
        "period=whenever",
        "group=999999",
        "priority=9",
        "kind=nope",
        "by=nope",
        "group=" + "9" * 30,
    ):
        response = client.get(f"/reports/volume/?{query}")
        assert response.status_code == 200, query
        assert response.context["form"].errors, query
        assert client.get(f"/reports/volume/tickets/?{query}").status_code == 200
        assert client.get(f"/reports/volume/export.csv?{query}").status_code == 400


def test_the_drill_down_ignores_an_unknown_key(world: World):
    response = world.client(world.analyst).get(
        f"/reports/volume/tickets/?{MARCH}&by=channel&key=nope"
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


# --- query budgets ---------------------------------------------------------------------------

# The overview: the summary (a query per cohort), the filters' choices, the saved reports,
# whether to link the team view. Every page with the report form checks once whether the
# custom fields (breakdowns custom.<key>) changed: tuki.configcache's version row.
BUDGETS = {
    f"/reports/?{MARCH}": 25,
    f"/reports/volume/?{MARCH}&by=channel": 14,
    f"/reports/volume/tickets/?{MARCH}&by=channel&key=email": 11,
    f"/reports/volume/export.xlsx?{MARCH}&by=channel": 8,
    "/reports/saved/": 8,
}


@pytest.mark.parametrize("path", BUDGETS)
def test_query_budgets(world: World, path):
    client = world.client(world.manager)
    client.get("/reports/saved/")  # warm the session
    with query_budget(BUDGETS[path]):
        assert client.get(path).status_code == 200


def test_the_pages_do_not_grow_with_their_rows(world: World, django_capture_on_commit_callbacks):
    client = world.client(world.manager)
    client.get("/reports/saved/")
    paths = [
        f"/reports/volume/tickets/?{MARCH}&by=channel&key=email",
        f"/reports/volume/?{MARCH}&by=group",
        "/reports/saved/",
    ]
    few = []
    for path in paths:
        with query_budget() as counted:
            client.get(path)
        few.append(counted)
    for n in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            services.create_ticket(
                world.desk.operator,
                title=f"Mail {n}",
                requester=world.desk.colleague,
                channel=Channel.EMAIL,
            )
        saving.save_report(world.manager, name=f"Report {n}", indicator="volume")
    for path, counted in zip(paths, few, strict=True):
        with query_budget() as many:
            client.get(path)
        assert_same_count(counted, many)


def test_the_navigation_entry_follows_a_new_permission_within_minutes(world: World):
    client = world.client(world.desk.operator)
    assert 'href="/reports/"' not in client.get("/desk/").content.decode()
    grant(world.desk.operator)
    with time_machine.travel("2026-03-11T10:11:00+02:00", tick=False):
        assert 'href="/reports/"' in client.get("/desk/").content.decode()


@pytest.mark.parametrize("code", list(INDICATORS))
def test_every_indicator_has_its_page_tickets_and_exports(world: World, code):
    client = world.client(world.analyst)
    for path in (
        f"/reports/{code}/?{MARCH}&by=group&clock=calendar&statistic=p90",
        f"/reports/{code}/tickets/?{MARCH}",
        f"/reports/{code}/export.csv?{MARCH}&by=priority",
        f"/reports/{code}/export.xlsx?{MARCH}&table=trend",
    ):
        assert client.get(path).status_code == 200, path


def test_a_drill_down_key_the_breakdown_cannot_have_shows_nothing(world: World):
    client = world.client(world.analyst)
    for query in ("by=priority&key=nope", "by=week&key=2026-03-04", "by=month&key=x"):
        response = client.get(f"/reports/volume/tickets/?{MARCH}&{query}")
        assert response.status_code == 200, query
        assert response.context["page"].paginator.count == 0, query


def test_deflections_open_the_deflections_behind_them(world: World):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tuki.knowledge.models import Deflection, DeflectionOutcome

    helsinki = ZoneInfo("Europe/Helsinki")
    made = [
        Deflection.objects.create(
            query=f"vpn {n}",
            outcome=outcome,
            user=world.desk.requester,
            created_at=datetime(2026, 3, day, 12, tzinfo=helsinki),
        )
        for n, (day, outcome) in enumerate(
            [
                (3, DeflectionOutcome.SOLVED),
                (20, DeflectionOutcome.SOLVED),
                (21, DeflectionOutcome.SUBMITTED),
            ]
        )
    ]
    Deflection.objects.create(
        query="april",
        outcome=DeflectionOutcome.SOLVED,
        created_at=datetime(2026, 4, 2, tzinfo=helsinki),
    )
    client = world.client(world.analyst)
    response = client.get(f"/reports/deflections/tickets/?{MARCH}")
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert shown == [made[1], made[0]]
    assert response.context["cell"].value == 2
    assert b"vpn 1" in response.content and b"vpn 2" not in response.content
    week = client.get(f"/reports/deflections/tickets/?{MARCH}&by=week&key=2026-03-16")
    assert list(week.context["page"].object_list) == [made[1]]
    assert client.get(f"/reports/deflections/tickets/?{MARCH}&by=week&key=x").status_code == 200
    for person in (world.desk.requester, world.desk.outsider):
        assert world.client(person).get(f"/reports/deflections/tickets/?{MARCH}").status_code == 404


def test_the_scripts_report_is_linked_for_administrators_only(world: World):
    assert (
        'id="scripts-report-link"'
        not in world.client(world.analyst).get("/reports/").content.decode()
    )
    page = world.client(world.desk.admin).get("/reports/").content.decode()
    assert 'href="/scripts/report/" id="scripts-report-link"' in page
