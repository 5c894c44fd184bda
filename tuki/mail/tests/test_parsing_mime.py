"""parse_message on MIME structure: charsets, alternatives, attachments, inline images."""

from __future__ import annotations

import pytest

from tuki.mail.inbound.parsing import parse_message
from tuki.mail.tests.messages import raw

HEAD = "From: Ana <ana@acme.example>\nTo: desk@tuki.example\nMessage-ID: <m@acme.example>\n"


def mixed(*parts: str, subject: str = "Files") -> bytes:
    body = "".join(f"--XX\n{part.strip()}\n" for part in parts)
    return raw(
        f"{HEAD}Subject: {subject}\nContent-Type: multipart/mixed; boundary=XX\n\n{body}--XX--"
    )


@pytest.mark.parametrize(
    ("charset", "payload", "expected"),
    [
        ("iso-8859-2", "Za\xbf\xf3\xb3\xe6", "Zażółć"),
        ("windows-1252", "\x93quoted\x94 \x80", "\u201cquoted\u201d €"),
        ("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
        ("utf8", "Ședință", "Ședință"),
    ],
)
def test_a_declared_charset_is_used(charset: str, payload: str, expected: str) -> None:
    data = raw(f"{HEAD}Subject: x\nContent-Type: text/plain; charset={charset}\n\n")
    encoded = payload.encode("utf-8") if charset == "utf8" else payload.encode("latin-1")
    message = parse_message(data + encoded)
    assert message.text == expected
    assert message.defects == []


@pytest.mark.parametrize(
    ("declared", "body", "expected"),
    [
        (None, "Hyvää päivää".encode(), "Hyvää päivää"),  # undeclared: utf-8 first
        (None, "Hyvää päivää".encode("cp1252"), "Hyvää päivää"),  # then cp1252
        ("x-no-such-charset", "Café".encode(), "Café"),  # unknown: the fallbacks
        ("us-ascii", "Lähettäjä".encode(), "Lähettäjä"),  # wrong declaration
        ("base64", b"aGk=", "aGk="),  # a codec that is not a charset is ignored
    ],
)
def test_a_missing_wrong_or_unknown_charset_falls_back(declared, body, expected) -> None:
    ctype = f"text/plain; charset={declared}" if declared else "text/plain"
    data = raw(f"{HEAD}Subject: x\nContent-Type: {ctype}\nContent-Transfer-Encoding: 8bit\n\n")
    message = parse_message(data + body)
    assert message.text == expected


def test_an_unknown_charset_is_noted_as_a_defect() -> None:
    data = raw(f"{HEAD}Subject: x\nContent-Type: text/plain; charset=x-nonsense\n\nhello")
    assert parse_message(data).defects == ["unknown charset 'x-nonsense'"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("=?UTF-8?B?VGVzdG92w6Fjw60gZW1haWw=?=", "Testovácí email"),
        ("=?iso-8859-1?q?J=F6rg_fragt?=", "Jörg fragt"),
        ("Re: =?utf-8?q?Sesiune_expirat=C4=83?=", "Re: Sesiune expirată"),
        ("=?utf-8?q?Se=C8=99?= =?utf-8?q?iune?= 8-bit expirat\u0103", "Seșiune 8-bit expirată"),
        ("=?x-unknown?q?caf=E9?= and =?utf-8?q?na=C3=AFve?=", "café and naïve"),
        ("=?utf-8?q?broken", "=?utf-8?q?broken"),
        ("Lähettäjä raw 8-bit", "Lähettäjä raw 8-bit"),
        ("tab\there  and\x00nul", "tab here and nul"),
    ],
)
def test_subjects_are_decoded_to_one_clean_line(header: str, expected: str) -> None:
    data = raw(f"{HEAD}Subject: {header}\n\nbody")
    message = parse_message(data)
    assert message.subject == expected


def test_a_folded_subject_is_unfolded() -> None:
    data = raw(f"{HEAD}Subject: =?UTF-8?Q?Fwd=3a_zm=c4=9bna_vyhodnocen?=\n =?UTF-8?B?w60=?=\n\nx")
    assert parse_message(data).subject == "Fwd: změna vyhodnocení"


