"""Rates and durations of a real desk, from the UCI incident log (see derive_uci.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROFILE: dict[str, Any] = json.loads(Path(__file__).with_name("uci_profile.json").read_text())
# At 1 % (the log's rate) 200 tickets would show two reopenings; the demo wants a few more.
REOPEN_RATE: float = max(PROFILE["reopened"], 0.05)
WAIT_RATE: float = PROFILE["waited_for_user"]
RESOLUTION_CUTS: list[float] = [0.03, *PROFILE["resolution_hours_vigintiles"], 900.0]
