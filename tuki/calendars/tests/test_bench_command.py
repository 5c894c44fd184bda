"""`tuki bench`: it runs and reports; the numbers themselves are never asserted."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.bench


def test_calendar_benchmark_prints_rates() -> None:
    out = StringIO()
    call_command("bench", "sla_calendar", "--seconds", "0.001", stdout=out)
    lines = out.getvalue().splitlines()
    for label in ("deadline 4 h, warm", "deadline 3 days, cold", "elapsed 30 days, warm"):
        assert any(label in line and line.endswith("/s") for line in lines), lines


def test_list_names_the_benchmarks() -> None:
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    assert "sla_calendar" in out.getvalue().split()


def test_unknown_benchmark_is_an_error() -> None:
    with pytest.raises(CommandError, match="sla_calendar"):
        call_command("bench", "nonesuch")
