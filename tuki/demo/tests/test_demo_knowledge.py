"""The demo's knowledge base: realistic, translated, and every kind of article once."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from tuki.conftest import Desk
from tuki.demo import knowledge as demo_knowledge
from tuki.knowledge.models import Article, Audience, Deflection, State


def test_demo_articles_cover_languages_states_and_audiences(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    cast = SimpleNamespace(
        admin=desk.admin,
        operators=[desk.operator],
        groups={"Network Helsinki": desk.network_hel},
        requesters=[desk.requester, desk.colleague, desk.outsider],
        categories={},
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo_knowledge.seed(cast, timezone.now())
    assert summary["articles"] == len(demo_knowledge.DOCS) >= 30
    articles = Article.objects.prefetch_related("translations")
    languages = [sorted(t.language for t in a.translations.all()) for a in articles]
    assert all("en" in langs for langs in languages)
    assert sum(langs == ["en", "fi", "ro"] for langs in languages) >= 24
    assert articles.filter(audience=Audience.INTERNAL).count() == 1
    assert articles.filter(state=State.DRAFT).count() == 1
    assert articles.filter(is_faq=True, state=State.PUBLISHED).count() >= 8
    assert Deflection.objects.filter(outcome="solved").exists()
    assert demo_knowledge.seed(cast, timezone.now()) == {"articles": 0}  # once only
    # Readers see it: the FAQ of the requester's organisation and a translated article.
    client = desk.client_for(desk.requester)
    assert "Reset your password" in client.get(f"/kb/faq/{desk.acme.pk}/").content.decode()
    password = Article.objects.get(translations__title="Resetarea parolei")
    assert "Resetarea parolei" in client.get(f"/kb/{password.pk}/?lang=ro").content.decode()
    demo_knowledge.wipe()
    assert not Article.objects.exists()
