"""Search fixtures: articles of each audience and tickets of several people, all indexed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tuki.conftest import Desk
from tuki.knowledge import services as kb_services
from tuki.knowledge.models import Article, Audience, State
from tuki.search import documents
from tuki.tickets import services
from tuki.tickets.models import Ticket


@dataclass
class Library:
    public: Article  # published, public, en/ro/fi
    internal: Article  # published, agents only
    acme: Article  # published, Acme only
    draft: Article
    mine: Ticket  # the requester's, with an internal note
    colleagues: Ticket  # the colleague's (same organisation)
    outsiders: Ticket  # Globex


def published(desk: Desk, title: str, body: str, **extra: object) -> Article:
    article = kb_services.create_article(desk.operator, title=title, body=body, **extra)
    kb_services.set_state(desk.operator, article, State.REVIEW)
    return kb_services.set_state(desk.operator, article, State.PUBLISHED)


@pytest.fixture
def library(desk: Desk) -> Library:
    public = published(
        desk, "Printer jams on the third floor", "Open tray 2 and pull the paper out gently."
    )
    kb_services.add_translation(
        desk.operator, public, "ro", title="Imprimanta blocată", body="Imprimantele de la etaj."
    )
    kb_services.add_translation(
        desk.operator, public, "fi", title="Tulostin jumissa", body="Tulostimen paperi jumissa."
    )
    internal = published(
        desk, "Printer service menu", "Service passcode 4711 for the printer.",
        audience=Audience.INTERNAL,
    )  # fmt: skip
    acme = published(
        desk, "Acme printer badges", "Badge printer at Acme reception.",
        audience=Audience.ORGANISATIONS, organisations=[desk.acme],
    )  # fmt: skip
    draft = kb_services.create_article(desk.operator, title="Printer draft", body="Unfinished.")
    mine = services.create_ticket(
        desk.requester, title="Printer prints blank pages", description="Since Monday.",
        requester=desk.requester,
    )  # fmt: skip
    services.add_comment(desk.operator, mine, "Zanzibar cartridge reseller", internal=True)
    services.add_comment(desk.operator, mine, "Please try a new cartridge.", internal=False)
    colleagues = services.create_ticket(
        desk.colleague, title="Printer toner empty", description="Floor 2.",
        requester=desk.colleague,
    )  # fmt: skip
    outsiders = services.create_ticket(
        desk.outsider, title="Printer in Bucharest", description="Offline.",
        requester=desk.outsider,
    )  # fmt: skip
    documents.rebuild(documents.ARTICLE)
    documents.rebuild(documents.TICKET)
    return Library(public, internal, acme, draft, mine, colleagues, outsiders)
