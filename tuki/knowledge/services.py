"""The only way in: every write to the knowledge base goes through one function here.

Each function checks permission and input, writes in one transaction, and announces the
change after commit (signals.article_changed / article_deleted) so the search index
follows. Errors are tickets' `ServiceError`s naming the field at fault (the API turns them
into 422s, forms show them beside the field); permission problems are PermissionDenied.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.knowledge import access, signals
from tuki.knowledge.models import (
    STATE_MOVES,
    Article,
    ArticleAttachment,
    ArticleCategory,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Audience,
    Deflection,
    DeflectionChannel,
    DeflectionOutcome,
    Language,
    State,
    TicketArticle,
)
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload, sniff
from tuki.tickets.models import StatusCategory, Tag, Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import Organisation, User

TITLE_MAX = 200
BODY_MAX = 200_000
NOTE_MAX = 300
COMMENT_MAX = 2_000


# --- helpers ---------------------------------------------------------------------------------


def require_editor(actor: User | AnonymousUser | None) -> None:
    if actor is None or not access.is_editor(actor):
        raise PermissionDenied(_("Only agents may edit the knowledge base."))


def _require_admin(actor: User | None) -> None:
    if actor is None or not (actor.is_superuser or actor.is_staff):
        raise PermissionDenied(_("Only administrators may do this."))


def _changed(article: Article) -> None:
    """Announce the change once the transaction commits (the search index follows)."""
    transaction.on_commit(
        lambda: signals.article_changed.send(sender=Article, article=article), robust=False
    )


def _touch(article: Article) -> None:
    article.updated_at = timezone.now()
    Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
    _changed(article)


def _clean_text(value: object) -> str:
    # NUL is refused by PostgreSQL text columns; it has no business in an article anyway.
    return str(value or "").replace("\x00", "")


def _clean_title(title: object) -> str:
    title = " ".join(_clean_text(title).split())
    if not title:
        raise ServiceError(_("A title is required."), field="title", code="required")
    if len(title) > TITLE_MAX:
        raise ServiceError(
            _("The title is longer than %(max)d characters.") % {"max": TITLE_MAX},
            field="title",
            code="too_long",
        )
    return title


def _clean_body(body: object) -> str:
    body = _clean_text(body).replace("\r\n", "\n")
    if len(body) > BODY_MAX:
        raise ServiceError(
            _("The text is longer than %(max)d characters.") % {"max": BODY_MAX},
            field="body",
            code="too_long",
        )
    return body


def _clean_note(note: object) -> str:
    return " ".join(_clean_text(note).split())[:NOTE_MAX]


def _clean_language(language: object) -> str:
    if language not in Language.values:
        raise ServiceError(_("Unknown language."), field="language", code="unknown_language")
    return str(language)


def _clean_audience(audience: object) -> str:
    if audience not in Audience.values:
        raise ServiceError(_("Unknown audience."), field="audience", code="unknown_audience")
    return str(audience)


def _clean_review_by(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(
            _("Enter a date as YYYY-MM-DD."), field="review_by", code="invalid_date"
        ) from None


def _set_tags(article: Article, names: Iterable[str]) -> None:
    clean = sorted({_clean_text(n).strip().lower()[:50] for n in names if n and str(n).strip()})
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in clean])


def _check_organisations(audience: str, organisations: Iterable[Organisation]) -> list[Any]:
    organisations = list(organisations)
    if audience == Audience.ORGANISATIONS and not organisations:
        raise ServiceError(
            _("Choose at least one organisation, or another audience."),
            field="organisations",
            code="required",
        )
    return organisations


def _check_related(article: Article, related: Iterable[Article]) -> list[Article]:
    related = [r for r in related if r.pk != article.pk]
    return related


def _new_version(translation: ArticleTranslation, actor: User | None, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        translation=translation,
        number=translation.version,
        title=translation.title,
        body=translation.body,
        edited_by=actor,
        edited_at=translation.updated_at,
        note=note,
    )


# --- categories (administrators) ---------------------------------------------------------------


def _clean_slug(name: str, slug: str, exclude: int | None = None) -> str:
    from django.utils.text import slugify

    base = slugify(slug or name)[:90] or "category"
    candidate, n = base, 1
    others = ArticleCategory.objects.exclude(pk=exclude)
    while others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def save_category(
    actor: User,
    *,
    name: str,
    parent: ArticleCategory | None = None,
    position: int = 0,
    slug: str = "",
    category: ArticleCategory | None = None,
) -> ArticleCategory:
    """Create a category, or rename/move `category` when given."""
    _require_admin(actor)
    name = " ".join(_clean_text(name).split())[:100]
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if category is not None and parent is not None:
        node: ArticleCategory | None = parent
        while node is not None:
            if node.pk == category.pk:
                raise ServiceError(
                    _("A category cannot sit under itself."), field="parent", code="cycle"
                )
            node = node.parent
    clash = ArticleCategory.objects.filter(parent=parent, name__iexact=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ServiceError(
            _("A category with this name already exists here."), field="name", code="duplicate"
        )
    category = category or ArticleCategory()
    category.name, category.parent = name, parent
    category.position = max(0, int(position or 0))
    category.slug = _clean_slug(name, slug, exclude=category.pk)
    category.save()
    return category


@transaction.atomic
def delete_category(actor: User, category: ArticleCategory) -> None:
    """Articles of a deleted category (and of its children) keep existing, uncategorised."""
    _require_admin(actor)
    ids = [category.pk]
    frontier = [category.pk]
    while frontier:
        frontier = list(
            ArticleCategory.objects.filter(parent__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    for article in Article.objects.filter(category__in=ids):
        _changed(article)
    category.delete()


# --- articles --------------------------------------------------------------------------------


@transaction.atomic
def create_article(
    actor: User,
    *,
    title: str,
    body: str = "",
    language: str = Language.EN,
    category: ArticleCategory | None = None,
    audience: str = Audience.PUBLIC,
    organisations: Iterable[Organisation] = (),
    is_faq: bool = False,
    review_by: datetime.date | str | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    related: Iterable[Article] = (),
    note: str = "",
    source_ticket: Ticket | None = None,
) -> Article:
    """A new draft with its first translation and version 1."""
    require_editor(actor)
    title, body = _clean_title(title), _clean_body(body)
    language, audience = _clean_language(language), _clean_audience(audience)
    organisations = _check_organisations(audience, organisations)
    now = timezone.now()
    article = Article.objects.create(
        category=category,
        audience=audience,
        is_faq=bool(is_faq),
        state=State.DRAFT,
        review_by=_clean_review_by(review_by),
        owner=owner or actor,
        source_ticket=source_ticket,
        created_at=now,
        updated_at=now,
    )
    article.organisations.set(organisations if audience == Audience.ORGANISATIONS else [])
    _set_tags(article, tags)
    article.related.set(_check_related(article, related))
    translation = ArticleTranslation.objects.create(
        article=article, language=language, title=title, body=body, version=1,
        updated_by=actor, updated_at=now,
    )  # fmt: skip
    _new_version(translation, actor, _clean_note(note) or _("Created"))
    _changed(article)
    return article


ARTICLE_FIELDS = (
    "category", "audience", "organisations", "is_faq", "review_by", "owner", "tags", "related",
)  # fmt: skip


@transaction.atomic
def update_article(actor: User, article: Article, **changes: Any) -> Article:
    """Change the language-free fields (those in ARTICLE_FIELDS); the text has its own service."""
    require_editor(actor)
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(_("This field cannot be changed."), field=field, code="read_only")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if "audience" in changes:
        article.audience = _clean_audience(changes["audience"])
    if "category" in changes:
        article.category = changes["category"]
    if "is_faq" in changes:
        article.is_faq = bool(changes["is_faq"])
    if "review_by" in changes:
        article.review_by = _clean_review_by(changes["review_by"])
    if "owner" in changes:
        owner = changes["owner"]
        if owner is not None and not (owner.is_agent or owner.is_superuser):
            raise ServiceError(_("The owner must be an agent."), field="owner", code="not_agent")
        article.owner = owner
    organisations = (
        list(changes["organisations"])
        if "organisations" in changes
        else list(article.organisations.all())
    )
    _check_organisations(article.audience, organisations)
    article.updated_at = timezone.now()
    article.save()
    if "organisations" in changes or "audience" in changes:
        keep = organisations if article.audience == Audience.ORGANISATIONS else []
        article.organisations.set(keep)
    if "tags" in changes:
        _set_tags(article, changes["tags"])
    if "related" in changes:
        article.related.set(_check_related(article, changes["related"]))
    _changed(article)
    return article


@transaction.atomic
def delete_article(actor: User, article: Article) -> None:
    """Administrators and the owner may delete; everyone else archives instead."""
    require_editor(actor)
    if not (actor.is_superuser or article.owner_id == actor.pk):
        raise PermissionDenied(_("Only the owner or an administrator may delete an article."))
    article_id = article.pk
    for attachment in article.attachments.all():
        attachment.file.delete(save=False)
    article.delete()
    transaction.on_commit(
        lambda: signals.article_deleted.send(sender=Article, article_id=article_id)
    )


def allowed_states(article: Article) -> tuple[str, ...]:
    return STATE_MOVES.get(article.state, ())


@transaction.atomic
def set_state(actor: User, article: Article, state: str) -> Article:
    """Move along draft → review → published → archived, only by the allowed moves."""
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if state not in State.values:
        raise ServiceError(_("Unknown state."), field="state", code="unknown_state")
    if state == article.state:
        return article
    if state not in allowed_states(article):
        raise ServiceError(
            _("An article cannot move from “%(old)s” to “%(new)s”.")
            % {"old": State(article.state).label, "new": State(state).label},
            field="state",
            code="transition_not_allowed",
        )
    if state == State.PUBLISHED:
        empty = article.translations.filter(body__regex=r"^\s*$").exists()
        if empty or not article.translations.exists():
            raise ServiceError(
                _("Every translation needs a text before publishing."),
                field="state",
                code="empty_body",
            )
        article.published_at = timezone.now()
    article.state = state
    article.updated_at = timezone.now()
    article.save(update_fields=["state", "published_at", "updated_at"])
    _changed(article)
    return article


# --- translations and versions ----------------------------------------------------------------


@transaction.atomic
def add_translation(
    actor: User, article: Article, language: str, *, title: str, body: str = "", note: str = ""
) -> ArticleTranslation:
    require_editor(actor)
    language = _clean_language(language)
    title, body = _clean_title(title), _clean_body(body)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    if article.translations.filter(language=language).exists():
        raise ServiceError(
            _("This article already has a translation in that language."),
            field="language",
            code="duplicate_translation",
        )
    translation = ArticleTranslation.objects.create(
        article=article, language=language, title=title, body=body, version=1,
        updated_by=actor, updated_at=timezone.now(),
    )  # fmt: skip
    _new_version(translation, actor, _clean_note(note) or _("Translated"))
    _touch(article)
    return translation


@transaction.atomic
def update_translation(
    actor: User,
    article: Article,
    language: str,
    *,
    title: str,
    body: str,
    note: str = "",
    base_version: int | None = None,
) -> ArticleTranslation:
    """Save an edit as a new version. `base_version` is the version the editor started from:
    when someone saved in between, the edit is refused instead of silently overwriting theirs.
    An edit that changes nothing makes no version.
    """
    require_editor(actor)
    language = _clean_language(language)
    title, body = _clean_title(title), _clean_body(body)
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=language)
        .first()
    )
    if translation is None:
        raise ServiceError(
            _("This article has no translation in that language."),
            field="language",
            code="no_translation",
        )
    if base_version is not None and int(base_version) != translation.version:
        raise ServiceError(
            _("Someone saved version %(version)d while you were editing; reload and redo.")
            % {"version": translation.version},
            field="body",
            code="edit_conflict",
        )
    if translation.title == title and translation.body == body:
        return translation
    return _save_version(translation, actor, title, body, _clean_note(note))


def _save_version(
    translation: ArticleTranslation, actor: User, title: str, body: str, note: str
) -> ArticleTranslation:
    translation.title, translation.body = title, body
    translation.version += 1
    translation.updated_by, translation.updated_at = actor, timezone.now()
    translation.save()
    _new_version(translation, actor, note)
    _touch(translation.article)
    return translation


@transaction.atomic
def restore_version(actor: User, version: ArticleVersion, *, note: str = "") -> ArticleTranslation:
    """Bring back an old version's text as a new version; history is never rewritten."""
    require_editor(actor)
    translation = ArticleTranslation.objects.select_for_update().get(pk=version.translation_id)
    note = _clean_note(note) or _("Restored version %(number)d") % {"number": version.number}
    return _save_version(translation, actor, version.title, version.body, note)


