"""`tuki worker`: the background task worker (django-tasks-db's db_worker)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run background tasks (notifications, timers) from the database queue."
