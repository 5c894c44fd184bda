"""Mail text decoded as its writer meant it (issue 13): a label's superset, and a guess for
undeclared 8-bit text. The crafted messages are in tests/corpus/crafted/ (README there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuki.mail.inbound.parsing import decode_bytes, parse_message

CRAFTED = Path(__file__).resolve().parent / "corpus" / "crafted"

EXPECTED = {
    # label gb2312, characters only GBK has (镕)
    "gb2312-with-gbk.eml": ("朱镕基的打印机坏了", "打印机坏了"),
    # label ks_c_5601-1987, a syllable only cp949 has (똠)
    "ks_c_5601-with-cp949.eml": ("똠방각하 프린터", "프린터가 작동하지 않습니다"),
    # label iso-8859-1, cp1252's euro sign and en dash
    "latin1-with-cp1252.eml": ("Lasku 120 € – erääntyy", "Lasku 120 € – erääntyy huomenna."),
    # no charset at all: Romanian in cp1250 (ţ and ă are not cp1252's þ and ã)
    "undeclared-cp1250.eml": (
        "Imprimanta nu funcţionează",
        "Imprimanta nu funcţionează în biroul de la etajul doi.",
    ),
    # no charset: Swedish in cp1252 (å is not cp1250's ĺ)
    "undeclared-cp1252.eml": ("Skrivaren på våning två", "Skrivaren på våning två fungerar inte."),
    # no charset: utf-8
    "undeclared-utf8.eml": ("Tulostin ei toimi – kiireellinen", "Hyvää päivää"),
}


def test_every_crafted_message_has_its_expectation() -> None:
    readme = (CRAFTED / "README.md").read_text()
    names = sorted(path.name for path in CRAFTED.glob("*.eml"))
    assert names == sorted(EXPECTED)
    for name in names:
        assert name in readme


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_subject_and_body_read_as_written(name: str) -> None:
    message = parse_message((CRAFTED / name).read_bytes())
    assert (message.subject, message.text) == EXPECTED[name]


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("镕".encode("gbk"), "GB2312", "镕"),
        ("Big5: 堃".encode("big5hkscs"), "big5", "Big5: 堃"),
        ("～".encode("cp932"), "shift_jis", "～"),
        (b"ok", "us-ascii", "ok"),
        ("tête".encode(), "us-ascii", "tête"),  # mislabelled utf-8 is still utf-8
        ("Привет".encode("koi8_r"), "koi8-r", "Привет"),
        (b"\x81\x8d", "iso-8859-1", "\x81\x8d"),  # not cp1252: the label itself
    ],
)
def test_decode_bytes(data: bytes, charset: str, text: str) -> None:
    assert decode_bytes(data, charset, []) == text


def test_an_unknown_charset_is_noted_and_guessed() -> None:
    defects: list[str] = []
    assert decode_bytes("Принтер не работает".encode("cp1251"), "x-nonsense", defects) == (
        "Принтер не работает"
    )
    assert any("unknown charset" in d for d in defects)


@pytest.mark.parametrize(
    ("text", "written_in"),
    [
        ("Hyvää päivää", "cp1252"),  # the detector alone says cp1251: "Hyvдд pдivдд"
        ("Skrivaren på våning två", "cp1252"),  # cp1250 would give "pĺ"
        ("Drucker im Büro funktioniert nicht", "cp1252"),  # the detector alone: big5hkscs
        ("Problème réseau à l’étage", "cp1252"),
        ("Lasku 120 € – erääntyy", "cp1252"),
        ("Imprimanta nu funcţionează", "cp1250"),
        ("Drukarka nie działa, proszę o pomoc", "cp1250"),
        ("Принтер не работает", "cp1251"),
        ("Ο εκτυπωτής δεν λειτουργεί", "cp1253"),
        ("請求書の件について", "cp932"),
        ("关于打印机的问题", "gb18030"),
        ("프린터가 작동하지 않습니다", "cp949"),
    ],
)
def test_undeclared_8bit_text_is_read_as_written(text: str, written_in: str) -> None:
    assert decode_bytes(text.encode(written_in), None, []) == text