@transaction.atomic
def delete_translation(actor: User, article: Article, language: str) -> None:
    """Remove one language; the last one stays (an article without text means nothing)."""
    require_editor(actor)
    language = _clean_language(language)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    translations = list(article.translations.all())
    target = next((t for t in translations if t.language == language), None)
    if target is None:
        raise ServiceError(
            _("This article has no translation in that language."),
            field="language",
            code="no_translation",
        )
    if len(translations) == 1:
        raise ServiceError(
            _("The last translation cannot be removed; archive the article instead."),
            field="language",
            code="last_translation",
        )
    target.delete()
    _touch(article)


# --- attachments -----------------------------------------------------------------------------


@transaction.atomic
def add_attachments(
    actor: User, article: Article, uploads: Iterable[Upload]
) -> list[ArticleAttachment]:
    require_editor(actor)
    saved = []
    for upload in uploads:
        upload.check_size()
        digest = hashlib.sha256(upload.content).hexdigest()
        attachment = ArticleAttachment(
            article=article,
            name=_clean_text(upload.name)[:255] or "attachment",
            content_type=sniff(upload),
            size=len(upload.content),
            sha256=digest,
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(upload.content), save=False)
        attachment.save()
        saved.append(attachment)
    if saved:
        _touch(article)
    return saved


