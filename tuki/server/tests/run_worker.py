"""One worker process of test_worker_processes.py: `tuki worker`, maybe killed on purpose.

Usage: python -m tuki.server.tests.run_worker [--kill-after=notify|fire_timer] [--batch]
       [--no-periodic]
With --kill-after the process SIGKILLs itself just after that function returned (inside
the task, before its result is written).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.server.tests.worker_settings")
    import django

    django.setup()
    from tuki.notifications import services as notifications
    from tuki.server.worker import TukiWorker
    from tuki.sla import services as sla

    for arg in argv:
        if arg.startswith("--kill-after="):
            module = {"notify": notifications, "fire_timer": sla}[arg.split("=", 1)[1]]
            name = arg.split("=", 1)[1]
            original = getattr(module, name)

            def killing(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                _original(*args, **kwargs)
                os.kill(os.getpid(), signal.SIGKILL)

            setattr(module, name, killing)
    worker = TukiWorker(
        worker_id=f"test-{os.getpid()}",
        interval=0.1,
        batch="--batch" in argv,
        periodic="--no-periodic" not in argv,
    )
    worker.configure_signals()
    worker.run()


if __name__ == "__main__":
    main(sys.argv[1:])
