"""A ticket's figures follow its history: clocks, SLA outcomes, hops, reopens, surveys."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from tuki.reports import facts
from tuki.reports.indicators import Filters, compute, summary, tickets_behind
from tuki.reports.models import TicketFact
from tuki.sla.tests.conftest import hel
from tuki.surveys.models import SurveyResponse
from tuki.surveys.signals import answered
from tuki.tickets import services
from tuki.tickets.models import Channel, ResolutionCode

MARCH = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31))


def _story(desk, frozen, run):
    """Registered Monday 09:00 Helsinki, answered 09:30, escalated 10:00, resolved Tuesday
    10:00: 9 business hours (office 08-16) against a target of 8."""
    ticket = run(
        services.create_ticket,
        desk.operator,
        title="VPN",
        requester=desk.requester,
        channel=Channel.PHONE,
        category=desk.vpn,
    )
    frozen.at(hel(3, 9, 30))
    run(services.add_comment, desk.operator, ticket, "Looking into it.")
    frozen.at(hel(3, 10))
    run(services.escalate_ticket, desk.operator, ticket, group=desk.network_hel)
    frozen.at(hel(4, 10))
    run(services.resolve_ticket, desk.specialist, ticket, code=ResolutionCode.SOLVED)
    return ticket


def _runner(capture):
    def run(function, *args, **kwargs):
        with capture(execute=True):
            return function(*args, **kwargs)

    return run


def test_a_resolved_ticket_has_its_figures(
    desk, sla, frozen, analyst, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    ticket = _story(desk, frozen, run)
    fact = TicketFact.objects.get(pk=ticket.pk)
    assert fact.first_response_minutes == 30 and fact.first_response_business == 30
    assert fact.resolve_minutes == 25 * 60 and fact.resolve_business == 9 * 60
    assert (fact.sla_response_met, fact.sla_resolution_met, fact.ola_met) == (True, False, False)
    assert (fact.hops, fact.escalated, fact.reopen_count, fact.first_contact) == (1, True, 0, False)
    assert fact.group_id == desk.network_hel.pk and fact.status_category == "resolved"
    result = compute(analyst, "sla_resolution_met", MARCH)
    assert (result.total.value, result.total.count, result.total.target) == (0.0, 1, 95.0)
    assert compute(analyst, "resolve_time", MARCH, clock="calendar").total.count == 1
    by_group = compute(analyst, "resolve_time", MARCH, "group", statistic="mean")
    assert [(r.label, r.value) for r in by_group.rows] == [("Network Helsinki", 540.0)]


def test_a_survey_answer_and_a_reopen_refresh_the_figures(
    desk, sla, frozen, analyst, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    ticket = _story(desk, frozen, run)
    response = SurveyResponse.objects.get(ticket=ticket, cycle=1)  # asked on resolve
    response.score, response.answered_at = 4, hel(4, 12)
    response.save()
    with django_capture_on_commit_callbacks(execute=True):
        answered.send(sender=SurveyResponse, response=response)
    assert TicketFact.objects.get(pk=ticket.pk).satisfaction == 4
    assert compute(analyst, "satisfaction", MARCH).total.value == 4.0
    frozen.at(hel(5, 9))
    run(services.reopen_ticket, desk.requester, ticket, reason="Still broken")
    fact = TicketFact.objects.get(pk=ticket.pk)
    assert (fact.reopen_count, fact.resolved_at, fact.resolved_day) == (1, None, None)
    assert fact.first_resolved_at == hel(4, 10)
    backlog = compute(analyst, "backlog", MARCH)
    assert backlog.total.value == 1
    assert list(tickets_behind(analyst, "backlog", MARCH)) == [ticket]
    by_day = compute(
        analyst, "backlog", Filters(start=date(2025, 3, 2), end=date(2025, 3, 5)), "day"
    )
    assert [r.value for r in by_day.rows] == [0, 1, 1, 1]  # open from registration (see docs)


def test_a_quick_call_at_the_desk_is_a_first_contact_resolution(
    desk, frozen, analyst, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    ticket = run(services.create_ticket, desk.operator, title="Password", requester=desk.requester)
    frozen.tick(minutes=10)
    run(services.resolve_ticket, desk.operator, ticket, code=ResolutionCode.SOLVED)
    slow = run(services.create_ticket, desk.operator, title="Printer", requester=desk.requester)
    frozen.tick(minutes=45)
    run(services.resolve_ticket, desk.operator, slow, code=ResolutionCode.SOLVED)
    assert TicketFact.objects.get(pk=ticket.pk).first_contact
    assert not TicketFact.objects.get(pk=slow.pk).first_contact
    assert compute(analyst, "first_contact_resolution", MARCH).total.value == 50.0


def test_rebuild_recomputes_the_same_rows_and_twice_changes_nothing(
    desk, sla, frozen, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    ticket = _story(desk, frozen, run)
    kept = TicketFact.objects.filter(pk=ticket.pk).values().get()
    TicketFact.objects.all().delete()
    call_command("reports", "rebuild", verbosity=0)
    call_command("reports", "rebuild", "--since", "2025-03-01", verbosity=0)
    assert facts.refresh([ticket.pk, 999999]) == 1
    again = TicketFact.objects.filter(pk=ticket.pk).values().get()
    assert {k: v for k, v in again.items() if k != "refreshed_at"} == {
        k: v for k, v in kept.items() if k != "refreshed_at"
    }


def test_clocks_recomputed_without_an_event_refresh_their_facts(
    desk, sla, frozen, django_capture_on_commit_callbacks
):
    from tuki.reports import tasks
    from tuki.sla.models import SlaClock

    run = _runner(django_capture_on_commit_callbacks)
    ticket = run(services.create_ticket, desk.operator, title="VPN", requester=desk.requester)
    assert tasks.refresh_recomputed_clocks() == 0
    frozen.tick(minutes=5)
    SlaClock.objects.filter(ticket=ticket).update(updated_at=frozen.now, state="breached")
    assert tasks.refresh_recomputed_clocks() == 1  # the immediate backend runs it at once
    assert TicketFact.objects.get(pk=ticket.pk).sla_response_met is False
    assert tasks.refresh_recomputed_clocks() == 0


def test_compare_puts_each_month_beside_the_month_before(
    desk, frozen, analyst, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    for day in (3, 4):
        frozen.at(hel(day, 12))
        run(services.create_ticket, desk.operator, title="March", requester=desk.requester)
    frozen.at(hel(3, 12).replace(month=2))
    run(services.create_ticket, desk.operator, title="February", requester=desk.requester)
    result = compute(analyst, "volume", MARCH, "month", compare=True)
    assert (result.total.value, result.total.previous) == (2, 1)
    assert [(r.key, r.value, r.previous) for r in result.rows] == [("2025-03-01", 2, 1)]
    by_channel = compute(analyst, "volume", MARCH, "channel", compare=True)
    assert [(r.key, r.value, r.previous) for r in by_channel.rows] == [("web", 2, 1)]


def test_the_summary_equals_each_indicator_computed_alone(
    desk, sla, frozen, analyst, django_capture_on_commit_callbacks
):
    run = _runner(django_capture_on_commit_callbacks)
    _story(desk, frozen, run)
    frozen.at(hel(20, 9))
    quick = run(services.create_ticket, desk.operator, title="Quick", requester=desk.requester)
    frozen.tick(minutes=5)
    run(services.resolve_ticket, desk.operator, quick, code=ResolutionCode.FIRST_CONTACT)
    period = Filters(start=date(2025, 3, 16), end=date(2025, 4, 14))  # the previous: Feb 14-Mar 15
    for result in summary(analyst, period, compare=True):
        alone = compute(analyst, result.indicator.code, period, compare=True)
        assert (result.total.value, result.total.count, result.total.previous) == (
            alone.total.value,
            alone.total.count,
            alone.total.previous,
        ), result.indicator.code


def test_the_met_indicators_compare_with_the_agreed_target(
    desk, sla, frozen, analyst, settings, django_capture_on_commit_callbacks
):
    from tuki.sla.models import Agreement

    run = _runner(django_capture_on_commit_callbacks)
    _story(desk, frozen, run)
    settings.SLA_TARGET_PERCENT = 90.0
    assert compute(analyst, "sla_resolution_met", MARCH).total.target == 90.0
    assert compute(analyst, "volume", MARCH).total.target is None
    acme = Agreement.objects.create(name="Acme gold", organisation=desk.acme, target_percent=99.5)
    Agreement.objects.create(name="Globex", organisation=desk.globex)
    only_acme = Filters(start=MARCH.start, end=MARCH.end, organisations=(desk.acme.pk,))
    assert compute(analyst, "sla_resolution_met", only_acme).total.target == 99.5
    by = compute(analyst, "sla_response_met", MARCH, "agreement")
    assert by.rows and all(r.target == (99.5 if r.key == str(acme.pk) else 90.0) for r in by.rows)
    one = Filters(start=MARCH.start, end=MARCH.end, agreements=(acme.pk,))
    assert compute(analyst, "ola_met", one).total.target == 99.5
