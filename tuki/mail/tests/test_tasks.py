"""Task rows queued before the mail tasks moved name their old paths: those still resolve."""

from __future__ import annotations

from django.utils.module_loading import import_string

from tuki.mail.inbound import polling
from tuki.mail.outbound import sending


def test_the_old_task_paths_name_the_moved_tasks() -> None:
    assert import_string("tuki.mail.tasks.poll_mailbox") is polling.poll_mailbox
    assert import_string("tuki.mail.tasks.send_outbound") is sending.send_outbound


def test_new_rows_name_the_new_paths() -> None:
    assert polling.poll_mailbox.module_path == "tuki.mail.inbound.polling.poll_mailbox"
    assert sending.send_outbound.module_path == "tuki.mail.outbound.sending.send_outbound"
