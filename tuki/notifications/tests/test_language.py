"""A ticket's history and the notifications about it speak the reader's language, also where
the words were written by code in another language's request (tickets/reasons.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tuki.notifications.models import Notification
from tuki.tickets import reasons, services

RESOLUTION = "Restarted the concentrator."
# What the story below makes Tuki write in English: not one may reach a Finn or a Romanian.
ENGLISH = [
    "Resolution confirmed",
    "The requester replied",
    "changed the status",
    "recorded the resolution",
    "registered the ticket",
    "escalated the ticket",
    "Waiting for customer",
    "In progress",
    "Resolved",
    "Closed",
    "Solved",
    " ago",
    "watchers",
]


def english_in(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if phrase in text]


@pytest.fixture
def story(desk, escalated, committed):
    """The lead watches; the desk waits for the requester, who replies; the desk resolves and
    the requester confirms. Everyone acts in their own language, the requester in English."""
    committed(services.add_watchers, desk.lead, escalated, [desk.lead])
    committed(services.change_status, desk.operator, escalated, "pending_customer")
    with translation.override("en"):
        committed(services.add_comment, desk.requester, escalated, "It drops again.")
    committed(
        services.resolve_ticket, desk.operator, escalated, code="solved", resolution=RESOLUTION
    )
    with translation.override("en"):
        committed(services.close_ticket, desk.requester, escalated)
    return escalated


def timeline_for(desk, ticket, lang: str) -> str:
    desk.lead.language = lang
    desk.lead.save(update_fields=["language"])
    response = desk.client_for(desk.lead).get(reverse("tickets:timeline", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_in_english_the_story_has_those_words(desk, story):
    """The check below would see English: here it is."""
    assert len(english_in(timeline_for(desk, story, "en"))) > 5


@pytest.mark.parametrize("lang", ["fi", "ro"])
def test_the_timeline_speaks_the_readers_language(desk, story, lang):
    html = timeline_for(desk, story, lang)
    assert english_in(html) == []
    with translation.override(lang):
        assert translation.gettext(reasons.RESOLUTION_CONFIRMED) in html
        assert translation.gettext(reasons.REQUESTER_REPLIED) in html


def test_a_resolution_text_is_shown_once_in_the_timeline(desk, story):
    assert timeline_for(desk, story, "en").count(RESOLUTION) == 1


@pytest.mark.parametrize("lang", ["fi", "ro"])
def test_notifications_speak_the_recipients_language(desk, escalated, committed, lang):
    desk.lead.language = lang
    desk.lead.save(update_fields=["language"])
    committed(services.add_watchers, desk.lead, escalated, [desk.lead])
    committed(services.change_status, desk.operator, escalated, "pending_customer")
    committed(services.resolve_ticket, desk.operator, escalated, code="solved", resolution="x")
    texts = list(Notification.objects.filter(recipient=desk.lead).values_list("text", flat=True))
    assert len(texts) >= 2
    assert [english_in(text) for text in texts] == [[] for _text in texts]


@pytest.mark.parametrize("lang", ["fi", "ro"])
def test_reasons_with_parameters_are_translated_with_them(lang):
    stored = reasons.english(reasons.LEFT_STATUS, status="Awaiting approval")
    named = reasons.english(reasons.APPROVAL_REQUESTED, name="Laptop budget")
    with translation.override(lang):
        left = reasons.shown(stored)
        requested = reasons.shown(named)
        assert left == translation.gettext(reasons.LEFT_STATUS) % {
            "status": translation.gettext("Awaiting approval")
        }
        assert "Laptop budget" in requested and not re.search(r"Approval requested", requested)
    assert "Awaiting approval" not in left
    # A reason a person typed is shown as typed.
    assert reasons.shown("Needs the network team") == "Needs the network team"
