"""Settings for the worker processes of test_two_workers.py (a file SQLite or PostgreSQL)."""

import os

from tuki.settings import *  # noqa: F403

if os.environ.get("TUKI_RACE_SQLITE"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["TUKI_RACE_SQLITE"],
            # As in tuki/settings.py: a writer takes the lock when its transaction begins.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
# Planning the next threshold would enqueue; these workers only fire what is due.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Breaches mail the people notified (tuki.notifications); the console backend would print
# them into the JSON these workers write to stdout.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
