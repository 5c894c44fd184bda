"""One worker of test_two_workers.py: wait for the start signal, auto-assign every ticket.

Usage: python -m tuki.routing.tests.race_worker OUT_FILE START_EPOCH TICKET_ID...
Writes {ticket_id: outcome} as JSON to OUT_FILE (stdout carries other apps' task logs).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.sla.tests.race_settings")
    import django

    django.setup()
    from tuki.routing.services import auto_assign

    out, start, ids = argv[0], float(argv[1]), [int(i) for i in argv[2:]]
    time.sleep(max(0.0, start - time.monotonic()))  # both workers begin at the same instant
    results = {ticket_id: auto_assign(ticket_id) for ticket_id in ids}
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1:])
