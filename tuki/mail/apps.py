from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "tuki.mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.mail import receivers  # noqa: F401  (connects to ticket events)
        from tuki.mail.inbound import polling
        from tuki.mail.outbound import sending

        # Retries that are due, and messages whose worker died while sending.
        periodic.register("mail.requeue_due", sending.requeue_due, every=60)
        # Each active IMAP mailbox has its chain of polls (restarted if it stalled).
        periodic.register("mail.ensure_polling", polling.ensure_polling, every=60)
