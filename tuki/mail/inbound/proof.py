"""Whether a message comes from the address in its From: the proofs, strongest first.

`From:` is whatever the sender typed. A message counts as written by that address only with
one of these (docs/security/mail.md):

1. the receiving mail server's verdict, an `Authentication-Results` header (RFC 8601) with
   `dmarc=pass`, or `dkim=pass` whose `header.d` is aligned with the From domain, from an
   authserv-id the mailbox trusts. Only the block of trusted headers at the top of the
   message counts, the ones the server added on receipt: a trusted authserv-id found below
   the next `Received` line was written before the message reached that server, that is,
   by the sender (RFC 8601 section 5: such headers may be forged);
2. Tuki's own DKIM check (dkimpy), when the mailbox asks for it, with the same alignment;
3. for one ticket only, a reply token (mail/replytoken.py) in To or Cc, or a Message-ID the
   desk sent to this address about this ticket in In-Reply-To or References.

Without proof a reply to a ticket is held for an agent (inbound/intake.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses

import dkim

from tuki.mail import replytoken
from tuki.mail.inbound import threads
from tuki.mail.inbound.parsing import ParsedMessage
from tuki.mail.models import Mailbox, OutboundMessage, OutboundStatus, Proof
from tuki.tickets.models import Ticket

logger = logging.getLogger(__name__)

DNS_TIMEOUT = 5  # seconds for one DNS lookup of a DKIM key
MAX_SIGNATURES = 5  # DKIM signatures tried per message
MAX_AR_HEADERS = 20
# The DNS lookup of DKIM keys: dkimpy's own (dnspython) unless a test gives a resolver.
DnsFunc = Callable[..., bytes | None]
dns_txt: DnsFunc = dkim.get_txt


@dataclass(frozen=True)
class Proven:
    proof: str  # a Proof value
    detail: str = ""


# Authentication-Results ------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    method: str
    result: str
    properties: dict[str, str]


def _uncomment(value: str) -> str:
    """The header value without (comments), quoted strings kept."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            out.append(char)
            if char == '"':
                quoted = False
        elif char == '"' and depth == 0:
            quoted = True
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


_TOKEN = re.compile(r'([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]+)')


def parse_authentication_results(value: str) -> tuple[str, list[Result]]:
    """(authserv-id, results) of one header value; ("", []) when it cannot be read."""
    text = _uncomment(re.sub(r"\r?\n", " ", value))
    parts = re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', text)
    head = parts[0].split()
    if not head:
        return "", []
    authserv_id = head[0].lower()
    results: list[Result] = []
    for part in parts[1:]:
        pairs = [(k.lower(), v.strip('"')) for k, v in _TOKEN.findall(part)]
        if not pairs:
            continue
        method, result = pairs[0]
        properties = {k: v for k, v in pairs[1:] if k != "reason"}
        results.append(Result(method.split("/")[0], result.lower(), properties))
    return authserv_id, results


def trusted_results(message: Message, trusted: set[str]) -> tuple[str, list[Result]]:
    """The results the trusted server added on receipt (see the module's docstring)."""
    found: list[Result] = []
    server = ""
    seen = 0
    for name, value in message.raw_items():
        lname = name.lower()
        if server and lname == "received":
            break  # below here the headers were written before our server saw the message
        if lname != "authentication-results":
            continue
        seen += 1
        if seen > MAX_AR_HEADERS:
            break
        authserv_id, results = parse_authentication_results(str(value))
        if authserv_id and authserv_id in trusted:
            server = server or authserv_id
            found.extend(results)
    return server, found


def aligned(signer: str, from_domain: str) -> bool:
    """Relaxed DMARC alignment without the public suffix list: one domain is the other, or
    a parent of it below the top level (a signer must control that zone to sign)."""
    signer = signer.strip().strip(".").lower()
    from_domain = from_domain.strip().strip(".").lower()
    if not signer or not from_domain or "." not in signer or "." not in from_domain:
        return False
    return (
        signer == from_domain
        or from_domain.endswith("." + signer)
        or signer.endswith("." + from_domain)
    )


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def mta_proof(message: Message, from_domain: str, trusted: set[str]) -> Proven | None:
    if not trusted:
        return None
    server, results = trusted_results(message, trusted)
    for result in results:
        if result.method == "dmarc" and result.result == "pass":
            header_from = result.properties.get("header.from", from_domain).lower()
            if header_from == from_domain:
                return Proven(Proof.MTA, f"dmarc=pass ({server})"[:255])
    for result in results:
        if result.method == "dkim" and result.result == "pass":
            signer = result.properties.get("header.d") or _domain(
                result.properties.get("header.i", "")
            )
            if aligned(signer, from_domain):
                return Proven(Proof.MTA, f"dkim=pass header.d={signer} ({server})"[:255])
    return None


