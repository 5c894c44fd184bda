"""Tasks for the worker tests: they do nothing but return what they are given."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tuki.lib import taskqueue


@task()
def echo(value: str) -> str:
    return value


CALLS: list[list[str]] = []  # each bulk call's values, for the tests to read


def _echo_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[str]:
    values = [args[0] for args, _kwargs in calls]
    if "bad" in values:
        raise ValueError("a bad value in the batch")
    CALLS.append(values)
    return [v.upper() for v in values]


@task()
@taskqueue.batched(_echo_together, size=3)
def shout(value: str) -> str:
    """Batched: its bulk call upper-cases all; alone it fails on 'bad' only."""
    if value == "bad":
        raise ValueError("bad")
    return value.upper()
