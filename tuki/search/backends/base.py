"""What a database backend gives the engine (engine.py): the plans that match a query, the
SQL that returns a hit's title and snippet, and the upkeep of its own index beside
SearchEntry. One module per database (sqlite.py, postgres.py) provides these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tuki.search.models import SearchEntry

COUNT_CAP = 1000  # counts stop here ("1,000+")
# Ranking reads every candidate's row; a query matching more documents of a kind than this
# ranks the first RANK_CAP the index yields (such a query needs more words anyway). The
# total comes from the same candidates, so this is at least COUNT_CAP. At a million
# tickets each candidate costs a heap row and an access check: 10,000 took half a second.
RANK_CAP = COUNT_CAP


@dataclass
class Plan:
    match_sql: str
    match_params: list[Any]
    rank_sql: str
    rank_params: list[Any]
    source_sql: str  # FROM clause naming the entries `e`
    source_params: list[Any]
    count_source_sql: str  # the same without ranking work
    count_source_params: list[Any]
    # Accept this plan's answer only when it found at least this many objects; otherwise
    # the next plan runs (0: any answer). See postgres.plans.
    enough: int = 0
    # > 0: read only the first `window` entries of each kind, in table order, without the
    # index (PostgreSQL; `vector` names the column matched). See postgres.plans.
    window: int = 0
    vector: str = ""


@dataclass
class Texts:
    """How the page statement returns each hit's title and snippet text."""

    sql: str  # two columns, from the entry `s`
    params: list[Any]
    marked: bool  # True: the database highlighted them (MARK_ON/MARK_OFF); else raw text


def plain_texts(public_only: bool) -> Texts:
    """The stored title and text, unhighlighted: the engine highlights them itself."""
    text = "coalesce(s.public_body, s.body)" if public_only else "s.body"
    return Texts(f"s.title, {text}", [], marked=False)


class Backend(Protocol):
    """The functions each backend module defines."""

    def plans(
        self,
        tokens: list[str],
        language: str | None,
        public_only: bool,
        any_word: bool,
        few_allowed: bool,
    ) -> list[Plan | None]:
        """The plans to try in order: the first whose answer is `enough` is taken."""

    def texts(
        self, tokens: list[str], language: str | None, public_only: bool, any_word: bool
    ) -> Texts:
        """How the page statement returns each hit's title and snippet text."""

    def deleted(self, ids: list[int]) -> None:
        """SearchEntry rows with these ids are being deleted."""

    def written(self, kind: str, entries: Sequence[SearchEntry]) -> None:
        """These SearchEntry rows were just created."""

    def rebuilt(self) -> None:
        """A whole kind was replaced."""
