"""split_reply: the new part and the quoted history, table-driven per language."""

from __future__ import annotations

import pytest

from tuki.mail.inbound.htmltext import html_to_text
from tuki.mail.inbound.quotes import split_reply

# Each language: (new text, histories as clients write them).
ENGLISH = (
    "Thanks, the VPN works again.",
    [
        # Gmail, one line and wrapped over two
        "On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@example.com> wrote:\n> Did it work?",
        "On Mon, Mar 3, 2025 at 10:12 AM Jane Doe <\njane@example.com> wrote:\n> Did it work?",
        # Thunderbird, Apple Mail, Yahoo, Outlook on the web
        "On 3/3/25 10:12, Jane Doe wrote:\n> Did it work?",
        "On 3 Mar 2025, at 10:12, Jane Doe <jane@example.com> wrote:\n\n> Did it work?",
        "On Monday, March 3, 2025, 10:12:00 AM GMT+2, Jane Doe <jane@example.com> wrote:\n\n\n"
        "Did it work?",
        "Jane Doe wrote:\n> Did it work?",
        # Outlook
        "-----Original Message-----\nFrom: Jane\nSent: Monday\nDid it work?",
        "-------- Original Message --------\nSubject: VPN\nDid it work?",
        "From: Jane Doe <jane@example.com>\nSent: Monday, March 3, 2025 10:12 AM\n"
        "To: Desk <desk@example.com>\nSubject: RE: VPN\n\nDid it work?",
        "________________________________\nFrom: Jane Doe <jane@example.com>\n"
        "Sent: Monday, March 3, 2025 10:12 AM\nTo: Desk\nSubject: VPN",
        "From: Jane Doe <jane@example.com>\nDate: Monday, 3 March 2025 at 10:12\nTo: Desk",
        "*From:* Jane Doe <jane@example.com>\n*Sent:* Monday\n*To:* Desk",
        # forwards
        "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\nDid it work?",
        "-------- Forwarded Message --------\nSubject: VPN\nDid it work?",
        "Begin forwarded message:\n\nFrom: Jane <jane@example.com>\nDid it work?",
        # quoting only, signatures
        "> Did it work?\n> Tell us.",
        "-- \nJane Doe\nAcme IT",
        "--\nJane Doe",
        "Sent from my iPhone",
        "Get Outlook for Android",
    ],
)
ROMANIAN = (
    "Mulțumesc, acum merge VPN-ul.",
    [
        "La 3 mar. 2025, la 10:12, Ion Popescu <ion@example.ro> a scris:\n> A mers?",
        "În lun., 3 mar. 2025 la 10:12, Ion Popescu <ion@example.ro> a scris:\n\n> A mers?",
        "În 3 mar. 2025 10:12, Ion Popescu a scris:\n> A mers?",
        "În data de luni, 3 martie 2025, Ion Popescu <ion@example.ro> a scris:\n> A mers?",
        "Pe 03.03.2025 10:12, Ion Popescu a scris:\n> A mers?",
        "Ion Popescu a scris:\n> A mers?",
        "De la: Ion Popescu <ion@example.ro>\nTrimis: luni, 3 martie 2025 10:12\n"
        "Către: Desk <desk@example.ro>\nSubiect: VPN",
        "De la: Ion Popescu <ion@example.ro>\nData: luni, 3 martie 2025 10:12\nCatre: Desk",
        "________________________________\nDe la: Ion Popescu\nTrimis: luni\nSubiect: VPN",
        "---------- Mesaj redirecționat ---------\nDe la: Ion <ion@example.ro>\nA mers?",
        "-------- Mesaj redirecţionat --------\nSubiect: VPN",
        "Începutul mesajului redirecționat:\n\nDe la: Ion <ion@example.ro>",
        "-----Mesaj original-----\nDe la: Ion\nA mers?",
        "-----Mesajul original-----\nDe la: Ion\nA mers?",
        "Trimis de pe iPhone-ul meu",
    ],
)
FINNISH = (
    "Kiitos, VPN toimii taas.",
    [
        "Matti Meikäläinen kirjoitti 3.3.2025 klo 10.12:\n> Toimiiko?",
        "ma 3.3.2025 klo 10.12 Matti Meikäläinen <matti@example.fi> kirjoitti:\n> Toimiiko?",
        "3.3.2025 10.12 Matti Meikäläinen kirjoitti:\n> Toimiiko?",
        "3.3.2025 kello 10.12, Matti Meikäläinen <matti@example.fi> kirjoitti:\n\n> Toimiiko?",
        "Matti Meikäläinen kirjoitti:\n> Toimiiko?",
        "Lähettäjä: Matti Meikäläinen <matti@example.fi>\nLähetetty: maanantai 3. maaliskuuta"
        " 2025 10.12\nVastaanottaja: Desk <desk@example.fi>\nAihe: VPN",
        "________________________________\nLähettäjä: Matti\nLähetetty: maanantai\nAihe: VPN",
        "Lähettäjä: Matti <matti@example.fi>\nPäivämäärä: maanantai 3.3.2025 klo 10.12\nAihe: VPN",
        "---------- Välitetty viesti ---------\nLähettäjä: Matti <matti@example.fi>\nToimiiko?",
        "-------- Välitetty viesti --------\nAihe: VPN",
        "Alkaa välitetty viesti:\n\nLähettäjä: Matti <matti@example.fi>",
        "-----Alkuperäinen viesti-----\nLähettäjä: Matti\nToimiiko?",
        "Lähetetty iPhonesta",
    ],
)
CASES = [(new, history) for new, histories in (ENGLISH, ROMANIAN, FINNISH) for history in histories]


