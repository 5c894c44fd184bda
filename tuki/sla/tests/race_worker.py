"""One worker of test_two_workers.py: wait for the start signal, fire every timer given.

Usage: python -m tuki.sla.tests.race_worker START_EPOCH NOW_ISO TIMER_ID...
Prints {timer_id: result} as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.sla.tests.race_settings")
    import django

    django.setup()
    from tuki.sla.services import fire_timer

    start, now, ids = float(argv[0]), datetime.fromisoformat(argv[1]), [int(i) for i in argv[2:]]
    time.sleep(max(0.0, start - time.monotonic()))  # both workers begin at the same instant
    results = {timer_id: fire_timer(timer_id, now=now) for timer_id in ids}
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
