"""The rows change management starts with (migration 0003, and tests after a flush):
the moves a standard change needs and the risk questionnaire.

Question texts and answer labels are stored in English and shown translated (gettext at
display time); `gettext_noop` marks them for the catalogs.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

# A standard change comes from an approved template: it goes to Scheduled without a CAB.
STANDARD_MOVES = {"new": ["scheduled"], "assigned": ["scheduled"]}

_NO, _YES = gettext_noop("No"), gettext_noop("Yes")

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "outage",
        "text": gettext_noop("Does the change need an outage of a service?"),
        "answers": [
            {"key": "none", "label": gettext_noop("No outage"), "risk": 1},
            {"key": "partial", "label": gettext_noop("A partial or short outage"), "risk": 2},
            {"key": "full", "label": gettext_noop("A full outage"), "risk": 3},
        ],
    },
    {
        "key": "tested",
        "text": gettext_noop("Was the change tested in a test environment?"),
        "answers": [
            {"key": "yes", "label": _YES, "risk": 1},
            {"key": "partly", "label": gettext_noop("Partly"), "risk": 2},
            {"key": "no", "label": _NO, "risk": 3},
        ],
    },
    {
        "key": "backout",
        "text": gettext_noop("Can the change be backed out?"),
        "answers": [
            {"key": "easily", "label": gettext_noop("Yes, quickly"), "risk": 1},
            {"key": "hard", "label": gettext_noop("Yes, with effort"), "risk": 2},
            {"key": "no", "label": _NO, "risk": 4},
        ],
    },
    {
        "key": "done_before",
        "text": gettext_noop("Has this kind of change been done here before?"),
        "answers": [
            {"key": "often", "label": gettext_noop("Often"), "risk": 1},
            {"key": "once", "label": gettext_noop("Once or twice"), "risk": 2},
            {"key": "never", "label": gettext_noop("Never"), "risk": 3},
        ],
    },
    {
        "key": "users",
        "text": gettext_noop("How many users could notice the change?"),
        "answers": [
            {"key": "few", "label": gettext_noop("A few"), "risk": 1},
            {"key": "department", "label": gettext_noop("A department"), "risk": 2},
            {"key": "everyone", "label": gettext_noop("Everyone, or customers"), "risk": 3},
        ],
    },
]


def seed_transitions(Status: Any, Transition: Any) -> None:
    """Idempotent: get_or_create the standard change's moves for kind "change"."""
    keys = set(STANDARD_MOVES) | {t for targets in STANDARD_MOVES.values() for t in targets}
    by_key = {s.key: s for s in Status.objects.filter(key__in=keys)}
    for source, targets in STANDARD_MOVES.items():
        for target in targets:
            if source in by_key and target in by_key:
                Transition.objects.get_or_create(
                    kind="change", from_status=by_key[source], to_status=by_key[target]
                )


def seed_questions(RiskQuestion: Any) -> None:
    """Idempotent: the questionnaire's questions, in order, left as they are if there."""
    for order, question in enumerate(QUESTIONS, start=1):
        RiskQuestion.objects.get_or_create(
            key=question["key"],
            defaults={"text": question["text"], "answers": question["answers"], "order": order},
        )
