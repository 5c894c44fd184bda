"""`tuki bench sla_recompute` runs end to end on a few tickets (numbers never asserted).

In a subprocess: the benchmark makes and drops its own scratch database, which must not
disturb this test session's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[3]


def test_the_recompute_benchmark_runs_in_its_own_database(subprocess_env):
    env = {**subprocess_env, "TUKI_BENCH_SLA_TICKETS": "25"}
    result = subprocess.run(
        [sys.executable, "-m", "tuki", "bench", "sla_recompute"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "recompute after the calendar change" in result.stdout
    assert "open tickets" in result.stdout and "25.0" in result.stdout
