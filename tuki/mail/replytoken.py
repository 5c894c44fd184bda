"""The reply token: proof that whoever writes received the desk's mail about a ticket.

The desk's mail about a ticket carries Reply-To `desk+t<ticket id>-<mac>@example.com`, where
the mac is an HMAC over the ticket id and the recipient's address, keyed from SECRET_KEY.
A reply that carries that address (in To or Cc) from the same address proves the writer
read mail sent to that recipient about that ticket: a forger who only knows the address
cannot make one. (The Message-IDs the desk sends are the other, stored, token: see
inbound/proof.py.) The MTA must deliver `desk+anything@` to `desk@` (Postfix:
`recipient_delimiter = +`).
"""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "tuki.mail.replytoken"
MAC_LENGTH = 24  # hex digits: 96 bits
TOKEN = re.compile(r"\+t(\d{1,18})-([0-9a-f]{" + str(MAC_LENGTH) + r"})@")


def mac(ticket_id: int, recipient: str) -> str:
    value = f"{ticket_id}:{recipient.strip().lower()}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:MAC_LENGTH]


def reply_address(from_email: str, ticket_id: int, recipient: str) -> str:
    """The desk's From with the token in its local part, display name kept."""
    name, address = parseaddr(from_email)
    local, at, domain = address.rpartition("@")
    if not at or not recipient:
        return formataddr((name, address))
    tagged = f"{local}+t{ticket_id}-{mac(ticket_id, recipient)}@{domain}"
    return formataddr((name, tagged))


def ticket_proven(addresses: list[str], sender: str) -> int | None:
    """The ticket id a valid token among `addresses` names for `sender`, else None."""
    for address in addresses:
        match = TOKEN.search((address or "").lower())
        if match is None:
            continue
        ticket_id = int(match.group(1))
        if constant_time_compare(match.group(2), mac(ticket_id, sender)):
            return ticket_id
    return None
