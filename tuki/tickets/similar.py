"""Open tickets of a caller whose title looks like a new call's (Log a call's warning).

Titles are compared by their words' stems (Snowball, the stemmers the search app uses): a
ticket is similar when at least half of the shorter title's words are shared.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import snowballstemmer

from tuki.tickets.choices import ACTIVE_CATEGORIES
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

WORD = re.compile(r"\w{3,}")
STEMMERS = {"en": "english", "ro": "romanian", "fi": "finnish"}
STOP = {"the", "and", "for", "not", "with", "does", "cannot", "can't", "nu", "cu", "pentru", "ei"}
LIMIT = 3


@lru_cache(maxsize=4)
def _stemmer(name: str) -> Any:
    return snowballstemmer.stemmer(name)


def stems(text: str, language: str = "en") -> set[str]:
    stemmer = _stemmer(STEMMERS.get(language[:2], "english"))
    return {stemmer.stemWord(w) for w in WORD.findall(text.casefold()) if w not in STOP}


def is_similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) * 2 >= min(len(a), len(b))


def similar_open(user: User, caller: User | None, title: str, language: str = "en") -> list[Ticket]:
    """The caller's open tickets, visible to the operator, with a similar title (one query)."""
    wanted = stems(title, language)
    if caller is None or not wanted:
        return []
    candidates = (
        Ticket.objects.visible_to(user)
        .filter(requester=caller, status__category__in=ACTIVE_CATEGORIES, merged_into=None)
        .select_related("status")
        .order_by("-updated_at")[:50]
    )
    found = [t for t in candidates if is_similar(wanted, stems(t.title, language))]
    return found[:LIMIT]
