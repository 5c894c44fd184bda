"""A task for the worker tests: it does nothing but return what it is given."""

from __future__ import annotations

from django_tasks import task


@task()
def echo(value: str) -> str:
    return value
