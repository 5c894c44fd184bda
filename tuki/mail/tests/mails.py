"""Messages for the ingestion tests, built with the stdlib and returned as bytes."""

from __future__ import annotations

import itertools
from email import policy
from email.message import EmailMessage

_counter = itertools.count(1)
# The receiving server the tests' mailboxes trust (Mailbox.trusted_authserv_ids).
TRUSTED_SERVER = "mx.tuki.test"


def mail(
    body: str = "My VPN drops every few minutes.\n",
    *,
    sender: str = "Maija Meikäläinen <maija@acme.fi>",
    subject: str = "VPN keeps dropping",
    to: str = "Service Desk <support@tuki.test>",
    cc: str = "",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]  # an empty tuple: only read
    proven: bool = False,
) -> bytes:
    """`proven`: the trusted receiving server vouches for the sender (DMARC pass)."""
    message = EmailMessage(policy=policy.SMTP)
    if proven:
        domain = sender.rpartition("@")[2].strip(">").lower()
        message["Authentication-Results"] = (
            f"{TRUSTED_SERVER}; dmarc=pass (p=reject) header.from={domain}"
        )
    if sender:
        message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = "Mon, 03 Mar 2025 10:12:00 +0200"
    if message_id != "":
        message["Message-ID"] = f"<{message_id or f'm{next(_counter)}.test@acme.fi'}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = " ".join(f"<{r}>" for r in references.split())
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def reply_to(
    original: EmailMessage, body: str, *, sender: str = "Maija Meikäläinen <maija@acme.fi>"
) -> bytes:
    """A mail client's answer to a message Tuki sent: Re: subject, threading headers, quote."""
    parent = original["Message-ID"].strip("<> ")
    references = " ".join(
        [r.strip("<>") for r in str(original.get("References", "")).split()] + [parent]
    )
    quoted = "\n".join(
        "> " + line for line in original.get_body(("plain",)).get_content().splitlines()
    )
    return mail(
        f"{body}\n\nOn Mon, 3 Mar 2025, Service Desk wrote:\n{quoted}\n",
        sender=sender,
        subject="Re: " + str(original["Subject"]),
        in_reply_to=parent,
        references=references,
    )


def bounce(message_id: str, recipient: str = "maija@acme.fi") -> bytes:
    """A delivery status notification (RFC 3464) for a message Tuki sent."""
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.acme.fi>
To: support@tuki.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce.{next(_counter)}@mx.acme.fi>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

The mail system could not deliver your message to <{recipient}>: user unknown.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.fi

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1

--b1
Content-Type: text/rfc822-headers

From: support@tuki.test
To: {recipient}
Subject: [INC-1] VPN
Message-ID: <{message_id}>

--b1--
""".replace("\n", "\r\n").encode()
