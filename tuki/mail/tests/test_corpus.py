"""Every message of the development corpus, with the expectations from its README."""

from __future__ import annotations

import pytest

from tuki.mail.inbound.parsing import parse_message
from tuki.mail.tests.corpus_files import CORPUS, NAMES, corpus_bytes


def parsed(name: str):
    return parse_message(corpus_bytes(name))


def test_the_corpus_is_complete_with_its_licence_and_readme() -> None:
    assert len(NAMES) == 6
    assert (CORPUS / "LICENSE.django-helpdesk").is_file()
    readme = (CORPUS / "README.md").read_text()
    for name in NAMES:
        assert name in readme, f"{name} has no expectations in the corpus README"


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_message_parses_with_its_ids_and_sender(name: str) -> None:
    message = parsed(name)
    assert message.message_id and "<" not in message.message_id
    assert "@" in message.from_address
    assert message.date is not None
    assert message.digest and len(message.digest) == 64
    assert not message.auto_reasons
    assert not message.is_bounce


def test_a_base64_subject_and_an_8bit_body_decode() -> None:
    message = parsed("all-special-chars.eml")
    assert message.subject == "Testovácí email"
    assert message.text == "íářčšáíéřášč"
    assert message.new_text == "íářčšáíéřášč"
    assert message.attachments == []


def test_a_blank_body_keeps_its_attachment_and_its_long_subject() -> None:
    message = parsed("blank-body-with-attachment.eml")
    assert message.text == ""
    assert message.subject.startswith("Attachment without body - and a loooo")
    assert message.subject.endswith("ong subject")
    assert len(message.subject) > 200  # truncating to the model is the caller's job
    [attachment] = message.attachments
    assert attachment.filename == "baf"
    assert attachment.content == b"You shouldn't see this.\n"
    assert attachment.content_type == "text/plain"
    assert not attachment.inline


def test_an_original_message_block_is_split_off_as_history() -> None:
    message = parsed("forwarded-message.eml")
    assert message.subject == "Test with original message from GitHub"
    assert "This is email body" in message.text
    assert "Hello there!" in message.text
    assert message.new_text == "This is email body"
    assert message.quoted_text.startswith("-----Original Message-----")
    assert "Hello there!" in message.quoted_text


def test_a_pgp_signed_message_keeps_the_body_and_the_signature() -> None:
    message = parsed("pgp.eml")
    assert message.subject == "example email that crashes django-helpdesk get_email"
    assert message.text == (
        "hi, thanks for looking into this :)\n\n"
        "https://github.com/django-helpdesk/django-helpdesk/issues/567#issuecomment-342954233"
    )
    [signature] = message.attachments
    assert signature.filename == "signature.asc"
    assert signature.content_type == "application/pgp-signature"
    assert signature.content.startswith(b"-----BEGIN PGP SIGNATURE-----")
    assert message.message_id == "8eef2077-8aff-9fb4-0e2a-9876ba2530b1@gmail.com"


def test_quoted_printable_alternatives_keep_text_and_sanitised_html() -> None:
    message = parsed("quoted_printable.eml")
    assert message.subject == "Český test"
    assert message.text == "Tohle je test českých písmen odeslaných z gmailu."
    assert message.html == (
        '<div dir="ltr">Tohle je test českých písmen odeslaných z gmailu.</div>'
    )
    assert message.attachments == []


def test_divergent_alternatives_keep_the_html_text_and_foreign_thread_ids() -> None:
    message = parsed("utf-nondecodable.eml")
    assert message.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    assert "prosazuje lepší" in message.text
    assert "prosazuje lepší" in message.html
    assert "Ahoj Johne," in message.text
    foreign = "CAK0Q_=uQY=3V5iUSgEN16GLtYoJ-6oQu-vYjsgQ=jv6DwOkuLQ@mail.gmail.com"
    assert message.in_reply_to == [foreign]
    assert message.references == [foreign]
    assert message.message_id == "00d73ce5-774a-5ea1-6742-af73ef58c01c@example.cz"
    assert message.quoted_text.startswith("-------- Forwarded Message --------")
