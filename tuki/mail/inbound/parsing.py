"""Turn the bytes of one RFC 5322 message into plain values the desk can store.

The standard library's email package (policy.default) does all MIME work; this module
only chooses what to keep: the plain-text body (or text derived from HTML), the HTML
sanitised for viewing, attachments with decoded names, inline cid: images, signatures,
forwarded messages as .eml files, threading ids, and whether a machine sent it.
parse_message never raises: odd input becomes a sane result with `defects` noted.
Pure: no Django, no database.
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import io
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

import charset_normalizer
from charset_normalizer.md import mess_ratio

from tuki.mail.inbound.htmltext import html_to_text, sanitise_html
from tuki.mail.inbound.loops import auto_reasons, find_bounce
from tuki.mail.inbound.quotes import split_reply

MAX_DEPTH = 20  # nested multiparts deeper than this are noise (or an attack)
MAX_IDS = 100  # references kept per message (the last ones matter for threading)
MAX_HEADER = 16_384  # characters; longer headers skip the structured parser, text is cut
MAX_ADDRESSES = 262_144  # characters of an address list read by the lenient parser
_LARGE_PART = 1 << 20  # characters of encoded payload
_GUESS_BYTES = 64 * 1024  # the charset detector reads this much of a text
# A declared charset that fails is retried as these, then as the undeclared text is.
# Senders label text with the base charset and write its superset's characters (Outlook's
# gb2312 with GBK ideographs, ks_c_5601 with cp949's Hangul, iso-8859-1 with cp1252's €
# and typographic quotes): decoding with the superset gives what they meant (WHATWG
# Encoding Standard does the same).
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
# What the charset detector may choose for undeclared 8-bit text: charsets mail is written
# in. On short text a free choice picks anything that decodes (mac_iceland, utf_16_be).
GUESSES = [
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "koi8_r",
    "gb18030",
    "big5hkscs",
    "cp932",
    "euc_jp",
    "cp949",
    "cp874",
]
# Letters that cp1250's Romanian and Polish (ţ ş ł ą ź ž) become when read as cp1252.
_NOT_WESTERN = set("þÞ¹³º¥ª¼¾")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
# Codecs that are not charsets: they would reinterpret the text rather than decode it.
_UNSAFE_CODECS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"}
_C1 = re.compile(r"[\x80-\x9f]")
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,990})>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_DEFAULT_NAMES = {
    "application/pgp-signature": "signature.asc",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m",
    "application/x-pkcs7-mime": "smime.p7m",
    "application/pgp-encrypted": "pgp-encrypted.txt",
    "message/delivery-status": "delivery-status.txt",
    "message/global-delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "returned-headers.txt",
    "message/global-headers": "returned-headers.txt",
}


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMessage:
    raw: bytes
    digest: str
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    new_text: str = ""
    quoted_text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reasons: list[str] = field(default_factory=list)
    is_bounce: bool = False
    bounced_recipients: list[str] = field(default_factory=list)
    bounced_message_id: str = ""
    defects: list[str] = field(default_factory=list)


_Step = Callable[[EmailMessage, ParsedMessage], None]


@dataclass
class _Body:
    """What the walk over the MIME tree collects."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one message; never raises, whatever the bytes."""
    raw = bytes(raw) if not isinstance(raw, bytes) else raw
    parsed = ParsedMessage(raw=raw, digest=hashlib.sha256(raw).hexdigest())
    steps: tuple[_Step, ...] = (_read_headers, _read_body, _read_machine_signs)
    try:
        message = _parse_bytes(raw)
    except Exception as exc:  # e.g. RecursionError on thousands of nested multiparts
        parsed.defects.append(f"unparseable MIME structure: {type(exc).__name__}")
        message, steps = _headers_only(raw)
    for step in steps:
        try:
            step(message, parsed)
        except Exception as exc:  # keep what the other steps found
            reason = clean_line(f"{type(exc).__name__}: {exc}")[:200]
            parsed.defects.append(f"{step.__name__.strip('_')}: {reason}")
    parsed.defects = _summarise(parsed.defects)
    return parsed