def test_a_cp1252_subject_in_raw_bytes_is_decoded() -> None:
    data = raw(f"{HEAD}Content-Type: text/plain\n") + b"Subject: Caf\xe9 cr\xe8me\r\n\r\nx"
    assert parse_message(data).subject == "Café crème"


def test_attachment_names_in_rfc_2231_and_rfc_2047_are_decoded() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nSee attached.",
        "Content-Type: application/pdf\nContent-Disposition: attachment;"
        " filename*=utf-8''%C8%98edin%C8%9B%C4%83%20raport.pdf\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK",
        "Content-Type: application/octet-stream\n"
        'Content-Disposition: attachment; filename="=?utf-8?b?w6RpdGkudHh0?="\n\nhi',
        "Content-Type: text/csv; name*0*=iso-8859-1''l%E4h; name*1=etys.csv\n"
        "Content-Disposition: attachment\n\na,b",
    )
    message = parse_message(data)
    assert message.text == "See attached."
    assert [a.filename for a in message.attachments] == [
        "Ședință raport.pdf",
        "äiti.txt",
        "lähetys.csv",
    ]
    assert message.attachments[0].content == b"%PDF-1.4\n"
    assert message.attachments[0].content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\\\Users\\\\x\\\\evil.exe", "evil.exe"),
        ("..", "attachment"),
        ("=?utf-8?q?a=0D=0Ab.txt?=", "a b.txt"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_attachment_names_lose_paths_and_control_characters(name: str, expected: str) -> None:
    data = mixed(
        f'Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="{name}"\n\nx'
    )
    assert parse_message(data).attachments[0].filename == expected


def test_unnamed_attachments_get_a_name_from_their_type() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nhi",
        "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=",
        "Content-Type: application/x-unheard-of\n\nx",
    )
    assert [a.filename for a in parse_message(data).attachments] == [
        "attachment-1.png",
        "attachment-2.bin",
    ]


def test_inline_cid_images_are_kept_with_their_content_id() -> None:
    data = raw(
        f"""{HEAD}Subject: logo
Content-Type: multipart/alternative; boundary=A

--A
Content-Type: text/plain

See the logo.
--A
Content-Type: multipart/related; boundary=R

--R
Content-Type: text/html; charset=utf-8

<p>See <img src="cid:logo@acme" alt="logo"> the logo.</p>
--R
Content-Type: image/png; name=logo.png
Content-Disposition: inline; filename=logo.png
Content-ID: <logo@acme>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--R--
--A--"""
    )
    message = parse_message(data)
    assert message.text == "See the logo."
    assert message.html == '<p>See <img src="cid:logo@acme" alt="logo"> the logo.</p>'
    [image] = message.attachments
    assert (image.filename, image.content_id, image.inline) == ("logo.png", "logo@acme", True)
    assert image.content == b"\x89PNG\r\n\x1a\n"


def test_an_attached_image_with_a_content_id_is_not_inline() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nhi",
        "Content-Type: image/png\nContent-Disposition: attachment; filename=a.png\n"
        "Content-ID: <a@b>\n\nx",
    )
    assert parse_message(data).attachments[0].inline is False


def test_a_forwarded_message_is_kept_as_an_eml_attachment() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nPlease look at this.",
        "Content-Type: message/rfc822\n\nFrom: boss@acme.example\nSubject: Printer on fire\n"
        "Message-ID: <orig@acme.example>\n\nThe original text.",
    )
    message = parse_message(data)
    assert message.text == "Please look at this."
    [eml] = message.attachments
    assert (eml.filename, eml.content_type) == ("Printer on fire.eml", "message/rfc822")
    inner = parse_message(eml.content)
    assert inner.message_id == "orig@acme.example"
    assert inner.text == "The original text."


@pytest.mark.parametrize(
    ("ctype", "name"),
    [
        ("application/pkcs7-signature", "smime.p7s"),
        ("application/x-pkcs7-signature", "smime.p7s"),
        ("application/pgp-signature", "signature.asc"),
    ],
)
def test_signatures_are_kept_as_attachments(ctype: str, name: str) -> None:
    data = raw(
        f"""{HEAD}Subject: signed
Content-Type: multipart/signed; protocol="{ctype}"; micalg=sha-256; boundary=S

--S
Content-Type: text/plain

Signed text.
--S
Content-Type: {ctype}
Content-Transfer-Encoding: base64

AAEC
--S--"""
    )
    message = parse_message(data)
    assert message.text == "Signed text."
    [signature] = message.attachments
    assert (signature.filename, signature.content_type, signature.content) == (
        name,
        ctype,
        b"\0\1\2",
    )


