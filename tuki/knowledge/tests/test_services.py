"""Services: states and their moves, versions, diff, restore, translations and fallback."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.conftest import Desk
from tuki.knowledge import access, services
from tuki.knowledge.diff import diff_versions
from tuki.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Audience,
    Deflection,
    State,
    TicketArticle,
)
from tuki.knowledge.tests.conftest import Kb
from tuki.lib.errors import ServiceError
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Ticket


def test_a_new_article_is_a_draft_with_version_one(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="  Printer   jams ", body="Open tray")
    translation = article.translations.get()
    assert article.state == State.DRAFT
    assert article.owner == desk.operator
    assert (translation.language, translation.title, translation.version) == (
        "en",
        "Printer jams",
        1,
    )
    assert list(translation.versions.values_list("number", flat=True)) == [1]


def test_requesters_cannot_write_articles(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.create_article(desk.requester, title="Mine", body="x")
    assert not Article.objects.exists()


def test_states_move_only_along_the_allowed_moves(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="Outlook", body="Restart it")
    with pytest.raises(ServiceError) as refused:
        services.set_state(desk.operator, article, State.PUBLISHED)
    assert (refused.value.field, refused.value.code) == ("state", "transition_not_allowed")
    services.set_state(desk.operator, article, State.REVIEW)
    article = services.set_state(desk.operator, article, State.PUBLISHED)
    assert article.published_at is not None
    with pytest.raises(ServiceError):
        services.set_state(desk.operator, article, State.REVIEW)
    article = services.set_state(desk.operator, article, State.ARCHIVED)
    with pytest.raises(ServiceError):
        services.set_state(desk.operator, article, State.PUBLISHED)
    assert services.set_state(desk.operator, article, State.DRAFT).state == State.DRAFT


def test_an_unknown_state_is_a_field_error(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="Teams", body="x")
    with pytest.raises(ServiceError) as refused:
        services.set_state(desk.operator, article, "gone")
    assert refused.value.field == "state"


def test_an_empty_article_cannot_be_published(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="Empty", body="  ")
    services.set_state(desk.operator, article, State.REVIEW)
    with pytest.raises(ServiceError) as refused:
        services.set_state(desk.operator, article, State.PUBLISHED)
    assert refused.value.code == "empty_body"
    assert Article.objects.get().state == State.REVIEW


def test_every_edit_is_a_version(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="VPN", body="one")
    services.update_translation(
        desk.specialist, article, "en", title="VPN", body="two", note="typo"
    )
    translation = services.update_translation(
        desk.operator, article, "en", title="VPN!", body="two"
    )
    assert translation.version == 3
    versions = list(translation.versions.order_by("number"))
    assert [(v.number, v.title, v.body) for v in versions] == [
        (1, "VPN", "one"), (2, "VPN", "two"), (3, "VPN!", "two"),
    ]  # fmt: skip
    assert versions[1].edited_by == desk.specialist and versions[1].note == "typo"


def test_saving_without_a_change_makes_no_version(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="VPN", body="one")
    services.update_translation(desk.operator, article, "en", title="VPN", body="one")
    assert ArticleVersion.objects.count() == 1


def test_an_edit_on_a_stale_version_is_refused(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="VPN", body="one")
    services.update_translation(
        desk.operator, article, "en", title="VPN", body="two", base_version=1
    )
    with pytest.raises(ServiceError) as refused:
        services.update_translation(
            desk.specialist, article, "en", title="VPN", body="mine", base_version=1
        )
    assert (refused.value.field, refused.value.code) == ("body", "edit_conflict")
    assert ArticleTranslation.objects.get().body == "two"


def test_restore_makes_a_new_version_with_the_old_text(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="VPN", body="original")
    services.update_translation(desk.operator, article, "en", title="VPN v2", body="broken")
    first = ArticleVersion.objects.get(number=1)
    translation = services.restore_version(desk.specialist, first)
    assert (translation.version, translation.title, translation.body) == (3, "VPN", "original")
    latest = translation.versions.get(number=3)
    assert latest.note == "Restored version 1" and latest.edited_by == desk.specialist
    assert translation.versions.count() == 3
    assert "original" in translation.body_html


def test_diff_shows_what_changed_escaped(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="VPN", body="line one\nline two")
    services.update_translation(
        desk.operator, article, "en", title="VPN", body="line one\n<script>x</script>"
    )
    old, new = ArticleVersion.objects.order_by("number")
    html = diff_versions(old, new)
    assert "line&nbsp;two" in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_translations_fall_back_to_english_then_any(kb: Kb, desk: Desk) -> None:
    article = Article.objects.prefetch_related("translations").get(pk=kb.public.pk)
    assert access.translation_for(article, "ro").language == "ro"
    assert access.translation_for(article, "fi").language == "fi"
    assert access.translation_for(article, "de").language == "en"
    services.delete_translation(desk.operator, kb.public, "en")
    article = Article.objects.prefetch_related("translations").get(pk=kb.public.pk)
    assert access.translation_for(article, "en").language == "ro"


def test_finnish_only_article_is_read_in_finnish(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="Tulostin", body="x", language="fi")
    assert access.translation_for(article, "ro").language == "fi"


def test_a_second_translation_in_the_same_language_is_refused(kb: Kb, desk: Desk) -> None:
    with pytest.raises(ServiceError) as refused:
        services.add_translation(desk.operator, kb.public, "ro", title="Alt", body="x")
    assert (refused.value.field, refused.value.code) == ("language", "duplicate_translation")


def test_the_last_translation_stays(desk: Desk) -> None:
    article = services.create_article(desk.operator, title="Alone", body="x")
    with pytest.raises(ServiceError) as refused:
        services.delete_translation(desk.operator, article, "en")
    assert refused.value.code == "last_translation"


def test_bad_input_names_the_field_and_writes_nothing(desk: Desk) -> None:
    for kwargs, field in [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "language": "de"}, "language"),
        ({"title": "ok", "audience": "everyone"}, "audience"),
        ({"title": "ok", "audience": Audience.ORGANISATIONS}, "organisations"),
        ({"title": "ok", "review_by": "next week"}, "review_by"),
    ]:
        with pytest.raises(ServiceError) as refused:
            services.create_article(desk.operator, **kwargs)
        assert refused.value.field == field
    assert not Article.objects.exists() and not ArticleTranslation.objects.exists()


def test_audience_change_to_public_forgets_organisations(kb: Kb, desk: Desk) -> None:
    article = services.update_article(desk.operator, kb.acme, audience=Audience.PUBLIC)
    assert not article.organisations.exists()


def test_votes_count_once_per_reader_and_can_change(kb: Kb, desk: Desk) -> None:
    services.vote(desk.requester, kb.public, True)
    services.vote(desk.colleague, kb.public, True, "Thanks")
    services.vote(desk.requester, kb.public, False, "Did not work after all")
    kb.public.refresh_from_db()
    assert (kb.public.helpful_count, kb.public.not_helpful_count) == (1, 1)
    assert ArticleFeedback.objects.count() == 2
    with pytest.raises(ServiceError):
        services.vote(desk.requester, kb.draft, True)


def test_views_are_counted_without_touching_updated_at(kb: Kb) -> None:
    before = kb.public.updated_at
    services.record_view(kb.public)
    services.record_view(kb.public)
    kb.public.refresh_from_db()
    assert kb.public.view_count == 2 and kb.public.updated_at == before


def resolved(desk: Desk, incident: Ticket) -> Ticket:
    ticket_services.take_ticket(desk.operator, incident)
    return ticket_services.resolve_ticket(
        desk.operator, incident, code="solved", resolution="Reinstalled the VPN client."
    )


def test_article_from_a_resolved_ticket_is_a_prefilled_internal_draft(
    desk: Desk, incident: Ticket
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.article_from_ticket(desk.operator, incident)
    assert refused.value.code == "not_resolved"
    ticket = resolved(desk, incident)
    article = services.article_from_ticket(desk.operator, ticket)
    translation = article.translations.get()
    assert (article.state, article.audience) == (State.DRAFT, Audience.INTERNAL)
    assert translation.title == ticket.title
    assert "Reinstalled the VPN client." in translation.body
    assert ticket.description in translation.body
    assert TicketArticle.objects.filter(ticket=ticket, article=article).exists()


def test_linking_an_article_twice_keeps_one_link(kb: Kb, desk: Desk, incident: Ticket) -> None:
    services.link_to_ticket(desk.operator, incident, kb.public)
    services.link_to_ticket(desk.operator, incident, kb.public)
    assert TicketArticle.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.link_to_ticket(desk.requester, incident, kb.public)


def test_deflections_are_recorded_and_checked(kb: Kb, desk: Desk) -> None:
    services.record_deflection(
        desk.requester, query="vpn  down", article=kb.public, outcome="solved"
    )
    with pytest.raises(ServiceError) as refused:
        services.record_deflection(desk.requester, query="x", outcome="maybe")
    assert refused.value.field == "outcome"
    deflection = Deflection.objects.get()
    assert (deflection.query, deflection.user) == ("vpn down", desk.requester)


def test_only_owner_or_admin_deletes(kb: Kb, desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.delete_article(desk.specialist, kb.public)
    services.delete_article(desk.admin, kb.public)
    assert not Article.objects.filter(pk=kb.public.pk).exists()