def _headers_only(raw: bytes) -> tuple[EmailMessage, tuple[_Step, ...]]:
    """The headers and the body as one text, for a structure the parser cannot build."""
    try:
        return _parse_bytes(raw, headers_only=True), (
            _read_headers,
            _read_raw_body,
            _read_machine_signs,
        )
    except Exception:  # not even headers: keep the bytes as text
        return EmailMessage(policy=policy.default), (_read_raw_body,)


def _summarise(defects: list[str], limit: int = 50) -> list[str]:
    """Each defect once, with a count when repeated (a broken message repeats them)."""
    counts: dict[str, int] = {}
    for defect in defects:
        counts[defect] = counts.get(defect, 0) + 1
    return [f"{d} (x{n})" if n > 1 else d for d, n in list(counts.items())[:limit]]


def _parse_bytes(raw: bytes, headers_only: bool = False) -> EmailMessage:
    """Parse from a stream: read in chunks, a large message is never copied whole as a str.

    (message_from_bytes decodes the whole message first; measured 2.8x the peak memory.)
    """
    parser = BytesParser(policy=policy.default)
    message = parser.parse(io.BytesIO(raw), headersonly=headers_only)
    assert isinstance(message, EmailMessage)
    return message


def _read_raw_body(message: EmailMessage, parsed: ParsedMessage) -> None:
    """The MIME structure could not be parsed: the body as one text, so nothing is lost."""
    body = re.split(rb"\r?\n\r?\n", parsed.raw, maxsplit=1)
    data = body[1] if len(body) == 2 else parsed.raw
    parsed.text = _clean_body(decode_bytes(data, None, parsed.defects)).strip()
    parsed.new_text, parsed.quoted_text = split_reply(parsed.text)


# Headers ---------------------------------------------------------------------------------


def _read_headers(message: EmailMessage, parsed: ParsedMessage) -> None:
    parsed.subject = clean_line(header_text(message, "subject"))
    parsed.from_name, parsed.from_address = _first_address(message, "from")
    parsed.from_name = clean_line(parsed.from_name)
    parsed.reply_to = _first_address(message, "reply-to")[1]
    if not parsed.from_address:
        parsed.from_name, parsed.from_address = _first_address(message, "sender")
    parsed.to = _addresses(message, "to")
    parsed.cc = _addresses(message, "cc")
    parsed.date = _date(header_text(message, "date"))
    ids = message_ids(_id_header(message, "message-id"))
    parsed.message_id = ids[0] if ids else _bare_id(_id_header(message, "message-id"))
    parsed.in_reply_to = message_ids(_id_header(message, "in-reply-to"))[:MAX_IDS]
    parsed.references = message_ids(_id_header(message, "references"))[-MAX_IDS:]


def raw_header(message: Message, name: str) -> list[str]:
    """All raw (undecoded) values of a header, without touching the header parser."""
    lname = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == lname]


def _id_header(message: Message, name: str) -> str:
    """A message-id header as sent: ids are never encoded words, so no decoding.

    A very long References header keeps its end, where the latest ids are.
    """
    values = raw_header(message, name)
    value = _fix_surrogates(values[0]) if values else ""
    return value[-MAX_HEADER:]


def header_text(message: Message, name: str) -> str:
    """The first value of a header, RFC 2047-decoded, tolerating any malformation.

    The policy's parser handles most headers; for what it cannot structure, or words in
    a charset it does not know (it substitutes U+FFFD), our own decoding with charset
    fallbacks takes over.
    """
    values = raw_header(message, name)
    if not values:
        return ""
    text: str | None = None
    if len(values[0]) <= MAX_HEADER:  # the policy's parser is quadratic on huge headers
        try:
            value = message.get(name)
            text = str(value) if value is not None else ""
        except Exception:  # a malformed header the policy cannot structure
            text = None
    if (
        text is None
        or ("\ufffd" in text and "\ufffd" not in values[0])
        or _C1.search(text)  # iso-8859-1 read literally: the sender meant cp1252
    ):
        text = _decode_words(values[0][:MAX_HEADER])
    return _fix_surrogates(text)