def test_an_html_only_message_gets_text_and_keeps_links_safe() -> None:
    data = raw(
        f"""{HEAD}Subject: html
Content-Type: text/html; charset=utf-8

<html><head><style>p {{color: red}}</style><title>T</title></head>
<body><p>Hello,</p><p>the <a href="javascript:alert(1)">VPN</a> is down.<br>Since 9:00.</p>
<iframe src="https://evil.example"></iframe><form><input name=x></form>
<img src="https://tracker.example/p.gif" onerror="alert(1)"></body></html>"""
    )
    message = parse_message(data)
    assert message.text == "Hello,\n\nthe VPN is down.\nSince 9:00."
    for bad in ("javascript", "onerror", "iframe", "<form", "<input", "<style", "<title"):
        assert bad not in message.html
    assert "<p>Hello,</p>" in message.html


def test_format_flowed_soft_breaks_are_joined() -> None:
    data = raw(
        f"{HEAD}Subject: flowed\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
        "This is a long line that was \nwrapped by the client.\n\n> quoted soft \n> line\n-- \nAna"
    )
    assert parse_message(data).text == (
        "This is a long line that waswrapped by the client.\n\n> quoted softline\n-- \nAna"
    )


def test_several_inline_text_parts_are_joined() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nFirst part.",
        "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlh",
        "Content-Type: text/plain\n\nSecond part.",
    )
    assert parse_message(data).text == "First part.\n\nSecond part."


def test_a_text_file_attachment_is_not_taken_for_the_body() -> None:
    data = mixed(
        "Content-Type: text/plain\n\nBody.",
        "Content-Type: text/plain\nContent-Disposition: attachment; filename=log.txt\n\nlog line",
        "Content-Type: text/html; name=page.html\n\n<p>page</p>",
    )
    message = parse_message(data)
    assert message.text == "Body."
    assert message.html == ""
    assert [a.filename for a in message.attachments] == ["log.txt", "page.html"]


def test_addresses_are_lower_cased_and_groups_are_skipped() -> None:
    data = raw(
        "From: =?iso-8859-1?q?J=F6rg?= <Jorg@Example.DE>\n"
        'To: desk@tuki.example, "Pop, Ion" <ION@Example.RO>\n'
        "Cc: undisclosed-recipients:;\nCc: Maija <maija@acme.fi>\n"
        "Reply-To: Helpdesk Bot <BOT@acme.fi>\nSubject: x\n\nbody"
    )
    message = parse_message(data)
    assert (message.from_name, message.from_address) == ("Jörg", "jorg@example.de")
    assert message.to == ["desk@tuki.example", "ion@example.ro"]
    assert message.cc == ["maija@acme.fi"]
    assert message.reply_to == "bot@acme.fi"


def test_message_ids_lose_their_brackets_and_duplicates() -> None:
    data = raw(
        "From: a@b.c\nMessage-ID: <m@x>\nIn-Reply-To: <p@x> (comment)\n"
        "References: <r1@x>\n <r2@x> <r1@x>\n\tbare@x\nSubject: x\n\nbody"
    )
    message = parse_message(data)
    assert message.message_id == "m@x"
    assert message.in_reply_to == ["p@x"]
    assert message.references == ["r1@x", "r2@x"]


def test_a_missing_or_bracketless_message_id() -> None:
    assert parse_message(raw("From: a@b.c\n\nx")).message_id == ""
    assert parse_message(raw("From: a@b.c\nMessage-ID: abc@x\n\nx")).message_id == "abc@x"


def test_an_html_part_with_more_history_than_the_text_part_adds_nothing() -> None:
    history = " ".join(f"word{i}" for i in range(200))
    data = raw(
        f"""{HEAD}Subject: x
Content-Type: multipart/alternative; boundary=A

--A
Content-Type: text/plain

It works now, thanks.
--A
Content-Type: text/html

<p>It works now, thanks.</p><div>On 3/3/25 10:12, Desk wrote:<blockquote>{history}</blockquote></div>
--A--"""
    )
    message = parse_message(data)
    assert message.text == "It works now, thanks."
    assert message.defects == []
