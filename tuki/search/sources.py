"""Kinds of documents another app owns, as the search pages need them.

The search app indexes tickets itself (documents.py) and filters them with the ticket app's
access rules. Knowledge articles belong to the knowledge app, which uses this app's engine
to index and find them (knowledge/search.py): the dependency runs one way, knowledge →
search. So that search never imports knowledge, the knowledge app registers here, in its
AppConfig.ready(), a `Source` with what the search pages need to rebuild, find, show and
open its articles. A kind nobody registered is simply not searched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db.models import QuerySet

from tuki.search.engine import Document


class Found(Protocol):
    """What the search pages read of an object a source loads (the templates read more)."""

    @property
    def pk(self) -> Any: ...

    @property
    def number(self) -> str: ...


class Source(Protocol):
    kind: str

    def documents(self) -> Iterable[Document]:
        """Every document of the kind, for a full rebuild of the index."""

    def visible_to(self, user: Any, *, published_only: bool) -> QuerySet[Any]:
        """The objects this user may find (`published_only`: as requesters see them)."""

    def load(self, ids: list[int]) -> Mapping[int, Found]:
        """The objects behind the hits, by id (the ones that still exist)."""

    def url(self, pk: int, language: str = "") -> str:
        """The object's page, in the language that matched."""

    def get_for_user(self, user: Any, pk: int) -> Any:
        """One object this user may read; Http404 otherwise."""

    def translation(self, obj: Any, language: str | None) -> Any:
        """What to show of the object in this language."""


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    _sources[source.kind] = source


def get(kind: str) -> Source | None:
    return _sources.get(kind)
