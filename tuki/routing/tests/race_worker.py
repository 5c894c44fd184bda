"""One worker of test_two_workers.py: wait for the start signal, auto-assign every ticket.

Usage: python -m tuki.routing.tests.race_worker START_EPOCH TICKET_ID...
Prints {ticket_id: outcome} as JSON.
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

    start, ids = float(argv[0]), [int(i) for i in argv[1:]]
    time.sleep(max(0.0, start - time.time()))  # both workers begin at the same instant
    print(json.dumps({ticket_id: auto_assign(ticket_id) for ticket_id in ids}))


if __name__ == "__main__":
    main(sys.argv[1:])
