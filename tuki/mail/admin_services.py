"""Setting up mailboxes from the administration console: save, switch on or off, and check
that the IMAP server lets the desk in (docs/administration.md).

The password is written only: an empty one keeps the stored password, which the model
encrypts at rest (tuki/lib/crypto.py) and no page ever shows back.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.lib import crypto
from tuki.lib.errors import ServiceError
from tuki.mail.inbound.polling import MIN_INTERVAL
from tuki.mail.models import ImapSecurity, Mailbox
from tuki.tickets.models import Category

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 10  # seconds: an administrator waits for the answer
PLAIN_FIELDS = (
    "from_name",
    "is_active",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_folder",
    "processed_folder",
    "poll_interval",
    "kind",
    "unknown_senders",
    "closed_replies",
    "trusted_authserv_ids",
    "verify_dkim",
    "reply_token_address",
)
RELATIONS: dict[str, type[models.Model]] = {
    "group": SupportGroup,
    "organisation": Organisation,
    "category": Category,
}


def may_change_mailboxes(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "admin")


def _check(actor: User) -> None:
    if not may_change_mailboxes(actor):
        raise PermissionDenied(_("Only administrators may change mailboxes."))


def _unique(mailbox: Mailbox, field: str, value: str) -> None:
    taken = Mailbox.objects.filter(**{f"{field}__iexact": value}).exclude(pk=mailbox.pk)
    if taken.exists():
        raise ServiceError(
            _("Another mailbox has %(value)s already.") % {"value": value},
            field=field,
            code="duplicate",
        )


def save_mailbox(actor: User, mailbox: Mailbox, data: dict[str, Any]) -> Mailbox:
    """Create (unsaved `mailbox`) or change a mailbox from `data`; only its keys change.

    Related rows are given by id. An empty or absent `imap_password` keeps the stored one.
    Every check runs before anything is written; ServiceError names the field at fault.
    """
    _check(actor)
    for key in ("name", "address"):
        if key in data or mailbox.pk is None:
            value = str(data.get(key) or "").strip()
            if key == "address":
                value = value.lower()
            setattr(mailbox, key, value)
    for key in PLAIN_FIELDS:
        if key in data:
            value = data[key]
            setattr(mailbox, key, value.strip() if isinstance(value, str) else value)
    for key, model in RELATIONS.items():
        if key in data:
            pk = data[key]
            found = model._default_manager.filter(pk=pk).first() if pk is not None else None
            if pk is not None and found is None:
                raise ServiceError(_("Unknown or not allowed."), field=key, code="does_not_exist")
            setattr(mailbox, key, found)
    if data.get("imap_password"):
        mailbox.imap_password = str(data["imap_password"])
    _validate(mailbox)
    with transaction.atomic():
        mailbox.save()
    return mailbox


def _validate(mailbox: Mailbox) -> None:
    if not mailbox.name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if not mailbox.address:
        raise ServiceError(_("An address is required."), field="address", code="required")
    try:
        mailbox.full_clean(exclude=["imap_password"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(
            messages[0], field=None if field == "__all__" else field, code="invalid"
        ) from None
    _unique(mailbox, "name", mailbox.name)
    _unique(mailbox, "address", mailbox.address)
    if not 1 <= mailbox.imap_port <= 65535:
        raise ServiceError(_("A port is 1 to 65535."), field="imap_port", code="invalid")
    if mailbox.poll_interval < MIN_INTERVAL:
        raise ServiceError(
            _("Poll at most every %(seconds)d seconds.") % {"seconds": MIN_INTERVAL},
            field="poll_interval",
            code="too_often",
        )
    if mailbox.imap_host and not mailbox.imap_user:
        raise ServiceError(
            _("An IMAP mailbox needs a user name."), field="imap_user", code="required"
        )
    if mailbox.imap_host and not mailbox.imap_folder:
        raise ServiceError(_("Name the folder to read."), field="imap_folder", code="required")


def set_mailbox_active(actor: User, mailbox: Mailbox, active: bool) -> Mailbox:
    """Switch polling (and piped delivery) of `mailbox` on or off."""
    _check(actor)
    with transaction.atomic():
        mailbox.is_active = active
        mailbox.save(update_fields=["is_active"])
    return mailbox


# --- checking the connection ---------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def check_connection(
    actor: User, mailbox: Mailbox, timeout: float = CHECK_TIMEOUT
) -> ConnectionCheck:
    """Connect to the mailbox's IMAP server, sign in and open its folder; nothing is read.

    Every failure comes back as a sentence for the administrator, never as an exception.
    """
    _check(actor)
    if not mailbox.imap_host:
        return ConnectionCheck(
            False, _("No IMAP host: this mailbox only receives mail the mail server pipes in.")
        )
    if not crypto.readable(mailbox.imap_password):
        return ConnectionCheck(
            False,
            _(
                "The stored password cannot be decrypted with the configured encryption key "
                "(TUKI_ENCRYPTION_KEY): restore that key, or enter the password again."
            ),
        )
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    try:
        client = _open(mailbox, timeout)
    except socket.gaierror:
        return ConnectionCheck(
            False, _("The host %(host)s is not known (DNS).") % {"host": mailbox.imap_host}
        )
    except ConnectionRefusedError:
        return ConnectionCheck(
            False,
            _("%(where)s refused the connection: nothing listens on that port.") % {"where": where},
        )
    except TimeoutError:
        return ConnectionCheck(
            False,
            _("%(where)s did not answer within %(seconds)d seconds.")
            % {"where": where, "seconds": timeout},
        )
    except ssl.SSLError as exc:
        return ConnectionCheck(
            False,
            _("The TLS handshake with %(where)s failed (%(error)s); check the security setting.")
            % {"where": where, "error": exc},
        )
    except (OSError, imaplib.IMAP4.error, EOFError) as exc:
        return ConnectionCheck(
            False, _("Could not connect to %(where)s: %(error)s") % {"where": where, "error": exc}
        )
    try:
        return _sign_in(client, mailbox, where)
    finally:
        try:
            client.logout()
        except Exception:
            logger.debug("IMAP logout after the check failed", exc_info=True)


def _open(mailbox: Mailbox, timeout: float) -> imaplib.IMAP4:
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == ImapSecurity.SSL:
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    client = imaplib.IMAP4(host, port, timeout=timeout)
    if mailbox.imap_security == ImapSecurity.STARTTLS:
        try:
            client.starttls(ssl_context=ssl.create_default_context())
        except Exception:
            client.shutdown()
            raise
    return client


def _sign_in(client: imaplib.IMAP4, mailbox: Mailbox, where: str) -> ConnectionCheck:
    try:
        client.login(mailbox.imap_user, mailbox.imap_password)
    except (imaplib.IMAP4.error, UnicodeError) as exc:
        return ConnectionCheck(
            False,
            _("%(where)s refused to sign in %(user)s: %(error)s")
            % {"where": where, "user": mailbox.imap_user, "error": _reason(exc)},
        )
    except (OSError, EOFError) as exc:
        return ConnectionCheck(
            False,
            _("The connection to %(where)s broke: %(error)s") % {"where": where, "error": exc},
        )
    try:
        status, data = client.select(_quoted(mailbox.imap_folder), readonly=True)
    except (imaplib.IMAP4.error, OSError, EOFError) as exc:
        status, data = "NO", [str(exc).encode()]
    if status != "OK":
        return ConnectionCheck(
            False,
            _("Signed in, but the folder %(folder)s cannot be opened: %(error)s")
            % {"folder": mailbox.imap_folder, "error": _reason(data)},
        )
    count = data[0].decode(errors="replace") if data and data[0] else "0"
    return ConnectionCheck(
        True,
        _("Connected to %(where)s and signed in as %(user)s; %(folder)s holds %(count)s messages.")
        % {
            "where": where,
            "user": mailbox.imap_user,
            "folder": mailbox.imap_folder,
            "count": count,
        },
    )


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reason(error: Any) -> str:
    if isinstance(error, list | tuple):
        error = b" ".join(e for e in error if isinstance(e, bytes)).decode(errors="replace")
    text = str(error)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text or _("no reason given")
