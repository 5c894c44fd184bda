"""The one way a test checks how many SQL queries a page (or a call) runs.

    with query_budget(12):
        client.get("/macros/")

fails when the block runs more than 12 queries, and the failure lists every query, numbered,
so the one that crept in is found at a glance. `exact=True` fails on fewer as well (for the
budgets that are counted to the query). A page whose budget must not grow with its rows is
measured twice, with few rows and with many, and the two compared:

    with query_budget(QUEUE_QUERIES) as few:
        client.get(URL)
    make_tickets(desk, 27)
    with query_budget(QUEUE_QUERIES) as many:
        client.get(URL)
    assert_same_count(few, many)

Only tests import this module (docs/development/testing.md, "Query budgets").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.test.utils import CaptureQueriesContext


class Queries:
    """The queries a `query_budget` block ran; live while the block runs."""

    def __init__(self, context: CaptureQueriesContext) -> None:
        self._context = context

    @property
    def sql(self) -> list[str]:
        return [query["sql"] for query in self._context.captured_queries]

    def __len__(self) -> int:
        return len(self._context.captured_queries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._context.captured_queries)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._context.captured_queries[index]

    def listing(self) -> str:
        return "\n".join(f"{n:3}. {sql}" for n, sql in enumerate(self.sql, start=1))


@contextmanager
def query_budget(
    budget: int | None = None, *, exact: bool = False, using: str = "default"
) -> Iterator[Queries]:
    """Capture the block's queries; fail, listing them, when there are more than `budget`
    (or, with `exact`, any other number). Without a budget it only captures."""
    with CaptureQueriesContext(connections[using]) as context:
        queries = Queries(context)
        yield queries
    if budget is None:
        return
    if len(queries) > budget or (exact and len(queries) != budget):
        expected = f"exactly {budget}" if exact else f"at most {budget}"
        raise AssertionError(
            f"{len(queries)} queries ran, the budget is {expected}:\n{queries.listing()}"
        )


def assert_same_count(few: Queries, many: Queries) -> None:
    """The same page with more rows ran no more queries; on failure, both lists."""
    if len(many) != len(few):
        raise AssertionError(
            f"the query count grew with the rows: {len(few)} -> {len(many)}\n"
            f"with few rows:\n{few.listing()}\nwith many rows:\n{many.listing()}"
        )
