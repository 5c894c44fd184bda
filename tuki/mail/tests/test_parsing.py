"""parse_message: headers, bodies, attachments and machine signs of hand-built messages."""

from __future__ import annotations

from datetime import UTC, datetime

from tuki.mail.inbound.parsing import parse_message
from tuki.mail.tests.messages import build, raw


def test_a_plain_message_gives_its_sender_recipients_and_text() -> None:
    message = parse_message(build().as_bytes())
    assert message.from_address == "ana@acme.example"
    assert message.from_name == "Ana Ionescu"
    assert message.to == ["desk@tuki.example"]
    assert message.subject == "VPN down"
    assert message.text == "Hello desk,\nmy VPN is down."
    assert message.new_text == message.text
    assert message.message_id == "abc@acme.example"
    assert message.date == datetime(2025, 3, 3, 8, 12, tzinfo=UTC)
    assert message.auto_reasons == []
    assert message.defects == []


def test_plain_text_is_preferred_and_the_html_is_sanitised() -> None:
    html = '<p onclick="x()">Hello <b>desk</b></p><script>alert(1)</script>'
    message = parse_message(build("Hello desk", html=html).as_bytes())
    assert message.text == "Hello desk"
    assert message.html == "<p>Hello <b>desk</b></p>"


def test_text_is_derived_from_html_when_there_is_no_text_part() -> None:
    message = build()
    message.set_content("<p>Hello <b>desk</b></p><p>VPN &amp; mail are down</p>", subtype="html")
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "Hello desk\n\nVPN & mail are down"
    assert parsed.html == "<p>Hello <b>desk</b></p><p>VPN &amp; mail are down</p>"


def test_a_header_injection_in_the_subject_does_not_survive() -> None:
    data = raw(
        """
From: ana@acme.example
Subject: =?utf-8?q?Hello=0D=0ABcc:_victim@example.com?=
Message-ID: <x@y>

body
"""
    )
    message = parse_message(data)
    assert "\r" not in message.subject and "\n" not in message.subject
    assert message.subject == "Hello Bcc: victim@example.com"


def test_arbitrary_bytes_give_a_sane_result() -> None:
    message = parse_message(b"\x00\xff\xfe garbage \x80\x81\r\n\r\n\xc3\x28")
    assert isinstance(message.text, str)
    assert message.subject == ""
    assert message.message_id == ""


def test_a_truncated_message_keeps_what_arrived() -> None:
    whole = build("Line one.\nLine two.\n").as_bytes()
    message = parse_message(whole[: whole.index(b"Line two")])
    assert message.subject == "VPN down"
    assert message.text == "Line one."


def test_a_message_cut_inside_its_headers_still_has_a_sender() -> None:
    message = parse_message(b"From: ana@acme.example\r\nSubject: Half a subj")
    assert message.from_address == "ana@acme.example"
    assert message.subject == "Half a subj"
    assert message.text == ""


def test_thousands_of_nested_parts_fall_back_to_headers_and_raw_text() -> None:
    parts = b"".join(
        b"--B%d\r\nContent-Type: multipart/mixed; boundary=B%d\r\n\r\n" % (i, i + 1)
        for i in range(1500)
    )
    data = b"Subject: deep\r\nContent-Type: multipart/mixed; boundary=B0\r\n\r\n" + parts
    message = parse_message(data)
    assert message.subject == "deep"
    assert message.defects[0] == "unparseable MIME structure: RecursionError"
    assert "B1499" in message.text


def test_repeated_defects_are_counted_once() -> None:
    data = b"Content-Type: multipart/mixed; boundary=B\r\n\r\n" + (
        b"--B\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" * 30
    )
    defects = parse_message(data).defects
    assert "StartBoundaryNotFoundDefect (x30)" in defects
    assert len(defects) == len(set(defects))


def test_huge_headers_are_cut() -> None:
    # How fast this is belongs to the benchmarks (bench/), not to a test.
    data = (
        b"From: a@b.c\r\nSubject: " + b"=?utf-8?q?caf=C3=A9?= " * 50_000 + b"\r\n"
        b"To: " + b"x@y.z, " * 50_000 + b"\r\nReferences: " + b"<r@x> " * 50_000 + b"<last@x>\r\n"
        b"\r\nbody"
    )
    message = parse_message(data)
    assert message.subject.startswith("cafécafé")
    assert len(message.subject) < 20_000
    assert message.to == ["x@y.z"]
    assert message.references == ["r@x", "last@x"]
