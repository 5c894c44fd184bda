"""Settings of the worker processes in test_worker_processes.py: the database queue, a file
SQLite (TUKI_RACE_SQLITE) or PostgreSQL (TUKI_DATABASE_URL), SQLite giving up after 1 s."""

import os

from tuki.sla.tests.race_settings import *  # noqa: F403

if os.environ.get("TUKI_RACE_SQLITE"):
    DATABASES["default"]["OPTIONS"]["timeout"] = 1  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("TUKI_EMAIL_HOST"):  # the tests' SMTP server
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
