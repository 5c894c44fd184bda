"""One poll per mailbox at a time, and one self-rescheduling chain of polls per mailbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task_backends

from tuki.mail.inbound import imap, leases, polling
from tuki.mail.models import ImapSecurity, Mailbox, MailboxPoll
from tuki.mail.tests.conftest import free_port


@pytest.fixture
def queue(settings):
    """A backend that keeps what is enqueued (with run_after) instead of running it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


@pytest.fixture(autouse=True)
def commits(monkeypatch):
    """Run on-commit work at once: these tests have no outer transaction to wait for."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def mailbox(db) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        address="support@tuki.test",
        imap_host="127.0.0.1",
        imap_port=free_port(),  # nobody listens: every poll fails fast
        imap_security=ImapSecurity.NONE,
        poll_interval=60,
    )


def polls(queue) -> list:
    return [r for r in queue.results if r.task.name == "poll_mailbox"]


class TestLease:
    def test_only_one_worker_holds_a_mailbox(self, mailbox):
        first = leases.claim_lease(mailbox.pk)
        assert first and leases.claim_lease(mailbox.pk) is None
        assert leases.renew_lease(mailbox.pk, first)
        assert not leases.renew_lease(mailbox.pk, "someone-else")
        leases.release_lease(mailbox.pk, first)
        assert leases.claim_lease(mailbox.pk)

    def test_an_expired_lease_is_taken_over(self, mailbox):
        crashed = leases.claim_lease(mailbox.pk)
        MailboxPoll.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
        taker = leases.claim_lease(mailbox.pk)
        assert taker and taker != crashed
        assert not leases.renew_lease(mailbox.pk, crashed)

    def test_an_inactive_mailbox_is_not_polled(self, mailbox):
        mailbox.is_active = False
        mailbox.save()
        assert polling.poll_mailbox.call(mailbox.pk) == "inactive"


class TestSchedule:
    def test_a_poll_schedules_the_next_one_before_it_starts(self, mailbox, queue, monkeypatch):
        class Killed(BaseException):
            pass

        def crash(mailbox):
            raise Killed

        monkeypatch.setattr(imap, "poll", crash)
        with pytest.raises(Killed):
            polling.poll_mailbox.call(mailbox.pk)
        [scheduled] = polls(queue)
        assert scheduled.args == [mailbox.pk]
        assert scheduled.task.run_after > timezone.now() + timedelta(seconds=50)

    def test_only_the_due_chain_schedules_so_extra_chains_die_out(self, mailbox, queue):
        assert polling.schedule_next(mailbox.pk, timedelta(seconds=60))
        assert not polling.schedule_next(mailbox.pk, timedelta(seconds=60))
        assert len(polls(queue)) == 1
        MailboxPoll.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
        assert polling.schedule_next(mailbox.pk, timedelta(seconds=60))
        assert len(polls(queue)) == 2

    def test_failures_push_the_next_poll_back(self, mailbox, queue):
        assert "error" in polling.poll_mailbox.call(mailbox.pk)
        row = MailboxPoll.objects.get()
        assert row.failures == 1 and row.last_error and not row.lease_owner
        MailboxPoll.objects.update(next_poll_at=timezone.now())
        polling.poll_mailbox.call(mailbox.pk)
        assert polls(queue)[-1].task.run_after > timezone.now() + timedelta(seconds=100)

    def test_a_saved_mailbox_starts_its_chain_once(self, mailbox, queue):
        queue.clear()
        MailboxPoll.objects.all().delete()
        mailbox.save()
        mailbox.save()
        assert len(polls(queue)) == 1

    def test_a_stalled_chain_is_restarted_and_pipe_mailboxes_are_left_alone(self, mailbox, queue):
        Mailbox.objects.create(name="pipe", address="pipe@tuki.test")
        leases.poll_row(mailbox.pk)
        MailboxPoll.objects.update(next_poll_at=timezone.now() - timedelta(hours=1))
        assert polling.ensure_polling() == 1
        assert polling.ensure_polling() == 0

    def test_without_deferred_tasks_nothing_is_scheduled(self, mailbox):
        assert not polling.schedule_next(mailbox.pk, timedelta(0))
        assert polling.ensure_polling() == 0


class TestRestart:
    def test_a_mailbox_switched_off_and_on_again_polls_at_once(self, mailbox, queue):
        polling.schedule_next(mailbox.pk, timedelta(0))
        mailbox.is_active = False
        mailbox.save()
        assert polling.poll_mailbox.call(mailbox.pk) == "inactive"
        queue.clear()
        mailbox.is_active = True
        mailbox.save()
        assert len(polls(queue)) == 1

    def test_a_shorter_interval_applies_at_once(self, mailbox, queue):
        polling.schedule_next(mailbox.pk, timedelta(hours=1))
        queue.clear()
        mailbox.poll_interval = 30
        mailbox.save()
        [poll] = polls(queue)
        assert poll.task.run_after <= timezone.now()
