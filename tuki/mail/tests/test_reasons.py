"""Why a mail was quarantined or not sent is stored in English and shown in the reader's
language (mail/reasons.py, tuki/lib/storedtext.py)."""

import pytest
from django.utils import translation

from tuki.mail import reasons
from tuki.mail.models import InboundMessage, OutboundMessage


@pytest.mark.parametrize("lang", ["fi", "ro"])
def test_reasons_are_shown_in_the_readers_language(lang):
    bounces = OutboundMessage(reason=reasons.english(reasons.BOUNCES, address="ion@globex.ro"))
    too_large = InboundMessage(reason=reasons.english(reasons.TOO_LARGE, limit=20))
    assert bounces.reason == "Mail to ion@globex.ro bounces."
    with translation.override(lang):
        assert bounces.shown_reason == translation.gettext(reasons.BOUNCES) % {
            "address": "ion@globex.ro"
        }
        assert too_large.shown_reason == translation.gettext(reasons.TOO_LARGE) % {"limit": 20}
        assert OutboundMessage(reason=reasons.AUTO_REPLY).shown_reason == translation.gettext(
            reasons.AUTO_REPLY
        )
        assert "ion@globex.ro" in bounces.shown_reason != bounces.reason


def test_other_text_is_shown_as_it_is():
    assert OutboundMessage(reason="Held by the admin.").shown_reason == "Held by the admin."
    assert OutboundMessage(reason="").shown_reason == ""


def test_only_declared_templates_are_stored():
    with pytest.raises(ValueError):
        reasons.english("Mail to %(address)s is fine.", address="x@y")
