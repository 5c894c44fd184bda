"""Fixtures for the automation tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from tuki.automation.engine import Batch


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what a service call left for after commit (the rules' pass), as a real commit would."""

    @contextmanager
    def run() -> Iterator[None]:
        # Fixtures' changes were never "committed" (the test's transaction holds them): their
        # batch stays behind, and this call's events must not join it.
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, Batch):
                func.started = True
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run