@pytest.mark.parametrize(("new_text", "history"), CASES)
def test_the_new_part_ends_where_the_history_starts(new_text: str, history: str) -> None:
    new, quoted = split_reply(f"{new_text}\n\n{history}\n")
    assert new == new_text
    assert quoted == history.strip()


@pytest.mark.parametrize(("new_text", "history"), CASES[:5])
def test_windows_line_endings_split_the_same(new_text: str, history: str) -> None:
    text = f"{new_text}\n\n{history}".replace("\n", "\r\n")
    assert split_reply(text) == (new_text, history)


def test_text_without_history_is_all_new() -> None:
    assert split_reply("  Hello,\n\nthe VPN drops.\n\nBest,\nAna\n") == (
        "Hello,\n\nthe VPN drops.\n\nBest,\nAna",
        "",
    )


def test_the_first_marker_wins_and_everything_after_is_history() -> None:
    text = "Works now.\n\n-- \nAna\n\nOn 3/3/25 10:12, Desk wrote:\n> Try again\n"
    assert split_reply(text) == (
        "Works now.",
        "-- \nAna\n\nOn 3/3/25 10:12, Desk wrote:\n> Try again",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Here is what I wrote:\nthe printer jams.",
        "In 2020 I wrote:\nthe same thing.",
        "From: the third floor, nobody can print.",
        "From: Ana\nnobody can print.",
        "I forwarded message traffic to the team.",
        "Matti kirjoitti kolme raporttia:\nne ovat liitteenä.",
        "Ion a scris ieri:\nnu merge.",
        "Use -- to end the options.",
        "The original message was lost.",
    ],
)
def test_ordinary_sentences_are_not_taken_for_markers(text: str) -> None:
    assert split_reply(text) == (text, "")


def test_a_bottom_posted_reply_keeps_the_unquoted_lines() -> None:
    new, quoted = split_reply("> Did it work?\n> Tell us.\n\nYes, it works.\n")
    assert new == "Yes, it works."
    assert quoted == "> Did it work?\n> Tell us."


def test_an_interleaved_reply_keeps_every_answer() -> None:
    text = "> Is it the VPN?\nYes.\n> Since when?\nMonday.\n"
    assert split_reply(text) == ("Yes.\nMonday.", "> Is it the VPN?\n> Since when?")


def test_a_plain_forward_has_an_empty_new_part() -> None:
    new, quoted = split_reply("---------- Forwarded message ---------\nFrom: a@b.c\n\nHi")
    assert new == ""
    assert quoted.startswith("---------- Forwarded message")


def test_empty_text() -> None:
    assert split_reply("") == ("", "")
    assert split_reply("\n \n") == ("", "")


def test_gmail_html_quotes_split_after_conversion() -> None:
    html = (
        '<div dir="ltr">It works, thanks!</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">On Mon, 3 Mar 2025 at 10:12, Desk &lt;desk@x.fi&gt;'
        ' wrote:<br></div><blockquote class="gmail_quote">Please restart it.</blockquote></div>'
    )
    new, quoted = split_reply(html_to_text(html))
    assert new == "It works, thanks!"
    assert quoted == "On Mon, 3 Mar 2025 at 10:12, Desk <desk@x.fi> wrote:\n\n> Please restart it."


def test_outlook_html_quotes_split_after_conversion() -> None:
    html = (
        "<div><p>Kiitos, toimii.</p></div><hr><div id=divRplyFwdMsg><b>Lähettäjä:</b> Desk"
        " &lt;desk@x.fi&gt;<br><b>Lähetetty:</b> maanantai 3. maaliskuuta 2025 10.12<br>"
        "<b>Aihe:</b> VPN</div><div>Käynnistä uudelleen.</div>"
    )
    new, quoted = split_reply(html_to_text(html))
    assert new == "Kiitos, toimii."
    assert quoted.startswith("Lähettäjä: Desk <desk@x.fi>\nLähetetty:")
    assert quoted.endswith("Käynnistä uudelleen.")
