"""What the knowledge pages do: edit, version, diff, restore, translate, vote, insert into a
reply, write an article from a ticket; bad input; and the pages' query budgets."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import Desk
from tuki.knowledge import services
from tuki.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    State,
    TicketArticle,
)
from tuki.knowledge.tests.conftest import Kb, published
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Ticket


def test_new_article_from_the_form(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.operator)
    response = client.post(
        "/kb/new/",
        {"title": "Printer offline", "language": "en", "body": "Turn it off and on.",
         "audience": "public", "tags": "printer, hardware", "category": kb.vpn.pk},
    )  # fmt: skip
    article = Article.objects.get(translations__title="Printer offline")
    assert response.status_code == 302 and response["Location"] == f"/kb/{article.pk}/edit/"
    assert sorted(t.name for t in article.tags.all()) == ["hardware", "printer"]
    assert article.state == State.DRAFT and article.owner == desk.operator


def test_new_article_bad_input_shows_field_errors_and_writes_nothing(desk: Desk) -> None:
    client = desk.client_for(desk.operator)
    before = Article.objects.count()
    response = client.post("/kb/new/", {"title": "", "language": "xx", "audience": "organisations"})
    assert response.status_code == 422
    assert response.context["form"].errors.keys() >= {"title", "language"}
    response = client.post(
        "/kb/new/", {"title": "Org only", "language": "en", "audience": "organisations"}
    )
    assert response.status_code == 422 and "organisations" in response.context["form"].errors
    assert Article.objects.count() == before


def test_editing_saves_a_version_and_history_shows_the_diff(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.specialist)
    url = f"/kb/{kb.public.pk}/edit/?lang=en"
    response = client.post(
        url, {"title": "Connect to the VPN", "body": "Open <b>GlobalProtect</b>.",
              "note": "client renamed", "base_version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    translation = ArticleTranslation.objects.get(article=kb.public, language="en")
    assert translation.version == 2 and translation.updated_by == desk.specialist
    page = client.get(f"/kb/{kb.public.pk}/history/?lang=en").content.decode()
    assert "client renamed" in page and 'class="diff"' in page
    assert "&lt;b&gt;GlobalProtect&lt;/b&gt;" in page and "<b>GlobalProtect" not in page


def test_a_stale_edit_is_refused_on_the_form(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.operator)
    url = f"/kb/{kb.public.pk}/edit/?lang=en"
    client.post(url, {"title": "Connect to the VPN", "body": "first", "base_version": 1})
    response = client.post(
        url, {"title": "Connect to the VPN", "body": "second", "base_version": 1}
    )
    assert response.status_code == 422 and "body" in response.context["form"].errors
    assert ArticleTranslation.objects.get(article=kb.public, language="en").body == "first"


def test_restore_from_the_history_page(desk: Desk, kb: Kb) -> None:
    services.update_translation(desk.operator, kb.public, "en", title="Broken", body="oops")
    first = ArticleVersion.objects.get(
        translation__article=kb.public, translation__language="en", number=1
    )
    client = desk.client_for(desk.operator)
    response = client.post(f"/kb/{kb.public.pk}/versions/{first.pk}/restore/")
    assert response.status_code == 302
    translation = ArticleTranslation.objects.get(article=kb.public, language="en")
    assert (translation.version, translation.title) == (3, "Connect to the VPN")
    other = services.create_article(desk.operator, title="Other", body="x")
    foreign = other.translations.get().versions.get()
    assert client.post(f"/kb/{kb.public.pk}/versions/{foreign.pk}/restore/").status_code == 404


def test_adding_a_translation_from_the_editor(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.operator)
    page = client.get(f"/kb/{kb.internal.pk}/edit/?lang=fi")
    assert page.status_code == 200 and "Reset the VPN concentrator" in page.content.decode()
    client.post(f"/kb/{kb.internal.pk}/edit/?lang=fi", {"title": "Nollaa VPN", "body": "Ohje."})
    assert kb.internal.translations.filter(language="fi", title="Nollaa VPN").exists()


def test_state_buttons_follow_the_allowed_moves(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.operator)
    client.post(f"/kb/{kb.draft.pk}/state/", {"state": "published"})
    assert Article.objects.get(pk=kb.draft.pk).state == State.DRAFT
    client.post(f"/kb/{kb.draft.pk}/state/", {"state": "review"})
    client.post(f"/kb/{kb.draft.pk}/state/", {"state": "published"})
    assert Article.objects.get(pk=kb.draft.pk).state == State.PUBLISHED
    assert client.post(f"/kb/{kb.draft.pk}/state/", {"state": "nonsense"}).status_code == 302


def test_preview_renders_sanitised(desk: Desk) -> None:
    client = desk.client_for(desk.operator)
    html = client.post("/kb/preview/", {"body": "**hi** <script>x</script>"}).content.decode()
    assert "<strong>hi</strong>" in html and "<script>" not in html
    assert desk.client_for(desk.requester).post("/kb/preview/", {"body": "x"}).status_code == 404


def test_the_reader_gets_their_language_and_can_switch(desk: Desk, kb: Kb) -> None:
    desk.requester.language = "ro"
    desk.requester.save()
    client = desk.client_for(desk.requester)
    page = client.get(f"/kb/{kb.public.pk}/").content.decode()
    assert "Conectarea la VPN" in page and "?lang=fi" in page and "?lang=en" in page
    assert "VPN-yhteyden avaaminen" in client.get(f"/kb/{kb.public.pk}/?lang=fi").content.decode()
    # No Romanian text: English, with a note saying so.
    acme = client.get(f"/kb/{kb.acme.pk}/").content.decode()
    assert "Acme printer codes" in acme


def test_reading_counts_a_view_and_voting_via_htmx(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.requester)
    client.get(f"/kb/{kb.public.pk}/")
    response = client.post(
        f"/kb/{kb.public.pk}/vote/",
        {"helpful": "no", "comment": "Step 2 fails"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    kb.public.refresh_from_db()
    assert (kb.public.view_count, kb.public.not_helpful_count) == (1, 1)
    assert kb.public.feedback.get().comment == "Step 2 fails"
    bad = client.post(f"/kb/{kb.public.pk}/vote/", {"helpful": "maybe"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422


def test_drafts_are_not_counted_as_read(desk: Desk, kb: Kb) -> None:
    desk.client_for(desk.operator).get(f"/kb/{kb.draft.pk}/")
    assert Article.objects.get(pk=kb.draft.pk).view_count == 0


def test_insert_picker_offers_link_and_text_in_the_requesters_language(
    desk: Desk, kb: Kb, incident: Ticket
) -> None:
    desk.requester.language = "fi"
    desk.requester.save()
    html = (
        desk.client_for(desk.operator).get(f"/kb/insert/{incident.number}/?q=VPN").content.decode()
    )
    assert "VPN-yhteyden avaaminen" in html and f"KB-{kb.public.pk}" in html
    assert "data-kb-insert=" in html
    assert "Half-written" not in html  # drafts are not offered


def test_sending_a_reply_with_an_inserted_article_records_it(
    desk: Desk, kb: Kb, incident: Ticket, django_capture_on_commit_callbacks: Any
) -> None:
    client = desk.client_for(desk.operator)
    body = f"Please follow KB-{kb.public.pk}: Connect to the VPN — http://testserver/kb/{kb.public.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/desk/tickets/{incident.number}/comment/", {"body": body, "visibility": "public"}
        )
        # A requester naming an article records nothing; nor does an article they cannot read.
        ticket_services.add_comment(desk.requester, incident, f"KB-{kb.internal.pk} did not help")
    assert list(TicketArticle.objects.values_list("article", "linked_by")) == [
        (kb.public.pk, desk.operator.pk)
    ]
    page = desk.client_for(desk.operator).get(f"/kb/{kb.public.pk}/").content.decode()
    assert incident.get_absolute_url() in page
    # Agents who cannot see the ticket do not see it listed.
    other = desk.client_for(desk.other_agent).get(f"/kb/{kb.public.pk}/").content.decode()
    assert incident.get_absolute_url() not in other


def test_create_article_from_a_resolved_ticket(desk: Desk, incident: Ticket) -> None:
    ticket_services.take_ticket(desk.operator, incident)
    ticket_services.resolve_ticket(desk.operator, incident, code="solved", resolution="New cert.")
    client = desk.client_for(desk.operator)
    page = client.get(f"/desk/tickets/{incident.number}/").content.decode()
    assert f"/kb/from-ticket/{incident.number}/" in page and "Insert article" in page
    response = client.post(f"/kb/from-ticket/{incident.number}/")
    article = Article.objects.get()
    assert response["Location"] == f"/kb/{article.pk}/edit/"
    assert "New cert." in article.translations.get().body


def page_queries(client: Any, url: str) -> Queries:
    client.get(url)
    with query_budget() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def many(desk: Desk, kb: Kb, n: int) -> None:
    for i in range(n):
        article = published(
            desk, f"Extra article {i}", category=kb.vpn, tags=[f"t{i}"], is_faq=True
        )
        services.add_translation(desk.operator, article, "fi", title=f"Lisä {i}", body="x")
        services.update_article(
            desk.operator, kb.public, related=[*kb.public.related.all(), article]
        )
        services.vote(desk.requester, article, True)


@pytest.mark.parametrize(
    "role,url",
    [
        ("operator", "/kb/articles/"),
        ("operator", "/kb/{pk}/"),
        ("requester", "/kb/{pk}/"),
        ("requester", "/kb/"),
        ("operator", "/kb/{pk}/edit/"),
        ("operator", "/kb/{pk}/history/"),
        ("operator", "/kb/reports/"),
        ("anonymous", "/kb/faq/{org}/"),
    ],
)
def test_pages_run_the_same_queries_for_few_or_many(
    desk: Desk, kb: Kb, role: str, url: str, client: Any
) -> None:
    url = url.format(pk=kb.public.pk, org=desk.acme.pk)
    reader = client if role == "anonymous" else desk.client_for(getattr(desk, role))
    many(desk, kb, 1)
    few = page_queries(reader, url)
    many(desk, kb, 12)
    for i in range(5):
        services.update_translation(desk.operator, kb.public, "en", title="Connect", body=f"v{i}")
    assert_same_count(few, page_queries(reader, url))


def test_categories_page_adds_renames_and_refuses_duplicates(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.admin)
    assert (
        client.post("/kb/categories/", {"name": "Printers", "parent": kb.network.pk}).status_code
        == 302
    )
    duplicate = client.post("/kb/categories/", {"name": "vpn", "parent": kb.network.pk})
    assert duplicate.status_code == 422 and "name" in duplicate.context["form"].errors
    cycle = client.post(
        f"/kb/categories/?edit={kb.network.pk}", {"name": "Network", "parent": kb.vpn.pk}
    )
    assert cycle.status_code == 422 and "parent" in cycle.context["form"].errors
    client.post(
        f"/kb/categories/?edit={kb.vpn.pk}", {"name": "Remote access", "parent": kb.network.pk}
    )
    kb.vpn.refresh_from_db()
    assert kb.vpn.path == "Network › Remote access"
    client.post(f"/kb/categories/{kb.network.pk}/delete/")
    kb.public.refresh_from_db()
    assert kb.public.category is None and kb.public.state == State.PUBLISHED
    assert (
        desk.client_for(desk.operator).post(f"/kb/categories/{kb.vpn.pk}/delete/").status_code
        == 404
    )


def test_files_are_uploaded_and_removed_from_the_editor(desk: Desk, kb: Kb) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = desk.client_for(desk.operator)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    upload = SimpleUploadedFile("screen.png", png, content_type="text/html")
    assert client.post(f"/kb/{kb.public.pk}/files/", {"files": [upload]}).status_code == 302
    file = kb.public.attachments.get()
    assert file.content_type == "image/png"  # sniffed from the bytes, not what the browser said
    shown = desk.client_for(desk.requester).get(f"/kb/{kb.public.pk}/files/{file.pk}/")
    assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "attachment" not in shown.get("Content-Disposition", "")  # images show inline
    client.post(f"/kb/{kb.public.pk}/files/{file.pk}/delete/")
    assert not kb.public.attachments.exists()


def test_an_unanswered_search_becomes_a_new_article_title(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.requester)
    client.get("/kb/?q=parking+badge")
    reports = desk.client_for(desk.operator).get("/kb/reports/").content.decode()
    assert "/kb/new/?title=parking%20badge" in reports
    page = desk.client_for(desk.operator).get("/kb/new/?title=parking%20badge").content.decode()
    assert 'value="parking badge"' in page
