"""`tuki worker`: the background task worker (tuki/server/worker.py, on django-tasks-db)."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from tuki.server.worker import TukiWorker


class Command(DbWorkerCommand):
    help = (
        "Run background tasks (mail, notifications, timers) from the database queue, and the "
        "periodic catch-ups. Survives database outages; run it under a supervisor anyway "
        "(systemd Restart=always)."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-periodic",
            action="store_false",
            dest="periodic",
            help="Do not run the periodic jobs (catch-ups, clean-ups) in this worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        logging.getLogger("tuki.server").setLevel(logging.INFO)
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = TukiWorker(
            worker_id=options["worker_id"],
            interval=options["interval"],
            queue_names=queue_names,
            excluded_queue_names=excluded,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            periodic=options["periodic"],
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