def _decode_words(value: str) -> str:
    """RFC 2047 decoding by email.header, each word through our charset fallbacks."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value)
    try:
        chunks = decode_header(value)
    except Exception:  # email.header gives up on some malformed words: keep them as text
        return value
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:  # the text between encoded words
            parts.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            parts.append(decode_bytes(chunk, charset, []))
    return _fix_surrogates("".join(parts))


def clean_line(value: str) -> str:
    """One line of text: no CR/LF or other control characters, spaces collapsed.

    This is what keeps a header injection in a subject from reaching outgoing mail.
    """
    value = _CONTROL.sub(" ", _fix_surrogates(value))
    return re.sub(r"\s+", " ", value).strip()


def message_ids(value: str) -> list[str]:
    """Message ids without angle brackets, in order, without duplicates."""
    found = _MESSAGE_ID.findall(value)
    if not found and value.strip():
        found = [_bare_id(token) for token in value.split()]
    return list(dict.fromkeys(clean for clean in (_bare_id(i) for i in found) if clean))


def _bare_id(value: str) -> str:
    value = clean_line(value).strip("<> ")
    return "" if " " in value or len(value) > 990 else value


def _first_address(message: Message, name: str) -> tuple[str, str]:
    pairs = _address_pairs(message, name)
    return pairs[0] if pairs else ("", "")


def _addresses(message: Message, name: str) -> list[str]:
    return list(dict.fromkeys(address for _, address in _address_pairs(message, name)))


def _address_pairs(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) for every address in every copy of a header."""
    pairs: list[tuple[str, str]] = []
    raw = raw_header(message, name)
    try:
        if sum(len(value) for value in raw) <= MAX_HEADER:  # quadratic on huge lists
            for header in message.get_all(name) or []:
                for address in getattr(header, "addresses", ()):
                    if "@" in address.addr_spec:
                        pairs.append((str(address.display_name), address.addr_spec.lower()))
    except Exception:  # malformed address list: fall back to the lenient utils parser
        pairs = []
    if not pairs:
        for display, address in getaddresses([value[:MAX_ADDRESSES] for value in raw]):
            if "@" in address:
                pairs.append((_decode_words(display), address.lower()))
    return [(clean_line(display), clean_line(address)) for display, address in pairs]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except Exception:  # unparseable date: the receiving time will do
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _defect_names(message: Message) -> list[str]:
    return [type(defect).__name__ for defect in getattr(message, "defects", [])]


