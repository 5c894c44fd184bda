"""Every task is safe to run twice (a worker can die at any instruction and its task then
runs again): each one is either marked `taskqueue.commits_with_result` or named here with
how it stays harmless. A new task fails this test until someone has thought about it."""

from __future__ import annotations

import importlib
import pkgutil

from django_tasks.base import Task

import tuki
from tuki.lib import taskqueue

SAFE_TWICE = {
    "tuki.twofactor.tasks.tell_factors_reset": "mails the same notice again: no link, no secret",
    "tuki.automation.tasks.fire_scheduled_rule": "fires only a pending run still due",
    "tuki.automation.tasks.fire_due_scheduled_rules": "each run fires once (as above)",
    "tuki.automation.tasks.plan_scheduled_rule": "keeps a pending run with the same anchor",
    "tuki.identity.tasks.sync_directory": "a sync sets what the directory says; idempotent",
    "tuki.mail.inbound.polling.poll_mailbox": "a lease per mailbox; a message is taken in once",
    "tuki.mail.outbound.sending.send_outbound": "claims pending -> sending, counting the attempt",
    "tuki.routing.tasks.route_ticket": "leaves a ticket already moved or assigned",
    "tuki.routing.tasks.assign_ticket": "leaves a ticket already assigned",
    "tuki.search.tasks.index_ticket": "replaces the ticket's document",
    "tuki.search.tasks.index_field_tickets": "replaces each holding ticket's document",
    "tuki.sla.tasks.fire_sla_timer": "sets fired_at only where it is empty",
    "tuki.sla.tasks.fire_due_sla_timers": "each timer fires once (as above)",
    "tuki.sla.tasks.recompute_sla": "recomputes the clocks from the ticket's history",
    "tuki.webhooks.tasks.deliver_webhook": "claims pending -> sending",
    "tuki.webhooks.tasks.deliver_due_webhooks": "each delivery claimed once (as above)",
    "tuki.server.tests.tasks.echo": "does nothing",
    "tuki.server.tests.tasks.shout": "returns its value upper-cased",
    "tuki.accounts.tasks.send_password_reset": "at most one mail per account every 2 minutes",
    "tuki.mail.tasks.release_waiting_mail": "takes a message under a row lock, only still held",
    "tuki.audit.tasks.purge_expired_entries": "deletes what is past retention; none left twice",
    "tuki.reports.tasks.refresh_facts": "upserts the facts computed from the stored history",
    "tuki.reports.tasks.roll_months": "replaces a month's rollups, computed from its facts",
    "tuki.reports.scheduling.send_report_mailing": "claims its mailing pending -> sent first",
    "tuki.assist.tasks.retrain": "fits on the same history again; the newest model is used",
    "tuki.assist.tasks.embed_ticket": "skips a text already embedded by the same model; "
    "otherwise replaces the vector",
    "tuki.assist.tasks.embed_document": "skips texts already embedded by the same model; "
    "otherwise replaces the vectors",
}


def all_tasks() -> dict[str, Task]:
    found: dict[str, Task] = {}
    for module in pkgutil.walk_packages(tuki.__path__, "tuki."):
        if ".tests." in module.name and not module.name.endswith(".tests.tasks"):
            continue
        if module.name.startswith(("tuki.bench", "tuki.asgi", "tuki.wsgi", "tuki.__main__")):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, Task) and value.module_path.startswith(module.name + "."):
                found[value.module_path] = value
    return found


def test_every_task_is_safe_to_run_twice():
    tasks = all_tasks()
    assert "tuki.notifications.tasks.notify_events" in tasks  # the walk finds them
    assert set(SAFE_TWICE) <= set(tasks)  # and every one named here still exists
    unexamined = sorted(
        path
        for path, task in tasks.items()
        if path not in SAFE_TWICE and not getattr(task.func, taskqueue.COMMITS_WITH_RESULT, False)
    )
    assert unexamined == []