@transaction.atomic
def remove_attachment(actor: User, attachment: ArticleAttachment) -> None:
    require_editor(actor)
    article = attachment.article
    attachment.delete()
    # The file stays when another row (here or on a ticket) still points at the same bytes.
    if not ArticleAttachment.objects.filter(sha256=attachment.sha256).exists():
        transaction.on_commit(lambda: attachment.file.delete(save=False))
    _touch(article)


# --- readers ---------------------------------------------------------------------------------


def record_view(article: Article) -> None:
    """Count a reading; a single UPDATE, no lock, not an edit (updated_at stays)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def vote(
    user: User,
    article: Article,
    helpful: bool,
    comment: str = "",
    *,
    translation: ArticleTranslation | None = None,
) -> ArticleFeedback:
    """One vote per reader and article: voting again replaces the earlier vote."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to rate articles."))
    if article.state != State.PUBLISHED:
        raise ServiceError(
            _("Only published articles can be rated."), field="helpful", code="not_published"
        )
    comment = _clean_text(comment).strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(
            _("The comment is longer than %(max)d characters.") % {"max": COMMENT_MAX},
            field="comment",
            code="too_long",
        )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    old = ArticleFeedback.objects.filter(article=locked, user=user).first()
    counts = {"helpful_count": locked.helpful_count, "not_helpful_count": locked.not_helpful_count}
    if old is not None:
        key = "helpful_count" if old.helpful else "not_helpful_count"
        counts[key] = max(0, counts[key] - 1)
        old.delete()
    counts["helpful_count" if helpful else "not_helpful_count"] += 1
    Article.objects.filter(pk=locked.pk).update(**counts)
    article.helpful_count = counts["helpful_count"]
    article.not_helpful_count = counts["not_helpful_count"]
    return ArticleFeedback.objects.create(
        article=locked, translation=translation, user=user, helpful=bool(helpful), comment=comment
    )


