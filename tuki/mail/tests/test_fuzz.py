"""Property tests: whatever the bytes, parse_message returns something sane."""

from __future__ import annotations

import hashlib
import os

from hypothesis import HealthCheck, given, settings, strategies as st

from tuki.mail.inbound.parsing import ParsedMessage, parse_message
from tuki.mail.tests.corpus_files import NAMES, corpus_bytes

CORPUS = [corpus_bytes(name) for name in NAMES]
FUZZ = settings(
    max_examples=int(os.environ.get("TUKI_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_sane(parsed: ParsedMessage, raw: bytes) -> None:
    assert parsed.raw == raw
    assert parsed.digest == hashlib.sha256(raw).hexdigest()
    single_lines = [parsed.subject, parsed.from_name, parsed.from_address, parsed.message_id]
    for value in single_lines + [parsed.reply_to, parsed.bounced_message_id]:
        assert isinstance(value, str)
        assert "\r" not in value and "\n" not in value
    texts = [parsed.text, parsed.new_text, parsed.quoted_text, parsed.html, *single_lines]
    for value in texts + parsed.to + parsed.cc + parsed.in_reply_to + parsed.references:
        value.encode("utf-8")  # no lone surrogates: every value can be stored
        assert "\x00" not in value
    for attachment in parsed.attachments:
        assert isinstance(attachment.content, bytes)
        assert attachment.filename and "/" not in attachment.filename
        attachment.filename.encode("utf-8")
    assert all(isinstance(item, str) for item in parsed.defects + parsed.auto_reasons)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with byte flips, a cut, or headers repeated."""
    data = bytearray(draw(st.sampled_from(CORPUS)))
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "insert"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 20))):
            index = draw(st.integers(0, len(data) - 1))
            data[index] = draw(st.integers(0, 255))
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "duplicate":
        head, sep, body = bytes(data).partition(b"\n\n" if b"\r\n\r\n" not in data else b"\r\n\r\n")
        lines = head.splitlines(keepends=True)
        picked = draw(st.lists(st.sampled_from(lines), min_size=1, max_size=10))
        data = bytearray(b"".join(lines + picked) + sep + body)
    else:
        index = draw(st.integers(0, len(data)))
        noise = draw(st.binary(min_size=1, max_size=200))
        data[index:index] = noise
    return bytes(data)


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert_sane(parse_message(raw), raw)


@FUZZ
@given(mutated())
def test_mutated_corpus_messages_never_raise(raw: bytes) -> None:
    assert_sane(parse_message(raw), raw)


MIME_WORDS = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=B\r\n",
        b"Content-Type: multipart/alternative; boundary=B\r\n",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Type: message/delivery-status\r\n",
        b"Content-Type: text/html; charset=x-nonsense\r\n",
        b"Content-Type: text/plain; charset=utf-7; format=flowed; delsp=yes\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%00x\r\n",
        b"Content-ID: <a@b>\r\n",
        b"Subject: =?utf-8?b?w6\r\n",
        b"Subject: =?x-unknown?q?=FF=00?=\r\n",
        b'From: "unterminated <a@b\r\n',
        b"To: a@b, , @, <>, group:;\r\n",
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\r\n",
        b"References: <<<>>> <a@b\r\n",
        b"\r\n",
        b"--B\r\n",
        b"--B--\r\n",
        b"<html><script>x</script><p onclick=1>hi</p>\r\n",
        b"aGVsbG8=\r\n",
        b"=C3=A4=\r\n",
        b"Final-Recipient: rfc822; x@y\r\nAction: failed\r\n",
    ]
)


@FUZZ
@given(st.lists(MIME_WORDS, max_size=40))
def test_messages_assembled_from_mime_fragments_never_raise(fragments: list[bytes]) -> None:
    raw = b"".join(fragments)
    assert_sane(parse_message(raw), raw)
