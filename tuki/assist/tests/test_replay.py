"""The UCI replay (tuki/bench/assist_replay.py) on a slice of the log, and its skip."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tuki.bench import assist_replay
from tuki.bench.options import Options, Run

LOG = assist_replay.log_path()


def test_without_the_log_the_replay_says_so_and_measures_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(assist_replay.ENV, str(tmp_path / "absent.zip"))
    run = Run(Options())
    lines: list[str] = []
    assert assist_replay.measure(run, lines.append) is None
    assert "skipped" in lines[0] and assist_replay.ENV in lines[0]
    assert run.figures == []


@pytest.mark.skipif(LOG is None, reason="no UCI incident event log (TUKI_UCI_LOG)")
def test_a_slice_of_the_log_replays_in_time_order() -> None:
    assert LOG is not None
    # Every fifth of the first 12,000 incidents: March and April, a model for April.
    incidents = assist_replay.load_incidents(LOG, limit=12_000)[::5]
    assert incidents == sorted(incidents, key=lambda i: (i.opened, i.number))
    result = assist_replay.replay(incidents, min_past=200)
    assert result.months >= 1 and result.incidents > 100
    assert 0.0 < result.top1 <= result.top3 <= 1.0
    assert 0.0 < result.baseline_top1 < 1.0
    assert result.reassignments_saved <= result.reassigned_first_wrong
    for month in result.per_month:
        assert int(month["trained_on"]) >= 200  # type: ignore[call-overload]


@pytest.mark.skipif(LOG is None, reason="no UCI incident event log (TUKI_UCI_LOG)")
def test_the_first_event_row_gives_the_features_and_never_the_group() -> None:
    assert LOG is not None
    incident = assist_replay.load_incidents(LOG, limit=1)[0]
    assert set(incident.fields) == set(assist_replay.FEATURES)
    assert "assignment_group" not in incident.fields


@pytest.mark.django_db
def test_tuki_bench_names_the_replay_and_records_its_skip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("bench", "--list", stdout=out)
    assert assist_replay.NAME in out.getvalue().split()
    monkeypatch.setenv(assist_replay.ENV, str(tmp_path / "absent.zip"))
    out = io.StringIO()
    call_command("bench", assist_replay.NAME, "--output", str(tmp_path), stdout=out)
    assert "skipped: no UCI incident event log" in out.getvalue()
    (written,) = tmp_path.glob("*.json")
    record = json.loads(written.read_text())
    assert record["data"][assist_replay.NAME] == {"skipped": "no UCI incident event log"}