# --- tickets ---------------------------------------------------------------------------------


def link_to_ticket(actor: User, ticket: Ticket, article: Article) -> TicketArticle:
    """Record that the article was used on the ticket (idempotent)."""
    require_editor(actor)
    try:
        with transaction.atomic():
            link, _created = TicketArticle.objects.get_or_create(
                ticket=ticket, article=article, defaults={"linked_by": actor}
            )
    except IntegrityError:  # two tabs sent at the same moment: the other one won
        link = TicketArticle.objects.get(ticket=ticket, article=article)
    return link


def article_from_ticket(actor: User, ticket: Ticket, *, language: str = "") -> Article:
    """A draft prefilled from a resolved ticket: problem, resolution, tags; internal until
    someone checks it holds no personal data."""
    require_editor(actor)
    if ticket.status.category not in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise ServiceError(
            _("Only a resolved or closed ticket can become an article."),
            field="ticket",
            code="not_resolved",
        )
    language = language if language in Language.values else Language.EN
    body = "\n\n".join(
        [
            "## " + _("Problem"),
            (ticket.description or ticket.title).strip(),
            "## " + _("Solution"),
            (ticket.resolution or "").strip() or _("Describe the steps that solved it."),
        ]
    )
    with transaction.atomic():
        article = create_article(
            actor,
            title=ticket.title[:TITLE_MAX],
            body=body,
            language=language,
            audience=Audience.INTERNAL,
            tags=[t.name for t in ticket.tags.all()],
            note=_("Written from %(ticket)s") % {"ticket": ticket.number},
            source_ticket=ticket,
        )
        TicketArticle.objects.create(ticket=ticket, article=article, linked_by=actor)
    return article


# --- self-service ----------------------------------------------------------------------------


def record_deflection(
    user: User | AnonymousUser | None,
    *,
    query: str,
    article: Article | None = None,
    outcome: str,
    ticket: Ticket | None = None,
    channel: str = DeflectionChannel.PORTAL,
    session_key: str = "",
) -> Deflection:
    """Count a self-service attempt: `solved` (an article ended the request) or `submitted`
    (the request went in anyway, `ticket` is the new one)."""
    if outcome not in DeflectionOutcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome", code="unknown_outcome")
    if channel not in DeflectionChannel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="unknown_channel")
    if outcome == DeflectionOutcome.SOLVED and ticket is not None:
        raise ServiceError(
            _("A solved request has no ticket."), field="ticket", code="solved_with_ticket"
        )
    signed_in = user is not None and user.is_authenticated
    return Deflection.objects.create(
        user=user if signed_in else None,
        session_key=_clean_text(session_key)[:64],
        query=" ".join(_clean_text(query).split())[:500],
        article=article,
        outcome=outcome,
        ticket=ticket,
        channel=channel,
    )