# Tuki's own DKIM check -------------------------------------------------------------------


def dkim_proof(raw: bytes, from_domain: str) -> Proven | None:
    """A valid DKIM signature aligned with the From domain, checked here (DNS lookups time out
    after DNS_TIMEOUT seconds each)."""
    try:
        checker = dkim.DKIM(raw, timeout=DNS_TIMEOUT)
        count = sum(1 for name, _value in checker.headers if name.lower() == b"dkim-signature")
    except Exception:  # not even the headers parse: no signature to check
        return None
    for index in range(min(count, MAX_SIGNATURES)):
        try:
            valid = checker.verify(idx=index, dnsfunc=dns_txt)
        except Exception as exc:  # dkim.DKIMException, DNS errors and timeouts
            logger.info("DKIM signature %d not verified: %s", index, exc)
            continue
        signer = (checker.domain or b"").decode("ascii", "replace")
        if valid and aligned(signer, from_domain):
            return Proven(Proof.DKIM, f"dkim=pass header.d={signer}"[:255])
    return None


# The whole message -----------------------------------------------------------------------


def _headers(raw: bytes) -> Message:
    return BytesHeaderParser(policy=policy.compat32).parsebytes(raw)


def single_author(message: Message) -> bool:
    """One From header with one address: DMARC checks nothing else, nor do we."""
    values = [str(v) for k, v in message.raw_items() if k.lower() == "from"]
    return len(values) == 1 and len(getaddresses(values)) == 1


def sender_proof(parsed: ParsedMessage, mailbox: Mailbox | None) -> Proven | None:
    """Proof from the message itself (1 and 2 above), whatever ticket it concerns."""
    from_domain = _domain(parsed.from_address)
    if mailbox is None or not from_domain:
        return None
    try:
        message = _headers(parsed.raw)
    except Exception:  # headers that cannot be read prove nothing
        return None
    if not single_author(message):
        return None
    proven = mta_proof(message, from_domain, mailbox.authserv_ids)
    if proven is None and mailbox.verify_dkim:
        proven = dkim_proof(parsed.raw, from_domain)
    return proven


def token_ticket(parsed: ParsedMessage) -> Ticket | None:
    """The ticket a valid reply token in To or Cc names for the sender."""
    ticket_id = replytoken.ticket_proven([*parsed.to, *parsed.cc], parsed.from_address)
    return threads.follow_merges(ticket_id) if ticket_id is not None else None


def token_proof(parsed: ParsedMessage, ticket: Ticket) -> Proven | None:
    """Proof for this ticket only: the sender answers mail the desk sent them about it."""
    sender = parsed.from_address.strip().lower()
    if not sender:
        return None
    named = token_ticket(parsed)
    if named is not None and named.pk == ticket.pk:
        return Proven(Proof.TOKEN, "reply address")
    ids = [i[: threads.ID_LENGTH] for i in [*parsed.in_reply_to, *parsed.references] if i]
    if not ids:
        return None
    # The ids are random (planning.new_message_id): only a recipient knows one. A message
    # never sent (skipped) reached nobody.
    sent = (
        OutboundMessage.objects.filter(message_id__in=ids)
        .exclude(status=OutboundStatus.SKIPPED)
        .only("message_id", "ticket_id", "to_address", "cc")
    )
    for outbound in sent:
        if sender != outbound.to_address.lower() and sender not in outbound.cc_list:
            continue
        answered = threads.follow_merges(outbound.ticket_id)
        if answered is not None and answered.pk == ticket.pk:
            return Proven(Proof.TOKEN, f"answers <{outbound.message_id}>"[:255])
    return None