# Text ------------------------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Decode as the writer meant: the declared charset's superset, the declared charset,
    then utf-8, a charset detector's guess, cp1252, latin-1 (which always works)."""
    declared = _codec(charset)
    if charset and declared is None:
        defects.append(f"unknown charset {clean_line(charset)[:40]!r}")
    tried: list[str] = []
    candidates = [SUPERSETS.get(declared or ""), declared, "utf-8", None, "cp1252", "latin-1"]
    for codec in candidates:
        if codec is None:
            if tried and any(byte > 0x7F for byte in data):
                guessed = _guess(data)
                if guessed is not None:
                    if charset:
                        defects.append(f"charset {clean_line(charset)[:40]!r} failed, guessed")
                    return guessed
            continue
        if codec in tried:
            continue
        tried.append(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
        if declared and codec not in (declared, SUPERSETS.get(declared)):
            defects.append(f"charset {clean_line(charset or '')[:40]!r} failed, decoded as {codec}")
        return text
    return data.decode("latin-1")


def _guess(data: bytes) -> str | None:
    """Undeclared 8-bit text that is not utf-8: cp1252 unless it reads as a misread other
    charset, then charset-normalizer's guess among GUESSES.

    On a short text the detector alone is no judge (`Hyvää päivää` came back as cp1251's
    `Hyvдд pдivдд`): its guess is taken only when no word mixes Latin with another script,
    and only when cp1252 gives letters only a misread cp1250 gives, or reads as clearly
    messier (charset-normalizer's own measure).
    """
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    try:
        best = charset_normalizer.from_bytes(data[:_GUESS_BYTES], cp_isolation=GUESSES).best()
        guessed = data.decode(best.encoding) if best is not None else None
        western_mess = mess_ratio(western, 1.0) if western is not None else 1.0
    except Exception:  # the detector is a heuristic: never let it stop a message
        return western
    if best is None or guessed is None or _mixes_scripts(guessed):
        return western
    if western is None or _NOT_WESTERN & set(western) or western_mess > best.chaos + 0.3:
        return guessed
    return western


def _mixes_scripts(text: str) -> bool:
    """Whether a word has Latin letters and letters of another script (a misread)."""
    for word in re.findall(r"[^\W\d_]{2,}", text):
        scripts = {unicodedata.name(char, "?").split(" ")[0] for char in word}
        if "LATIN" in scripts and len(scripts) > 1:
            return True
    return False


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError, TypeError):
        return None
    if info.name in _UNSAFE_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _fix_surrogates(text: str) -> str:
    """Undecodable bytes (kept as surrogates by the parser) become text or U+FFFD."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return decode_bytes(data, None, [])


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def _unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out: list[str] = []
    buffer: str | None = None
    depth_of_buffer = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content
        if buffer is not None and depth != depth_of_buffer:
            out.append(_quote_prefix(depth_of_buffer) + buffer)
            buffer = None
        soft = content.endswith(" ") and content != "-- "
        if soft and delsp:
            content = content[:-1]
        buffer = content if buffer is None else buffer + content
        depth_of_buffer = depth
        if not soft:
            out.append(_quote_prefix(depth) + buffer)
            buffer = None
    if buffer is not None:
        out.append(_quote_prefix(depth_of_buffer) + buffer)
    return "\n".join(out)


def _quote_prefix(depth: int) -> str:
    return ">" * depth + " " if depth else ""


def _clean_body(text: str) -> str:
    text = _normalise(_fix_surrogates(text))
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


# Body and attachments --------------------------------------------------------------------


def _read_body(message: EmailMessage, parsed: ParsedMessage) -> None:
    body = _Body()
    _walk(message, body, 0)
    html = "\n".join(body.htmls)
    text = "\n\n".join(t for t in body.texts if t.strip())
    if not text.strip() and html:
        text = html_to_text(html)
    parsed.text = text.strip()
    parsed.new_text, parsed.quoted_text = split_reply(parsed.text)
    parsed.html = sanitise_html(html) if html else ""
    parsed.attachments = body.attachments
    for index, attachment in enumerate(parsed.attachments):
        if not attachment.filename:  # named here, once the whole tree is numbered
            attachment.filename = _default_name(attachment.content_type, index)
    parsed.defects.extend(body.defects)


def _walk(part: Message, body: _Body, depth: int) -> None:
    """Collect body texts, HTML and attachments from one MIME part and its children."""
    if depth > MAX_DEPTH:
        body.defects.append("MIME nesting too deep; inner parts ignored")
        return
    ctype = part.get_content_type()
    if part.get_content_maintype() == "message":
        body.defects.extend(_defect_names(part))
        body.attachments.append(_message_attachment(part))
        return
    if part.is_multipart():
        body.defects.extend(_defect_names(part))
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if ctype == "multipart/alternative":
            _alternative(children, body, depth)
        else:
            for child in children:
                _walk(child, body, depth + 1)
        return
    if _is_body_text(part):
        text = _part_text(part, body.defects)
        (body.htmls if ctype == "text/html" else body.texts).append(text)
    else:
        body.attachments.append(_attachment(part))
    body.defects.extend(_defect_names(part))  # after decoding, which notes its own defects


def _alternative(children: list[Message], body: _Body, depth: int) -> None:
    """Plain text preferred; the richest HTML kept; attachments of every branch kept."""
    branches = []
    for child in children:
        branch = _Body()
        _walk(child, branch, depth + 1)
        branches.append(branch)
        body.attachments.extend(branch.attachments)
        body.defects.extend(branch.defects)
    plain = next((b.texts for b in branches if any(t.strip() for t in b.texts)), [])
    html = next((b.htmls for b in reversed(branches) if b.htmls), [])
    body.texts.extend(plain)
    body.htmls.extend(html)
    if plain and html:
        html_text = html_to_text("\n".join(html))
        # Only what the HTML says anew counts: a text part may leave out the history.
        if _diverges("\n".join(plain), split_reply(html_text)[0]):
            # Some clients (Thunderbird forwarding) send alternatives that disagree; keep
            # both so nothing the sender wrote is lost from the ticket.
            body.texts.append(html_text)
            body.defects.append("text and HTML alternatives differ; HTML text appended")


def _diverges(plain: str, html_text: str) -> bool:
    words = set(re.findall(r"\w{3,}", html_text.lower()))
    if len(words) < 3:
        return False
    known = set(re.findall(r"\w{3,}", plain.lower()))
    return len(words & known) < len(words) / 2


def _is_body_text(part: Message) -> bool:
    if part.get_content_type() not in {"text/plain", "text/html"}:
        return False
    if part.get_content_disposition() == "attachment":
        return False
    return not _filename(part)


def _payload_bytes(part: Message) -> bytes:
    """The decoded content of a leaf part.

    For a large base64 part, get_payload(decode=True) splits the text into lines and
    joins them again (three copies of a 50 MB file); binascii decodes it in one. Small or
    damaged parts take the stdlib path, which repairs padding and notes defects.
    """
    payload = part.get_payload()
    if isinstance(payload, str) and len(payload) > _LARGE_PART:
        try:
            if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
                return binascii.a2b_base64(payload)
        except (binascii.Error, ValueError):
            pass  # not clean base64: the stdlib decoder is more forgiving
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    return str(payload).encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _part_text(part: Message, defects: list[str]) -> str:
    data = _payload_bytes(part)
    text = _clean_body(decode_bytes(data, part.get_content_charset(), defects))
    if part.get_content_type() == "text/plain" and _param(part, "format") == "flowed":
        text = _unflow(text, _param(part, "delsp") == "yes")
    return text


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return str(value).strip().lower() if isinstance(value, str) else ""


def _attachment(part: Message) -> ParsedAttachment:
    data = _payload_bytes(part)
    ctype = part.get_content_type()
    content_id = _bare_id(str(part.get("content-id", "") or ""))
    filename = _filename(part)
    inline = bool(content_id) and part.get_content_disposition() != "attachment"
    return ParsedAttachment(filename and safe_filename(filename), ctype, data, content_id, inline)


def _message_attachment(part: Message) -> ParsedAttachment:
    """A forwarded or returned message, kept whole as an .eml (or its text) file."""
    ctype = part.get_content_type()
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and len(payload) == 1 else None
    if ctype in {"message/rfc822", "message/global"} and isinstance(inner, Message):
        content = _message_bytes(inner)
        subject = clean_line(header_text(inner, "subject"))
        name = _filename(part) or f"{subject or 'forwarded-message'}.eml"
        return ParsedAttachment(safe_filename(name, ".eml"), "message/rfc822", content)
    content = re.split(rb"\r?\n\r?\n", _message_bytes(part), maxsplit=1)[-1]
    name = _filename(part)
    return ParsedAttachment(name and safe_filename(name), ctype, content)


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=policy.default.clone(refold_source="none"))
    except Exception:  # a part the generator cannot write back: keep its text
        return str(message.get_payload()).encode("utf-8", "surrogateescape")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # malformed RFC 2231 parameters
        name = ""
    return clean_line(_decode_words(name)) if name else ""


def _default_name(ctype: str, index: int) -> str:
    if ctype in _DEFAULT_NAMES:
        return _DEFAULT_NAMES[ctype]
    extension = mimetypes.guess_extension(ctype) or ".bin"
    return f"attachment-{index + 1}{extension}"


def safe_filename(name: str, extension: str = "") -> str:
    """A file name without paths or control characters, at most 200 characters."""
    name = clean_line(name).replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    name = re.sub(r'[<>:"|?*]', "_", name) or "attachment"
    if extension and not name.lower().endswith(extension):
        name += extension
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 200 - len(ext) - 1] + "." + ext if dot and len(ext) <= 10 else name[:200]
    return name


# Machines --------------------------------------------------------------------------------


def _read_machine_signs(message: EmailMessage, parsed: ParsedMessage) -> None:
    header: dict[str, list[str]] = {}
    for key, value in message.raw_items():
        text = _decode_words(str(value)[:MAX_HEADER])
        header.setdefault(key.lower(), []).append(clean_line(text))
    parsed.auto_reasons = auto_reasons(
        header, parsed.from_address, parsed.subject, message.get_content_type()
    )
    bounce = find_bounce(message, parsed.from_address, header)
    parsed.is_bounce = bounce.is_bounce
    parsed.bounced_recipients = bounce.recipients
    parsed.bounced_message_id = bounce.message_id
