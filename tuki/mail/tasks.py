"""The mail tasks under the paths they had before they moved next to the code they run.

Task rows already queued in a live database (django-tasks-db stores each task's import path)
name these paths; new rows name `tuki.mail.inbound.polling.poll_mailbox` and
`tuki.mail.outbound.sending.send_outbound`.
"""

from django_tasks import task

from tuki.mail import services
from tuki.mail.inbound.polling import poll_mailbox
from tuki.mail.outbound.sending import send_outbound

__all__ = ["poll_mailbox", "release_waiting_mail", "send_outbound"]


@task()
def release_waiting_mail() -> int:
    """Take in the mail that waited for a service desk group (mail/services.py)."""
    return services.release_waiting()
