"""Small hand-built messages for the parsing tests (built with the stdlib, as bytes)."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage


def build(
    body: str = "Hello desk,\nmy VPN is down.\n",
    *,
    subject: str = "VPN down",
    sender: str = "Ana Ionescu <ana@acme.example>",
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage(policy=policy.default)
    message["From"] = sender
    message["To"] = "Service Desk <desk@tuki.example>"
    message["Subject"] = subject
    message["Date"] = "Mon, 03 Mar 2025 10:12:00 +0200"
    message["Message-ID"] = "<abc@acme.example>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def raw(lines: str) -> bytes:
    """A message written by hand; lines joined with CRLF like on the wire."""
    return lines.lstrip("\n").replace("\n", "\r\n").encode("utf-8")
