"""Deflection in real Chromium: a requester starts typing a request in the portal, a
suggested article appears, they open it, click "This solved my problem", and the
self-service count on the knowledge reports page rises. Also the search pages, shot for
a look (test-artifacts/screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.knowledge.models import Deflection
from tuki.search.tests.conftest import published
from tuki.tickets import services
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.each_database,
]  # FTS5 on SQLite, full text on PostgreSQL


def solved_count(page: Any, base: str) -> int:
    page.goto(f"{base}/kb/reports/")
    return int(page.locator("#kb-solved-count").inner_text().strip())


def test_a_suggested_article_solves_the_request_and_is_counted(
    chromium: Any, live_server: Any, desk: Any, shoot: Any
) -> None:
    base = live_server.url
    published(
        desk,
        "Printer jams: clear the paper path",
        "Open tray 2, pull the jammed paper out gently and close the tray. "
        "If the printer still shows the error, switch it off and on again.",
    )
    published(desk, "Connect to the VPN", "Start the VPN client and sign in with MFA.")
    operator = sign_in(chromium, base, desk.operator.email)
    before = solved_count(operator, base)

    requester = sign_in(chromium, base, desk.requester.email)
    requester.goto(f"{base}/portal/new/")
    requester.locator("#id_title").press_sequentially("The printer keeps jamming", delay=20)
    suggestion = requester.locator("#search-suggestions .search-suggestion").first
    suggestion.wait_for()
    assert "Printer jams" in suggestion.inner_text()
    assert requester.locator("#search-suggestions mark").count() >= 1
    shoot(requester, "portal-new-request-suggestions")

    with requester.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    article.wait_for_load_state()
    article.locator("#deflection-solved button").wait_for()
    shoot(article, "suggested-article")
    article.click("#deflection-solved button")
    article.wait_for_selector("#deflection-thanks")
    shoot(article, "thanks")

    assert Deflection.objects.filter(outcome="solved", user=desk.requester).count() == 1
    assert solved_count(operator, base) == before + 1
    shoot(operator, "knowledge-reports")


def test_the_search_pages_look_right(
    chromium: Any, live_server: Any, desk: Any, shoot: Any
) -> None:
    base = live_server.url
    published(
        desk, "Reset your password", "Use the self-service page to reset a forgotten password."
    )
    published(desk, "Printer jams", "Open tray 2 and pull the <paper> out.")
    services.create_ticket(
        desk.requester, title="Password expired", description="My password expired today.",
        requester=desk.requester,
    )  # fmt: skip
    operator = sign_in(chromium, base, desk.operator.email)
    operator.fill("nav input[name=q]", "password")
    operator.press("nav input[name=q]", "Enter")
    operator.wait_for_selector("#search-hits")
    assert operator.locator("#search-hits .search-hit").count() == 2
    shoot(operator, "workspace-search")
    operator.select_option("#id_kind", "article")
    operator.wait_for_function(
        "() => document.querySelectorAll('#search-hits .search-hit').length == 1"
    )
    shoot(operator, "workspace-search-articles")

    requester = sign_in(chromium, base, desk.requester.email)
    requester.fill("#portal-search-box input[name=q]", "password")
    requester.press("#portal-search-box input[name=q]", "Enter")
    requester.wait_for_selector("#search-hits")
    shoot(requester, "portal-search")
    requester.goto(f"{base}/search/portal/?q=%22%20OR%20NEAR(%F0%9F%94%A5")
    requester.wait_for_selector("#search-empty")
    shoot(requester, "portal-search-nothing")


def test_an_operator_logging_a_call_sees_suggested_articles(
    chromium: Any, live_server: Any, desk: Any, shoot: Any
) -> None:
    base = live_server.url
    from tuki.knowledge.models import Audience

    published(
        desk, "VPN drops: renew the certificate", "Open the VPN client, renew the certificate."
    )
    published(
        desk, "VPN concentrator restart (desk only)", "Restart the VPN concentrator from the console.",
        audience=Audience.INTERNAL,
    )  # fmt: skip
    operator = sign_in(chromium, base, desk.operator.email)
    operator.goto(f"{base}/desk/call/")
    operator.locator("#id_title").press_sequentially("VPN keeps dropping", delay=20)
    operator.locator("#call-suggestions .search-suggestion").first.wait_for()
    titles = operator.locator("#call-suggestions .search-suggestion").all_inner_texts()
    assert any("certificate" in t for t in titles) and any("concentrator" in t for t in titles)
    shoot(operator, "log-call-suggestions")
