"""One worker of test_killed_worker.py: poll a mailbox, SIGKILL itself at a named point.

Usage: python -m tuki.mail.tests.kill_worker MAILBOX_ID [POINT] [--expire-lease]
The last line printed is {"ingested": n, "error": "..."} as JSON.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import timedelta


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.sla.tests.race_settings")
    import django

    django.setup()
    from django.utils import timezone

    from tuki.mail import services
    from tuki.mail.inbound import imap
    from tuki.mail.models import Mailbox, MailboxPoll

    mailbox_id = int(argv[0])
    point = argv[1] if len(argv) > 1 and not argv[1].startswith("--") else ""
    if "--expire-lease" in argv:  # the killed worker's lease, as if its time had run out
        MailboxPoll.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    if point:

        def checkpoint(name: str) -> None:
            if name == point:
                os.kill(os.getpid(), signal.SIGKILL)

        services.checkpoint = checkpoint
    result = imap.poll(Mailbox.objects.get(pk=mailbox_id))
    print(json.dumps({"ingested": result.ingested, "error": result.error}))


if __name__ == "__main__":
    main(sys.argv[1:])
