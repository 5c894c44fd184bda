"""split_reply: the new part and the quoted history, table-driven per language."""

from __future__ import annotations

import pytest

from tuki.mail.quotes import split_reply

NEW = "Thanks, the VPN works again."

ENGLISH = [
    "On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@example.com> wrote:\n> Did it work?",
    "On Mon, Mar 3, 2025 at 10:12 AM Jane Doe <\njane@example.com> wrote:\n> Did it work?",
    "On 3/3/25 10:12, Jane Doe wrote:\n> Did it work?",
    "On 3 Mar 2025, at 10:12, Jane Doe <jane@example.com> wrote:\n\n> Did it work?",
    "-----Original Message-----\nFrom: Jane\nSent: Monday\nDid it work?",
    "-------- Original Message --------\nSubject: VPN\nDid it work?",
    "From: Jane Doe <jane@example.com>\nSent: Monday, March 3, 2025 10:12 AM\n"
    "To: Desk <desk@example.com>\nSubject: RE: VPN\n\nDid it work?",
    "________________________________\nFrom: Jane Doe <jane@example.com>\n"
    "Sent: Monday, March 3, 2025 10:12 AM\nTo: Desk\nSubject: VPN",
    "*From:* Jane Doe <jane@example.com>\n*Sent:* Monday\n*To:* Desk",
    "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\nDid it work?",
    "-------- Forwarded Message --------\nSubject: VPN\nDid it work?",
    "Begin forwarded message:\n\nFrom: Jane <jane@example.com>\nDid it work?",
    "Jane Doe wrote:\n> Did it work?",
    "> Did it work?\n> Tell us.",
]
ROMANIAN = [
    "La 3 mar. 2025, la 10:12, Ion Popescu <ion@example.ro> a scris:\n> A mers?",
    "În 3 mar. 2025 10:12, Ion Popescu a scris:\n> A mers?",
    "În data de luni, 3 martie 2025, Ion Popescu <ion@example.ro> a scris:\n> A mers?",
    "Pe luni, 3 martie 2025, Ion Popescu <ion@example.ro> a scris:\n> A mers?",
    "De la: Ion Popescu <ion@example.ro>\nTrimis: luni, 3 martie 2025 10:12\n"
    "Către: Desk <desk@example.ro>\nSubiect: VPN",
    "---------- Mesaj redirecționat ---------\nDe la: Ion <ion@example.ro>\nA mers?",
    "-----Mesaj original-----\nDe la: Ion\nA mers?",
]
FINNISH = [
    "Matti Meikäläinen kirjoitti 3.3.2025 klo 10.12:\n> Toimiiko?",
    "ma 3.3.2025 klo 10.12 Matti Meikäläinen <matti@example.fi> kirjoitti:\n> Toimiiko?",
    "3.3.2025 10.12 Matti Meikäläinen kirjoitti:\n> Toimiiko?",
    "Lähettäjä: Matti Meikäläinen <matti@example.fi>\nLähetetty: maanantai 3. maaliskuuta 2025 10.12\n"
    "Vastaanottaja: Desk <desk@example.fi>\nAihe: VPN",
    "---------- Välitetty viesti ---------\nLähettäjä: Matti <matti@example.fi>\nToimiiko?",
    "-----Alkuperäinen viesti-----\nLähettäjä: Matti\nToimiiko?",
]


@pytest.mark.parametrize("history", ENGLISH + ROMANIAN + FINNISH)
def test_the_new_part_ends_where_the_history_starts(history: str) -> None:
    new, quoted = split_reply(f"{NEW}\n\n{history}\n")
    assert new == NEW
    assert quoted == history.strip()


def test_text_without_history_is_all_new() -> None:
    assert split_reply(f"  {NEW}\n\nBest,\nAna\n") == (f"{NEW}\n\nBest,\nAna", "")


def test_a_signature_goes_to_the_history() -> None:
    new, rest = split_reply(f"{NEW}\n\n-- \nAna Ionescu\nAcme IT\n")
    assert new == NEW
    assert rest == "-- \nAna Ionescu\nAcme IT"


@pytest.mark.parametrize(
    "text",
    [
        "Here is what I wrote:\nthe printer jams.",
        "From: the third floor, nobody can print.",
        "I forwarded message traffic to the team.",
    ],
)
def test_ordinary_sentences_are_not_taken_for_markers(text: str) -> None:
    assert split_reply(text) == (text, "")


def test_a_bottom_posted_reply_keeps_the_unquoted_lines() -> None:
    new, quoted = split_reply("> Did it work?\n> Tell us.\n\nYes, it works.\n")
    assert new == "Yes, it works."
    assert quoted == "> Did it work?\n> Tell us."


def test_a_plain_forward_has_an_empty_new_part() -> None:
    new, quoted = split_reply("---------- Forwarded message ---------\nFrom: a@b.c\n\nHi")
    assert new == ""
    assert quoted.startswith("---------- Forwarded message")
