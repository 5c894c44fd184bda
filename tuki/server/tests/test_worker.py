"""The worker's parts in this process: reclaiming lost tasks, the periodic scheduler, tasks
that commit with their result, the readiness probe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tuki.lib import periodic, taskqueue
from tuki.server import scheduler
from tuki.server.models import PeriodicJob, WorkerHeartbeat
from tuki.server.worker import TukiWorker, beat, reclaim_lost_tasks

LONG_AGO = timedelta(minutes=5)


def running(
    worker_ids: list[str], *, started: timedelta = LONG_AGO, path: str = ""
) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": ["hello"], "kwargs": {}},
        task_path=path or "tuki.server.tests.tasks.echo",
        backend_name="default",
        run_after=get_date_max(),
        started_at=timezone.now() - started,
        worker_ids=worker_ids,
    )


def heartbeat(worker_id: str, ago: timedelta) -> None:
    beat(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=timezone.now() - ago)


@pytest.mark.django_db
class TestReclaim:
    def test_a_task_whose_worker_stopped_beating_is_queued_again(self):
        heartbeat("dead", ago=timedelta(minutes=2))
        task = running(["dead"])
        assert reclaim_lost_tasks() == 1
        task.refresh_from_db()
        assert task.status == "READY" and task.worker_ids == ["dead"]  # one attempt made

    def test_a_task_whose_worker_never_beat_is_queued_again(self):
        task = running(["vanished"])
        assert reclaim_lost_tasks() == 1
        task.refresh_from_db()
        assert task.status == "READY"

    def test_a_long_task_of_a_live_worker_is_left_alone(self):
        heartbeat("alive", ago=timedelta(seconds=1))
        task = running(["alive"], started=timedelta(hours=2))
        assert reclaim_lost_tasks() == 0
        task.refresh_from_db()
        assert task.status == "RUNNING"

    def test_a_task_started_within_the_lease_is_left_alone(self):
        task = running(["vanished"], started=timedelta(seconds=1))
        assert reclaim_lost_tasks() == 0
        task.refresh_from_db()
        assert task.status == "RUNNING"

    def test_after_the_last_attempt_it_fails_with_the_reason(self, settings):
        settings.TASK_MAX_ATTEMPTS = 3
        task = running(["w1", "w2", "w3"])
        assert reclaim_lost_tasks() == 1
        task.refresh_from_db()
        assert task.status == "FAILED" and task.finished_at
        assert task.exception_class_path == "tuki.server.worker.WorkerLost"
        assert "'w3' stopped during attempt 3 of 3" in task.traceback
        assert task.task_result.errors  # shown wherever task results are shown

    def test_a_worker_back_from_an_outage_takes_back_its_own_task(self):
        beat("me")  # alive: its own task was left RUNNING by a failed write
        task = running(["me"], started=timedelta(seconds=1))
        other = running(["someone"], started=timedelta(seconds=1))
        assert reclaim_lost_tasks(dead={"me"}) == 1
        task.refresh_from_db()
        other.refresh_from_db()
        assert (task.status, other.status) == ("READY", "RUNNING")


@pytest.fixture
def counted_job():
    ran: list[int] = []
    periodic.register("test.counted", lambda: ran.append(1), every=60)
    yield ran
    periodic.unregister("test.counted")


@pytest.mark.django_db
class TestScheduler:
    def test_the_catch_ups_are_registered(self):
        names = {job.name for job in periodic.jobs()}
        assert {
            "sla.fire_due_timers",
            "automation.fire_due_scheduled",
            "mail.requeue_due",
            "mail.ensure_polling",
            "webhooks.deliver_due",
            "server.reclaim_lost_tasks",
            "server.forget_workers",
            "server.delete_finished_tasks",
        } <= names

    def test_each_job_runs_once_per_period_whichever_worker_asks(self, counted_job):
        assert "test.counted" in scheduler.run_due("worker-a")
        assert "test.counted" not in scheduler.run_due("worker-b")
        assert "test.counted" not in scheduler.run_due("worker-a")
        assert counted_job == [1]
        job = PeriodicJob.objects.get(name="test.counted")
        assert job.last_worker == "worker-a"
        assert job.next_run_at > timezone.now() + timedelta(seconds=50)

    def test_the_next_period_runs_again(self, counted_job):
        scheduler.run_due("worker-a")
        PeriodicJob.objects.filter(name="test.counted").update(next_run_at=timezone.now())
        assert "test.counted" in scheduler.run_due("worker-b")
        assert counted_job == [1, 1]

    def test_a_failing_job_is_recorded_and_the_others_run(self, counted_job):
        def broken() -> None:
            raise ValueError("no such table")

        periodic.register("test.broken", broken, every=60)
        try:
            ran = scheduler.run_due("worker-a")
        finally:
            periodic.unregister("test.broken")
        assert {"test.broken", "test.counted"} <= set(ran)
        assert PeriodicJob.objects.get(name="test.broken").last_error == "ValueError: no such table"

    def test_a_period_must_be_positive(self):
        with pytest.raises(ValueError):
            periodic.register("test.never", lambda: None, every=0)


@pytest.mark.django_db
class TestCommitsWithResult:
    def test_the_notification_task_commits_with_its_result(self):
        from tuki.notifications.tasks import notify_events

        assert getattr(notify_events.func, taskqueue.COMMITS_WITH_RESULT)

    def test_a_task_taken_back_meanwhile_is_not_run_by_its_old_worker(self):
        task = running(["old"], started=timedelta(seconds=1))
        worker = TukiWorker(worker_id="old")
        DBTaskResult.objects.filter(pk=task.pk).update(status="READY")  # reclaimed
        assert not worker._still_mine(task)
        DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", worker_ids=["old", "new"])
        assert not worker._still_mine(task)
        DBTaskResult.objects.filter(pk=task.pk).update(worker_ids=["new", "old"])
        assert worker._still_mine(task)


@pytest.mark.django_db
class TestReadiness:
    def test_ready_with_the_database_and_a_recent_worker(self, client, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        beat("worker-on-host-x")
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["worker"].startswith("seen ")
        # Public: nothing about hosts, processes or tasks.
        assert "host" not in response.content.decode() and "worker-on" not in str(body)

    def test_not_ready_without_a_worker_when_one_is_expected(self, client, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "worker": "never seen",
        }
        heartbeat("old", ago=timedelta(minutes=10))
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json()["worker"] == "seen 600 s ago"

    def test_no_worker_is_expected_when_tasks_run_in_the_process(self, client):
        response = client.get("/readyz")  # the tests' immediate backend
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    @pytest.mark.parametrize("role", ["anonymous", "requester", "agent", "admin"])
    def test_every_role_gets_the_same_answer(self, role, desk, client):
        user = {"requester": desk.requester, "agent": desk.operator, "admin": desk.admin}.get(role)
        if user is not None:
            client.force_login(user)
        response = client.get("/readyz")
        assert response.status_code == 200 and response.json()["database"] == "ok"

    def test_not_ready_when_the_database_is_unreachable(self, client, settings, monkeypatch):
        def refuse(*args, **kwargs):
            from django.db import OperationalError

            raise OperationalError("connection refused")

        monkeypatch.setattr(connection, "cursor", refuse)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.django_db(transaction=True)
def test_not_ready_when_postgresql_refuses_connections(client, tmp_path):
    """The real thing: the database's port closed (the test above fakes it on SQLite,
    whose in-memory test database cannot be taken away)."""
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite database cannot be made unreachable")
    from tuki.mail.tests.conftest import free_port

    saved = dict(connection.settings_dict)
    connection.close()
    connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper has one
    connection.settings_dict["PORT"] = free_port()
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.close_pool()  # type: ignore[attr-defined]  # as above
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert client.get("/healthz").status_code == 200  # liveness does not ask the database


def ready(path: str, value: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [value], "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=get_date_max(),
    )


SHOUT = "tuki.server.tests.tasks.shout"


@pytest.mark.django_db(transaction=True)
class TestBatches:
    """A batched task function (taskqueue.batched): the worker claims its ready tasks
    together, up to the size, runs one bulk call and marks them all."""

    def test_ready_tasks_of_a_batched_function_run_in_one_call_up_to_its_size(self):
        from tuki.server.tests import tasks

        tasks.CALLS.clear()
        rows = [ready(SHOUT, v) for v in ("a", "b", "c", "d")]
        other = ready("tuki.server.tests.tasks.echo", "x")
        TukiWorker(worker_id="w1", batch=True, periodic=False).run()
        # Three in one bulk call (the size); the fourth, alone in the queue, runs as usual.
        assert [len(values) for values in tasks.CALLS] == [3]
        for row in rows:
            row.refresh_from_db()
            assert row.status == "SUCCESSFUL" and row.worker_ids == ["w1"]
            assert row.return_value == row.args_kwargs["args"][0].upper()
            assert row.started_at is not None and row.finished_at is not None
        other.refresh_from_db()
        assert other.status == "SUCCESSFUL" and other.return_value == "x"

    def test_when_the_bulk_call_fails_each_task_runs_alone_and_only_the_bad_one_fails(self):
        from tuki.server.tests import tasks

        tasks.CALLS.clear()
        rows = [ready(SHOUT, v) for v in ("a", "bad", "c")]
        TukiWorker(worker_id="w1", batch=True, periodic=False).run()
        states = {}
        for row in rows:
            row.refresh_from_db()
            states[row.args_kwargs["args"][0]] = (row.status, row.return_value)
        assert states == {
            "a": ("SUCCESSFUL", "A"),
            "bad": ("FAILED", None),
            "c": ("SUCCESSFUL", "C"),
        }
        assert tasks.CALLS == []  # the one bulk call raised

    def test_a_task_another_worker_holds_is_not_claimed_into_the_batch(self):
        rows = [ready(SHOUT, v) for v in ("a", "b")]
        DBTaskResult.objects.filter(pk=rows[1].pk).update(status="RUNNING", worker_ids=["w2"])
        worker = TukiWorker(worker_id="w1", batch=True, periodic=False)
        worker.run()
        rows[0].refresh_from_db()
        rows[1].refresh_from_db()
        assert rows[0].status == "SUCCESSFUL"
        assert rows[1].status == "RUNNING" and rows[1].worker_ids == ["w2"]

    def test_the_desk_follow_up_tasks_run_in_batches(self):
        from tuki.notifications.tasks import notify_events
        from tuki.reports.tasks import refresh_facts
        from tuki.routing.tasks import route_ticket
        from tuki.search.tasks import index_ticket

        for task in (notify_events, refresh_facts, route_ticket, index_ticket):
            assert taskqueue.batch_of(task.func) is not None, task.name


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_idle_worker_starts_a_new_task_when_it_is_queued_not_at_its_next_poll():
    """The trigger of migration server/0002 NOTIFYs; the worker LISTENs. With an interval
    of five minutes, only the notification can make it run the task in the time allowed."""
    import threading
    import time

    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; other databases poll")
    worker = TukiWorker(worker_id="listening", interval=300, periodic=False)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while worker.listener is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker found the queue empty and listens
        assert worker.listener is not None
        row = ready("tuki.server.tests.tasks.echo", "wake up")
        while time.monotonic() < deadline:
            row.refresh_from_db()
            if row.status == "SUCCESSFUL":
                break
            time.sleep(0.05)
        assert row.status == "SUCCESSFUL" and row.return_value == "wake up"
    finally:
        worker.stop()
        thread.join(timeout=310)
