"""The demo's requesters answer part of the satisfaction surveys their resolutions asked.

The history runs with real time and is moved back afterwards (timeline.py), which leaves a
survey's answer no moment of its own inside the history; so the answers are written here
once the history is in place, each a while after its survey was sent and never after now,
as the row and timeline event the surveys app records (tuki/surveys/services.py `answer`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tuki.surveys.models import SurveyResponse
from tuki.tickets.choices import EventAction
from tuki.tickets.models import Ticket, TicketEvent

ANSWERED_SHARE = 0.45  # of the surveys sent, about the share requesters answer
SCORES = [5, 4, 3, 2, 1]
WEIGHTS = [45, 30, 12, 8, 5]
COMMENTED_SHARE = 0.35
COMMENTS = {
    "en": {
        "good": ["Quick and friendly, thank you!", "Solved on the first try."],
        "poor": ["It took days before anyone answered.", "I had to explain it three times."],
    },
    "fi": {
        "good": [
            "Nopeaa ja ystävällistä palvelua, kiitos!",
            "Ratkesi heti ensimmäisellä kerralla.",
        ],
        "poor": ["Vastausta sai odottaa päiviä.", "Jouduin selittämään asian kolme kertaa."],
    },
    "ro": {
        "good": ["Rapid și amabil, mulțumesc!", "Rezolvat din prima încercare."],
        "poor": ["Au trecut zile până a răspuns cineva.", "A trebuit să explic de trei ori."],
    },
}


def answer_some(rnd: random.Random, now: datetime) -> int:
    """Answer about ANSWERED_SHARE of the open surveys; how many were answered."""
    answered = 0
    open_surveys = SurveyResponse.objects.filter(answered_at__isnull=True).select_related(
        "requester"
    )
    for response in open_surveys.order_by("id"):
        if rnd.random() > ANSWERED_SHARE:
            continue
        score = rnd.choices(SCORES, WEIGHTS)[0]
        at = min(now, response.sent_at + timedelta(minutes=rnd.randint(15, 36 * 60)))
        comment = ""
        if rnd.random() < COMMENTED_SHARE:
            texts = COMMENTS.get(response.requester.language, COMMENTS["en"])
            comment = rnd.choice(texts["good" if score >= 4 else "poor"])
        SurveyResponse.objects.filter(pk=response.pk).update(
            score=score, comment=comment, answered_at=at
        )
        TicketEvent.objects.create(
            ticket_id=response.ticket_id,
            actor=response.requester,
            action=EventAction.SURVEY_ANSWERED,
            field="survey_score",
            new_value=str(score),
            created_at=at,
        )
        # An answer is a change of the ticket: its last update is never before it.
        Ticket.objects.filter(pk=response.ticket_id, updated_at__lt=at).update(updated_at=at)
        answered += 1
    return answered
