"""Service desk mailboxes and the trace of every message in and out (docs/email.md)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.lib.crypto import EncryptedTextField
from tuki.mail import reasons
from tuki.tickets.models import Kind


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    NONE = "none", _("None (only on a trusted network)")


class UnknownSenders(models.TextChoices):
    CREATE = "create", _("Register them as requesters")
    REFUSE = "refuse", _("Refuse (keep the message in quarantine)")


class ClosedReplies(models.TextChoices):
    REOPEN = "reopen", _("Reopen the ticket")
    FOLLOW_UP = "follow_up", _("Open a follow-up ticket linked to it")


class Mailbox(models.Model):
    """An address the desk receives mail at: polled over IMAP, or fed by the MTA (pipe)."""

    name = models.SlugField(
        _("name"), max_length=50, unique=True, help_text=_("Used by `tuki ingest_email --mailbox`.")
    )
    address = models.EmailField(_("address"), unique=True)
    from_name = models.CharField(
        _("sender name"), max_length=100, blank=True, help_text=_("Shown in replies' From.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    imap_host = models.CharField(
        _("IMAP host"), max_length=255, blank=True, help_text=_("Empty: pipe delivery only.")
    )
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.SSL
    )
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    # Encrypted at rest (tuki/lib/crypto.py); the admin form never shows it back.
    imap_password = EncryptedTextField(_("IMAP password"), blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("move processed mail to"),
        max_length=255,
        blank=True,
        help_text=_("Empty: processed messages are only flagged as seen."),
    )
    poll_interval = models.PositiveIntegerField(
        _("poll every (seconds)"), default=60, help_text=_("At least 10.")
    )
    kind = models.CharField(
        _("new tickets are"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("new tickets go to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default service desk."),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation of new senders"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For senders whose domain no organisation owns."),
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category of new tickets"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unknown_senders = models.CharField(
        _("unknown senders"),
        max_length=10,
        choices=UnknownSenders.choices,
        default=UnknownSenders.CREATE,
    )
    closed_replies = models.CharField(
        _("replies to closed tickets"),
        max_length=10,
        choices=ClosedReplies.choices,
        default=ClosedReplies.REOPEN,
    )
    trusted_authserv_ids = models.CharField(
        _("trusted authentication servers"),
        max_length=500,
        blank=True,
        help_text=_(
            "The authserv-id your receiving mail server writes in Authentication-Results "
            "headers (for example mx.example.com), comma-separated. Results from any other "
            "server are ignored."
        ),
    )
    reply_token_address = models.BooleanField(
        _("reply address with a token"),
        default=False,
        help_text=_(
            "Replies go to address+code@domain, which proves that whoever answers received "
            "the desk's mail. Turn on only when mail to address+anything@domain reaches this "
            "mailbox (Postfix: recipient_delimiter = +)."
        ),
    )
    verify_dkim = models.BooleanField(
        _("check DKIM signatures"),
        default=False,
        help_text=_(
            "Tuki checks the sender's DKIM signature itself (looking the key up in DNS) when "
            "the mail server does not."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def polls_imap(self) -> bool:
        return bool(self.is_active and self.imap_host)

    @property
    def authserv_ids(self) -> set[str]:
        """The trusted authserv-ids, lower-cased (RFC 8601 compares them case-insensitively)."""
        return {i.strip().lower() for i in self.trusted_authserv_ids.split(",") if i.strip()}


class MailboxPoll(models.Model):
    """The poll schedule and lease of one mailbox: one poll at a time across every worker.

    Kept apart from Mailbox so that an admin saving the mailbox never overwrites a lease.
    """

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="poll")
    lease_owner = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("mailbox poll")
        verbose_name_plural = _("mailbox polls")

    def __str__(self) -> str:
        return str(self.mailbox_id)


class InboundStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")
    IGNORED = "ignored", _("Ignored")
    HELD = "held", _("Held for review")
    REJECTED = "rejected", _("Rejected")


class Proof(models.TextChoices):
    """What showed that a message comes from the address in its From (docs/security/mail.md)."""

    NONE = "", _("None")
    MTA = "mta", _("The receiving mail server (Authentication-Results)")
    DKIM = "dkim", _("Tuki's DKIM check")
    TOKEN = "token", _("A reply address or message id Tuki sent to the sender")
    AGENT = "agent", _("Accepted by an agent")


class InboundMessage(models.Model):
    """Every message received, once: `key` (Message-ID, or the digest of the bytes) is unique."""

    key = models.CharField(max_length=80, unique=True)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound",
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    digest = models.CharField(max_length=64)
    from_address = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    raw = models.BinaryField(_("message"))
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices)
    action = models.CharField(_("action"), max_length=20, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    is_auto = models.BooleanField(_("automatic"), default=False)
    proof = models.CharField(
        _("sender proof"), max_length=10, choices=Proof.choices, default="", blank=True
    )
    proof_detail = models.CharField(_("proof detail"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    comment = models.ForeignKey(
        "tickets.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "-received_at"], name="inbound_status")]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"

    @property
    def shown_reason(self) -> str:
        """`reason` in the reader's language (stored in English: mail/reasons.py)."""
        return reasons.shown(self.reason)

    @property
    def is_complete(self) -> bool:
        """False when only the headers of an oversized message were kept."""
        return len(self.raw) >= self.size


class QuarantineManager(models.Manager["QuarantinedMessage"]):
    def get_queryset(self) -> models.QuerySet[QuarantinedMessage]:
        return super().get_queryset().filter(status=InboundStatus.QUARANTINED)


class QuarantinedMessage(InboundMessage):
    """The refused messages, for the admin's quarantine list (re-process or discard)."""

    objects: ClassVar[QuarantineManager] = QuarantineManager()

    class Meta:
        proxy = True
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantine")


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")
    BOUNCED = "bounced", _("Bounced")


class OutboundMessage(models.Model):
    """One email Tuki sends about a ticket, with its delivery attempts."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    comment = models.ForeignKey(
        "tickets.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(_("about"), max_length=20)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_email = models.CharField(_("from"), max_length=300)
    to_address = models.CharField(_("to"), max_length=255, db_index=True)
    cc = models.TextField(_("cc"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    raw = models.BinaryField(_("message"), blank=True, default=b"")
    status = models.CharField(_("status"), max_length=10, choices=OutboundStatus.choices)
    reason = models.TextField(_("why not sent"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["to_address", "what", "created_at"], name="outbound_rate"),
        ]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject or self.what}"

    @property
    def shown_reason(self) -> str:
        """`reason` in the reader's language (stored in English: mail/reasons.py)."""
        return reasons.shown(self.reason)

    @property
    def cc_list(self) -> list[str]:
        return [a for a in self.cc.split(",") if a]

    @property
    def reference_list(self) -> list[str]:
        return self.references.split()


class BouncingAddress(models.Model):
    """An address Tuki's mail bounced from: nothing more is sent to it until an admin resets it."""

    address = models.CharField(_("address"), max_length=255, unique=True)
    first_bounce_at = models.DateTimeField(_("first bounce"), default=timezone.now)
    last_bounce_at = models.DateTimeField(_("last bounce"), default=timezone.now)
    bounces = models.PositiveIntegerField(_("bounces"), default=1)
    diagnostic = models.TextField(_("diagnostic"), blank=True)

    class Meta:
        ordering = ["-last_bounce_at"]
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")

    def __str__(self) -> str:
        return self.address
