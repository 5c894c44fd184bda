"""Knowledge fixtures: one article of each kind a reader may or may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tuki.conftest import Desk
from tuki.knowledge import services
from tuki.knowledge.models import Article, ArticleCategory, Audience, State


@dataclass
class Kb:
    network: ArticleCategory
    vpn: ArticleCategory
    public: Article  # published, public, FAQ, en/ro/fi
    internal: Article  # published, agents only
    acme: Article  # published, limited to Acme
    globex: Article  # published, limited to Globex
    draft: Article  # never published
    archived: Article


def published(desk: Desk, title: str, **extra: object) -> Article:
    article = services.create_article(desk.operator, title=title, body=f"{title} body.", **extra)
    services.set_state(desk.operator, article, State.REVIEW)
    return services.set_state(desk.operator, article, State.PUBLISHED)


@pytest.fixture
def kb(desk: Desk, django_capture_on_commit_callbacks: Any) -> Kb:
    # Run the after-commit work (the search index follows article_changed) as it would run.
    with django_capture_on_commit_callbacks(execute=True):
        return _kb(desk)


def _kb(desk: Desk) -> Kb:
    network = services.save_category(desk.admin, name="Network")
    vpn = services.save_category(desk.admin, name="VPN", parent=network)
    public = published(desk, "Connect to the VPN", category=vpn, is_faq=True, tags=["vpn"])
    services.add_translation(
        desk.operator, public, "ro", title="Conectarea la VPN", body="Pașii pentru VPN."
    )
    services.add_translation(
        desk.operator, public, "fi", title="VPN-yhteyden avaaminen", body="VPN-ohjeet."
    )
    internal = published(desk, "Reset the VPN concentrator", audience=Audience.INTERNAL)
    acme = published(
        desk, "Acme printer codes", audience=Audience.ORGANISATIONS, organisations=[desk.acme],
        is_faq=True,
    )  # fmt: skip
    globex = published(
        desk, "Globex badge office", audience=Audience.ORGANISATIONS,
        organisations=[desk.globex], is_faq=True,
    )  # fmt: skip
    draft = services.create_article(desk.operator, title="Half-written VPN notes", body="tbd")
    archived = published(desk, "Old dial-up guide")
    archived = services.set_state(desk.operator, archived, State.ARCHIVED)
    for article in (public, internal, acme, globex, draft, archived):
        article.refresh_from_db()
    return Kb(network, vpn, public, internal, acme, globex, draft, archived)
