"""Is a message from a person, or from a machine? Auto-replies, lists and bounces.

We never answer machines automatically (RFC 3834) and we never open tickets for
bounces: that is how mail loops and ticket storms start. Pure functions over a parsed
stdlib message; no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

_MACHINE_LOCALPARTS = re.compile(
    r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|maildaemon|bounces?|"
    r"no-?reply|do-?not-?reply|donotreply)([+\-.].*)?$",
    re.IGNORECASE,
)
_BOUNCE_LOCALPARTS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)$", re.IGNORECASE)
# Out-of-office subjects in English, Romanian and Finnish (Outlook, Gmail, Exchange), as
# clients write them: a prefix and a colon. "Out of office not working" is a person.
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?(reply|response)|out of (the )?office( reply)?|"
    r"r[ăa]spuns automat|absent de la birou|automaattinen vastaus|poissa toimistolta)\s*:",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_STATUS_TYPES = {"message/delivery-status", "message/global-delivery-status"}


@dataclass
class Bounce:
    is_bounce: bool = False
    recipients: list[str] = field(default_factory=list)
    message_id: str = ""


def auto_reasons(
    header: dict[str, list[str]], from_address: str, subject: str, content_type: str
) -> list[str]:
    """Why a message looks automatic; an empty list means a person wrote it.

    header maps lower-cased header names to their (decoded) values.
    """
    reasons: list[str] = []

    def first(name: str) -> str:
        values = header.get(name) or [""]
        return values[0].strip().lower()

    auto_submitted = first("auto-submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        reasons.append(f"auto-submitted: {auto_submitted.split(';')[0].strip()}")
    precedence = first("precedence") or first("x-precedence")
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        reasons.append(f"precedence: {precedence}")
    for name in ("x-autoreply", "x-autorespond", "x-auto-reply", "x-autoresponder"):
        value = first(name)
        if value and value not in {"no", "false", "0"}:
            reasons.append(name)
    suppress = {part.strip() for part in first("x-auto-response-suppress").split(",")}
    if suppress & {"all", "oof", "autoreply"}:
        reasons.append("x-auto-response-suppress: " + ", ".join(sorted(suppress - {""})))
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if first(name):
            reasons.append(name)
            break
    if "return-path" in header and first("return-path").strip("<> ") == "":
        reasons.append("return-path: <>")
    local = from_address.rpartition("@")[0]
    if from_address and _MACHINE_LOCALPARTS.match(local):
        reasons.append(f"sender: {local.lower()}")
    if _AUTO_SUBJECT.match(subject):
        reasons.append("subject: automatic reply")
    if content_type == "multipart/report":
        reasons.append("multipart/report")
    return reasons


def find_bounce(message: Message, from_address: str, header: dict[str, list[str]]) -> Bounce:
    """A delivery status notification (RFC 3464) or a bounce from a mailer daemon.

    A DSN that only reports a delay or a successful relay is not a bounce.
    """
    statuses = [part for part in _parts(message) if part.get_content_type() in _STATUS_TYPES]
    if statuses:
        return _bounce_from_statuses(statuses, message)
    local = from_address.rpartition("@")[0]
    failed = header.get("x-failed-recipients", [])
    if not (_BOUNCE_LOCALPARTS.match(local) or failed):
        return Bounce()
    recipients = [
        address.strip().lower()
        for value in failed
        for address in value.split(",")
        if "@" in address
    ]
    return Bounce(True, _unique(recipients), _returned_message_id(message))


def _parts(message: Message) -> list[Message]:
    """This part and its multipart descendants, not looking inside attached messages.

    A DSN is usually multipart/report; some servers send it as multipart/mixed. A bounce
    forwarded to the desk as an attachment is not itself a bounce.
    """
    found = [message]
    if message.get_content_maintype() == "multipart":
        for child in _children(message):
            found.extend(_parts(child))
    return found


def _bounce_from_statuses(statuses: list[Message], message: Message) -> Bounce:
    recipients: list[str] = []
    actions: list[str] = []
    for part in statuses:
        for block in _status_blocks(part):
            recipient = str(block.get("final-recipient") or block.get("original-recipient") or "")
            if not recipient:
                continue  # the per-message block (Reporting-MTA, Arrival-Date)
            action = str(block.get("action", "")).strip().lower()
            actions.append(action)
            address = recipient.rpartition(";")[2].strip().strip("<>").lower()
            if "@" in address and action in {"failed", ""}:
                recipients.append(address)
    # No recipient blocks at all is a malformed report: a failure is the safe reading.
    is_bounce = not actions or any(action in {"failed", ""} for action in actions)
    return Bounce(is_bounce, _unique(recipients), _returned_message_id(message))


def _status_blocks(part: Message) -> list[Message]:
    """The per-message and per-recipient header blocks of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    # Some parsers leave it as text: parse the blocks ourselves, header lines only.
    blocks: list[Message] = []
    for chunk in re.split(r"\r?\n\s*\r?\n", str(payload)):
        block = EmailMessage()
        for line in chunk.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip():
                block[name.strip()] = value.strip()
        blocks.append(block)
    return blocks


def _returned_message_id(message: Message) -> str:
    """The Message-ID of the message that bounced, from the returned copy or its headers."""
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in {"message/rfc822", "message/global"}:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found = _MESSAGE_ID.search(str(inner.get("message-id", "")))
                if found:
                    return found.group(1)
        elif ctype in {"text/rfc822-headers", "message/global-headers"}:
            text = _text_of(part)
            found = re.search(r"(?im)^message-id:\s*<([^<>\s]+)>", text)
            if found:
                return found.group(1)
    return ""


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(part.get_payload())


def _children(message: Message) -> list[Message]:
    payload = message.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
