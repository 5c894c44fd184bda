"""The knowledge base in real Chromium, with the demo's articles: the agents' list, editor
with preview, history with diff and restore, inserting an article into a reply; a requester
reading in Romanian and voting; the public FAQ. Screenshots land in test-artifacts/."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tuki.conftest import PASSWORD, Desk
from tuki.demo import knowledge as demo_knowledge
from tuki.knowledge.models import Article, ArticleFeedback, ArticleTranslation, TicketArticle
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.browser


def sign_in(browser: Any, base: str, email: str | None) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    if email:
        page.goto(f"{base}/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
    return page


def seed(desk: Desk) -> None:
    cast = SimpleNamespace(
        admin=desk.admin, operators=[desk.operator], groups={"Network Helsinki": desk.network_hel},
        requesters=[desk.requester, desk.colleague, desk.outsider], categories={},
    )  # fmt: skip
    demo_knowledge.seed(cast, timezone.now())


def test_writing_reading_and_using_articles(
    chromium: Any, live_server: Any, desk: Desk, incident: Ticket, shoot: Any
) -> None:
    seed(desk)
    base = live_server.url
    password = Article.objects.get(translations__title="Reset your password")

    # 1. The operator finds the article in the list and edits it with a preview.
    operator = sign_in(chromium, base, desk.operator.email)
    operator.click("nav >> text=Knowledge")
    operator.wait_for_url("**/kb/articles/")
    shoot(operator, "agent-article-list")
    operator.goto(f"{base}/kb/{password.pk}/edit/?lang=en")
    body = operator.locator("#id_body")
    body.fill(
        body.input_value().replace("at least **14 characters**", "at least **16 characters**")
    )
    operator.fill("#id_note", "Policy: 16 characters from 2027")
    operator.click("button:has-text('Preview')")
    operator.wait_for_selector("#kb-preview strong:has-text('16 characters')")
    shoot(operator, "agent-editor-preview")
    operator.click("button:has-text('Write')")
    shoot(operator, "agent-editor")
    operator.click("button:has-text('Save new version')")
    operator.wait_for_selector("text=Saved.")
    operator.click("a:has-text('History')")
    operator.wait_for_selector("table.diff")
    shoot(operator, "agent-history-diff")
    en = ArticleTranslation.objects.get(article=password, language="en")
    assert "16 characters" in en.body

    # 2. Restoring the previous version makes a new one.
    operator.once("dialog", lambda dialog: dialog.accept())
    operator.locator("button:has-text('Restore')").first.click()
    operator.wait_for_selector("text=restored as version")
    shoot(operator, "agent-history-restored")
    en.refresh_from_db()
    assert "14 characters" in en.body

    # 3. On a ticket, the operator inserts the VPN article's link and sends the reply.
    operator.goto(f"{base}/desk/tickets/{incident.number}/")
    operator.click("button:has-text('Insert article')")
    operator.fill(".kb-insert input[type=search]", "VPN")
    operator.wait_for_selector("#kb-insert-results >> text=Connect to the VPN")
    shoot(operator, "agent-insert-article")
    operator.locator("#kb-insert-results button:has-text('Link')").first.click()
    assert "KB-" in operator.input_value("#id_body")
    operator.click("button.ws-send")
    operator.wait_for_selector(".timeline >> text=KB-")
    assert TicketArticle.objects.filter(ticket=incident).exists()

    # 4. The requester reads the password article in Romanian and votes.
    requester = sign_in(chromium, base, desk.requester.email)
    requester.click("nav >> text=Knowledge")
    requester.wait_for_url("**/kb/")
    shoot(requester, "portal-knowledge-home")
    ArticleFeedback.objects.filter(user=desk.requester).delete()  # the demo's votes: not hers
    unrated = password
    requester.goto(f"{base}/kb/{unrated.pk}/?lang=ro")
    title = unrated.translations.get(language="ro").title
    requester.wait_for_selector(f"h1:has-text('{title}')")
    shoot(requester, "portal-article-ro")
    requester.click("#kb-vote button:has-text('Yes')")
    requester.wait_for_selector("#kb-vote >> text=Thank you")
    shoot(requester, "portal-article-voted")

    # 5. Anyone may read the organisation's public FAQ.
    visitor = sign_in(chromium, base, None)
    visitor.goto(f"{base}/kb/faq/acme-oy/")
    visitor.locator(".accordion-button").first.click()
    visitor.wait_for_selector(".accordion-collapse.show")
    shoot(visitor, "public-faq")

    operator.goto(f"{base}/kb/reports/")
    shoot(operator, "agent-reports")
