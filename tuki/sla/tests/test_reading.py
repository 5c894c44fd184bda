"""One clock, one reading: the queue, the ticket page, the clocks API and the SLA mails say
the same words for the same clock — the measure, labelled, with the deadline — and business
durations count business days of the clock's calendar."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tuki.calendars.models import Calendar
from tuki.notifications import receivers
from tuki.notifications.models import Notification
from tuki.sla.models import ClockChange, ClockState, Metric, SlaClock
from tuki.sla.reading import BUSINESS, CALENDAR, amount, day_minutes, read_clock
from tuki.sla.services import fire_timer
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.models import Channel, Ticket
from tuki.tickets.tests.test_views_call import call

pytestmark = pytest.mark.django_db

QUEUE = "/desk/tickets/"
READING = re.compile(
    r'<span class="badge text-bg-(\w+) ws-sla"><i class="bi bi-[\w-]+"></i> ([^<]*)</span>'
    r' <(?:time|span) class="small text-nowrap ws-sla-due"[^>]*>([^<]*)<'
)


def page(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


def readings(html: str) -> list[tuple[str, str, str]]:
    """(tone, text, due) of every clock reading on a page."""
    return READING.findall(html)


def queue_row(html: str, ticket: Ticket) -> str:
    start = html.index(f">{ticket.number}<")
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


@pytest.fixture
def ticket(desk, sla, frozen):
    return services.create_ticket(
        desk.operator, title="VPN", requester=desk.requester, group=desk.network_hel
    )


class TestSameWordsEverywhere:
    def test_the_queue_shows_what_the_ticket_page_shows_for_its_most_urgent_clock(
        self, desk, ticket, frozen
    ):
        frozen.at(hel(3, 9, 50))
        client = desk.client_for(desk.operator)
        (in_queue,) = readings(queue_row(client.get(QUEUE).content.decode(), ticket))
        on_page = readings(client.get(page(ticket)).content.decode())
        # First response (1 h from 09:00) is the most urgent: 10 min left, past its warning.
        assert in_queue == ("warning", "10 min business time left", "due 3 Mar 2025, 08:00")
        assert in_queue in on_page
        clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
        reading = read_clock(clock, hel(3, 9, 50))
        assert (reading.tone, reading.text, reading.due) == in_queue

    def test_a_later_clock_reads_the_same_too(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 20))
        services.add_comment(desk.operator, ticket, "Looking at it", internal=False)
        frozen.at(hel(4, 9))  # Tuesday: the group's 4 h (OLA) ran out on Monday at 13:00
        client = desk.client_for(desk.operator)
        (in_queue,) = readings(queue_row(client.get(QUEUE).content.decode(), ticket))
        assert in_queue == ("danger", "overdue by 4 h business time", "was due 3 Mar 2025, 11:00")
        assert in_queue in readings(client.get(page(ticket)).content.decode())

    def test_a_paused_clock_reads_the_same_and_has_no_deadline(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 30))
        services.change_status(desk.operator, ticket, "pending_customer")
        frozen.at(hel(5, 12))
        client = desk.client_for(desk.operator)
        (in_queue,) = readings(queue_row(client.get(QUEUE).content.decode(), ticket))
        expected = (
            "secondary",
            "paused with 30 min business time left",
            "no deadline while paused",
        )
        assert in_queue == expected
        assert in_queue in readings(client.get(page(ticket)).content.decode())

    def test_the_clocks_api_gives_the_same_reading(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 50))
        body = desk.client_for(desk.operator).get(f"/api/v1/sla/tickets/{ticket.number}/clocks")
        first = next(c for c in body.json() if c["metric"] == "first_response")
        assert first["status"] == "10 min business time left"
        assert first["reading"] == "10 min business time left · due 3 Mar 2025, 08:00"
        assert (first["measure"], first["minutes"]) == ("business", 10.0)


class TestBusinessDays:
    def test_ten_business_hours_on_an_eight_hour_calendar_are_a_day_and_two_hours(
        self, desk, sla, frozen
    ):
        sla.policy.targets.update(resolution_minutes=600)
        ticket = services.create_ticket(desk.operator, title="Slow", requester=desk.requester)
        html = desk.client_for(desk.operator).get(page(ticket)).content.decode()
        # Monday 09:00 + 10 business hours (08-16) = Tuesday 11:00 Helsinki.
        assert ("success", "1 business day 2 h left", "due 4 Mar 2025, 09:00") in (readings(html))
        assert "Target: 1 business day 2 h of business time." in html

    def test_the_business_day_is_the_calendars_usual_working_day(self, sla):
        assert day_minutes(sla.office.schedule()) == 8 * 60
        friday_short = Calendar(
            name="Short Fridays",
            time_zone="Europe/Helsinki",
            week={
                **{day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu")},
                "fri": [["08:00", "12:00"]],
            },
        )
        assert day_minutes(friday_short.schedule()) == 8 * 60
        night = Calendar(name="Nights", time_zone="UTC", week={"mon": [["22:00", "06:00"]]})
        assert day_minutes(night.schedule()) == 8 * 60
        assert day_minutes(Calendar(name="24×7", always_open=True).schedule()) == 24 * 60

    def test_amounts_have_plurals_and_their_measure(self):
        assert amount(600, BUSINESS, 480) == "1 business day 2 h"
        assert amount(960, BUSINESS, 480) == "2 business days"
        assert amount(45, BUSINESS, 480) == "45 min"
        assert amount(29 * 60, CALENDAR) == "1 day 5 h"
        assert amount(250) == "4 h 10 min"
        with translation.override("fi"):
            assert amount(960, BUSINESS, 480) == "2 työpäivää"
        with translation.override("ro"):
            assert amount(480, BUSINESS, 480) == "1 zi lucrătoare"

    def test_a_24x7_calendar_counts_calendar_time_and_says_so(self, desk, sla, frozen):
        sla.office.always_open = True
        sla.office.save()
        ticket = services.create_ticket(desk.operator, title="Always", requester=desk.requester)
        clock = SlaClock.objects.select_related("calendar").get(
            ticket=ticket, metric=Metric.RESOLUTION
        )
        reading = read_clock(clock, hel(3, 9))
        assert reading.measure == CALENDAR
        assert reading.text == "8 h calendar time left"


class TestAnsweredOnTheCall:
    def test_a_phone_call_is_the_first_response(self, desk, sla, frozen):
        response = call(desk)
        assert response.status_code == 302
        ticket = Ticket.objects.get()
        assert ticket.channel == Channel.PHONE
        assert ticket.first_response_at == ticket.created_at
        clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
        assert clock.state == ClockState.MET and clock.stopped_at == ticket.created_at
        met = clock.logs.get(what=ClockChange.MET)
        assert met.why == "answered_live"
        # The resolution clock runs as usual.
        resolution = SlaClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)
        assert resolution.state == ClockState.RUNNING
        html = desk.client_for(desk.operator).get(page(ticket)).content.decode()
        assert "Met: the requester was answered on the call that registered the ticket." in html
        assert "this conversation is the first response." in html  # the timeline says why

    def test_a_ticket_registered_otherwise_waits_for_its_first_response(self, desk, sla, frozen):
        for channel in (Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.API):
            ticket = services.create_ticket(
                desk.operator, title="x", requester=desk.requester, channel=channel
            )
            assert ticket.first_response_at is None
            clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
            assert clock.state == ClockState.RUNNING

    @pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.WEB, Channel.API, Channel.CHAT])
    def test_only_a_call_is_answered_at_registration(self, desk, sla, channel):
        with pytest.raises(services.ServiceError) as error:
            services.create_ticket(
                desk.operator,
                title="x",
                requester=desk.requester,
                channel=channel,
                answered_live=True,
            )
        assert error.value.field == "channel"
        assert not Ticket.objects.exists()

    def test_a_requester_cannot_claim_an_answer(self, desk, sla):
        with pytest.raises(PermissionDenied):
            services.create_ticket(
                desk.requester,
                title="x",
                requester=desk.requester,
                channel=Channel.PHONE,
                answered_live=True,
            )


class TestMails:
    def test_an_sla_breach_mail_reads_the_clock_like_the_pages(
        self, desk, ticket, frozen, django_capture_on_commit_callbacks
    ):
        desk.lead.time_zone = "Europe/Helsinki"
        desk.lead.save()
        clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
        breach = clock.timers.get(percent=100)
        frozen.at(hel(3, 10, 30))
        mail.outbox.clear()
        receivers.forget_pending()
        with django_capture_on_commit_callbacks(execute=True):
            assert fire_timer(breach.pk, now=hel(3, 10, 30)) == "fired"
        with translation.override("en"):
            expected = "overdue by 30 min business time · was due 3 Mar 2025, 10:00"
        note = Notification.objects.get(recipient=desk.lead, kind="sla_breach")
        assert note.text.endswith(" — " + expected)  # in the lead's time zone
        (message,) = [m for m in mail.outbox if "lead@tuki.test" in m.to]
        assert expected in message.body
