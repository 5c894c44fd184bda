"""The knowledge base over REST (/api/v1/kb/): articles, translations, versions, search.

Articles are fetched only through knowledge/access.py: what the caller may not read is a
404, exactly as on the pages. Requesters read (published articles they may read, without
history); agents write through knowledge/services.py. Refused input is a 422 naming the
field (ids that do not exist included).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import AfterValidator

from tuki.accounts.models import Organisation, User
from tuki.knowledge import access, services
from tuki.knowledge.diff import unified_diff
from tuki.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleTranslation,
    ArticleVersion,
    State,
)
from tuki.knowledge.search import find_articles, in_category
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest

router = Router(tags=["knowledge"])

LanguageCode = Literal["en", "ro", "fi"]
AudienceCode = Literal["public", "internal", "organisations"]
StateCode = Literal["draft", "review", "published", "archived"]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


# --- output ----------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    path: str
    slug: str
    parent: int | None = Field(None, alias="parent_id")
    position: int


class TranslationOut(Schema):
    language: str
    title: str
    body: str = Field(description="Markdown")
    body_html: str = Field(description="Rendered and sanitised HTML")
    version: int
    updated_at: datetime


class ArticleOut(Schema):
    id: int
    number: str
    url: str
    category: CategoryOut | None
    audience: str
    organisations: list[int]
    is_faq: bool
    state: str
    review_by: date | None
    owner: int | None
    tags: list[str]
    related: list[int]
    view_count: int
    helpful_count: int
    not_helpful_count: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    translations: list[TranslationOut]


class ArticleSummary(Schema):
    id: int
    number: str
    title: str
    language: str
    category: str | None
    audience: str
    state: str
    is_faq: bool
    languages: list[str]
    updated_at: datetime


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next_cursor: int | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )


class VersionOut(Schema):
    number: int
    title: str
    body: str
    edited_by: int | None = Field(None, alias="edited_by_id")
    edited_at: datetime
    note: str


class VersionDetail(VersionOut):
    diff: str = Field(description="Unified diff against the previous version (empty for v1)")


class SearchHit(Schema):
    id: int
    number: str
    url: str
    language: str
    rank: float
    title: str = Field(description="HTML: escaped, the matching words in <mark>")
    snippet: str = Field(description="HTML: escaped, the matching words in <mark>")


class FeedbackOut(Schema):
    helpful: bool
    comment: str
    helpful_count: int
    not_helpful_count: int


# --- input -----------------------------------------------------------------------------------


class ArticleFilters(Schema):
    q: str | None = Field(None, description="Words in the title or text, or KB-12")
    state: StateCode | None = None
    category: int | None = Field(None, description="A category id; its subcategories too")
    language: LanguageCode | None = Field(
        None, description="Only articles with this translation; titles shown in it"
    )
    audience: AudienceCode | None = None
    faq: bool | None = None
    due: bool | None = Field(None, description="Review date today or earlier")
    cursor: int | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class ArticleFieldsIn(Schema):
    category: int | None = None
    audience: AudienceCode = "public"
    organisations: list[int] = []
    is_faq: bool = False
    review_by: date | None = None
    owner: int | None = None
    tags: list[Annotated[str, Field(max_length=50)]] = []
    related: list[int] = []


class ArticleCreateIn(ArticleFieldsIn):
    language: LanguageCode = "en"
    title: Text = Field(max_length=200)
    body: Text = Field("", max_length=services.BODY_MAX)
    note: Text = Field("", max_length=300)


class ArticleUpdateIn(Schema):
    category: int | None = None
    audience: AudienceCode | None = None
    organisations: list[int] | None = None
    is_faq: bool | None = None
    review_by: date | None = None
    owner: int | None = None
    tags: list[Annotated[str, Field(max_length=50)]] | None = None
    related: list[int] | None = None


class StateIn(Schema):
    state: StateCode


class TranslationIn(Schema):
    title: Text = Field(max_length=200)
    body: Text = Field("", max_length=services.BODY_MAX)
    note: Text = Field("", max_length=300)


class TranslationCreateIn(TranslationIn):
    language: LanguageCode


class TranslationUpdateIn(TranslationIn):
    base_version: int | None = Field(
        None, description="The version you edited; a 422 if someone saved after it"
    )


class RestoreIn(Schema):
    note: Text = Field("", max_length=300)


class FeedbackIn(Schema):
    helpful: bool
    comment: Text = Field("", max_length=services.COMMENT_MAX)


class SearchFilters(Schema):
    q: str = Field("", max_length=10_000)
    language: LanguageCode | None = None
    category: int | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


# --- helpers ---------------------------------------------------------------------------------


def _refused(field: str) -> ServiceError:
    return ServiceError(_("Unknown or not allowed."), field=field, code="invalid_choice")


def _article(request: ApiRequest, ref: str) -> Article:
    return access.get_article_for_user(request.auth, ref)


def _pick(qs: QuerySet[Any], pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        raise _refused(field)
    return found


def _pick_many(qs: QuerySet[Any], ids: list[int], field: str) -> list[Any]:
    found = list(qs.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise _refused(field)
    return found


def _editor_only(user: User) -> None:
    # History and drafts of the text are the editors' business: hidden like a missing row.
    if not access.is_editor(user):
        raise Http404("No such article")


def _resolve_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in a body → rows, or a 422 naming the field."""
    if "category" in data:
        data["category"] = _pick(ArticleCategory.objects.all(), data["category"], "category")
    if data.get("organisations") is not None:
        active = Organisation.objects.filter(is_active=True)
        data["organisations"] = _pick_many(active, data["organisations"], "organisations")
    if "owner" in data:
        agents = User.objects.filter(is_active=True).filter(Q(is_agent=True) | Q(is_superuser=True))
        data["owner"] = _pick(agents, data["owner"], "owner")
    if data.get("related") is not None:
        readable = access.articles_visible_to(user)
        data["related"] = _pick_many(readable, data["related"], "related")
    return {
        k: v for k, v in data.items() if v is not None or k in ("category", "review_by", "owner")
    }


def _out(request: ApiRequest, article_id: Id) -> dict[str, Any]:
    user = request.auth
    article = (
        access.articles_visible_to(user, include_archived=True)
        .select_related("category")
        .prefetch_related("translations", "tags", "organisations", "related")
        .get(pk=article_id)
    )
    related = [r.pk for r in article.related.all()]
    if not access.is_editor(user):  # requesters learn only of related articles they may read
        readable = set(
            access.articles_visible_to(user).filter(pk__in=related).values_list("pk", flat=True)
        )
        related = [pk for pk in related if pk in readable]
    plain = (
        "id", "number", "category", "audience", "is_faq", "state", "review_by", "view_count",
        "helpful_count", "not_helpful_count", "created_at", "updated_at", "published_at",
    )  # fmt: skip
    return {
        **{f: getattr(article, f) for f in plain},
        "url": request.build_absolute_uri(reverse("knowledge:article", args=[article.pk])),
        "organisations": [o.pk for o in article.organisations.all()],
        "owner": article.owner_id,
        "tags": [t.name for t in article.tags.all()],
        "related": related,
        "translations": list(article.translations.all()),
    }


def _translation(article: Article, language: str) -> ArticleTranslation:
    found = next((t for t in article.translations.all() if t.language == language), None)
    if found is None:
        raise Http404("No such translation")
    return found


# --- articles --------------------------------------------------------------------------------


@router.get("/articles", response=ArticlePage, summary="List the articles you may read")
def list_articles(request: ApiRequest, filters: Query[ArticleFilters]) -> dict[str, Any]:
    user = request.auth
    f = filters
    qs = access.articles_visible_to(user, include_archived=f.state == State.ARCHIVED)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.category is not None:
        node = ArticleCategory.objects.filter(pk=f.category).first()
        if node is None:
            raise _refused("category")
        qs = qs.filter(in_category(node))
    if f.language:
        qs = qs.filter(translations__language=f.language)
    if f.audience:
        qs = qs.filter(audience=f.audience)
    if f.faq is not None:
        qs = qs.filter(is_faq=f.faq)
    if f.due:
        qs = qs.filter(review_by__lte=timezone.localdate())
    if f.cursor is not None:
        qs = qs.filter(pk__lt=f.cursor)
    if f.q and f.q.strip():
        text = f.q.strip()
        match = Q(translations__title__icontains=text) | Q(translations__body__icontains=text)
        number = Article.parse_number(text)
        qs = qs.filter(match | Q(pk=number) if number else match)
    ids = list(qs.order_by("-pk").values_list("pk", flat=True).distinct()[: f.limit + 1])
    more = len(ids) > f.limit
    ids = ids[: f.limit]
    rows = {
        a.pk: a
        for a in Article.objects.filter(pk__in=ids)
        .select_related("category")
        .prefetch_related("translations")
    }
    language = f.language or (user.language if user.is_authenticated else "en")
    items = []
    for pk in ids:
        article = rows[pk]
        shown = access.translation_for(article, language)
        items.append(
            {
                "id": pk,
                "number": article.number,
                "title": shown.title if shown else "",
                "language": shown.language if shown else "",
                "category": article.category.path if article.category else None,
                "audience": article.audience,
                "state": article.state,
                "is_faq": article.is_faq,
                "languages": sorted(t.language for t in article.translations.all()),
                "updated_at": article.updated_at,
            }
        )
    return {"items": items, "next_cursor": ids[-1] if more else None}


@router.post("/articles", response={201: ArticleOut}, summary="Write a new article (a draft)")
def create_article(request: ApiRequest, payload: ArticleCreateIn) -> tuple[int, dict[str, Any]]:
    user = request.auth
    services.require_editor(user)
    data = _resolve_fields(user, payload.model_dump())
    article = services.create_article(user, **data)
    return 201, _out(request, article.pk)


@router.get("/articles/{ref}", response=ArticleOut, summary="One article, by KB-12 or id")
def get_article(request: ApiRequest, ref: str) -> dict[str, Any]:
    return _out(request, _article(request, ref).pk)


@router.patch("/articles/{ref}", response=ArticleOut, summary="Change the language-free fields")
def update_article(request: ApiRequest, ref: str, payload: ArticleUpdateIn) -> dict[str, Any]:
    user = request.auth
    article = _article(request, ref)
    services.require_editor(user)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("tags") is None:
        changes.pop("tags", None)
    services.update_article(user, article, **_resolve_fields(user, changes))
    return _out(request, article.pk)


@router.delete("/articles/{ref}", response={204: None}, summary="Delete (owner, administrators)")
def delete_article(request: ApiRequest, ref: str) -> tuple[int, None]:
    services.delete_article(request.auth, _article(request, ref))
    return 204, None


@router.post(
    "/articles/{ref}/state",
    response=ArticleOut,
    summary="Move: draft → review → published → archived",
)
def set_state(request: ApiRequest, ref: str, payload: StateIn) -> dict[str, Any]:
    article = _article(request, ref)
    services.set_state(request.auth, article, payload.state)
    return _out(request, article.pk)


@router.post(
    "/articles/{ref}/feedback", response=FeedbackOut, summary="Helpful or not (one vote per reader)"
)
def vote(request: ApiRequest, ref: str, payload: FeedbackIn) -> dict[str, Any]:
    user = request.auth
    article = _article(request, ref)
    feedback = services.vote(user, article, payload.helpful, payload.comment)
    return {
        "helpful": feedback.helpful,
        "comment": feedback.comment,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
    }


# --- translations and versions ----------------------------------------------------------------


@router.get(
    "/articles/{ref}/translations",
    response=list[TranslationOut],
    summary="Every language of an article",
)
def list_translations(request: ApiRequest, ref: str) -> list[ArticleTranslation]:
    return list(_article(request, ref).translations.all())


@router.post(
    "/articles/{ref}/translations", response={201: TranslationOut}, summary="Add a language"
)
def add_translation(
    request: ApiRequest, ref: str, payload: TranslationCreateIn
) -> tuple[int, ArticleTranslation]:
    user = request.auth
    translation = services.add_translation(
        user, _article(request, ref), payload.language, title=payload.title, body=payload.body,
        note=payload.note,
    )  # fmt: skip
    return 201, translation


@router.get(
    "/articles/{ref}/translations/{language}", response=TranslationOut, summary="One language"
)
def get_translation(request: ApiRequest, ref: str, language: str) -> ArticleTranslation:
    return _translation(_article(request, ref), language)


@router.put(
    "/articles/{ref}/translations/{language}",
    response=TranslationOut,
    summary="Edit a language (a new version)",
)
def update_translation(
    request: ApiRequest, ref: str, language: str, payload: TranslationUpdateIn
) -> ArticleTranslation:
    user = request.auth
    article = _article(request, ref)
    _translation(article, language)
    return services.update_translation(
        user, article, language, title=payload.title, body=payload.body, note=payload.note,
        base_version=payload.base_version,
    )  # fmt: skip


@router.delete(
    "/articles/{ref}/translations/{language}", response={204: None}, summary="Remove a language"
)
def delete_translation(request: ApiRequest, ref: str, language: str) -> tuple[int, None]:
    article = _article(request, ref)
    _translation(article, language)
    services.delete_translation(request.auth, article, language)
    return 204, None


def _versions(request: ApiRequest, ref: str, language: str) -> QuerySet[ArticleVersion]:
    _editor_only(request.auth)
    translation = _translation(_article(request, ref), language)
    return translation.versions.order_by("-number")


@router.get(
    "/articles/{ref}/translations/{language}/versions",
    response=list[VersionOut],
    summary="History, newest first (agents)",
)
def list_versions(request: ApiRequest, ref: str, language: str) -> list[ArticleVersion]:
    return list(_versions(request, ref, language))


@router.get(
    "/articles/{ref}/translations/{language}/versions/{number}",
    response=VersionDetail,
    summary="One version with its diff (agents)",
)
def get_version(request: ApiRequest, ref: str, language: str, number: Id) -> dict[str, Any]:
    versions = _versions(request, ref, language)
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    previous = versions.filter(number__lt=number).first()
    diff = unified_diff(previous, version) if previous else ""
    return {**{f: getattr(version, f) for f in ("number", "title", "body", "edited_at", "note")},
            "edited_by_id": version.edited_by_id, "diff": diff}  # fmt: skip


@router.post(
    "/articles/{ref}/translations/{language}/versions/{number}/restore",
    response=TranslationOut,
    summary="Restore as a new version (agents)",
)
def restore_version(
    request: ApiRequest, ref: str, language: str, number: Id, payload: RestoreIn | None = None
) -> ArticleTranslation:
    version = _versions(request, ref, language).filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    note = payload.note if payload else ""
    return services.restore_version(request.auth, version, note=note)


# --- categories and search ---------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="The category tree, in path order")
def list_categories(request: ApiRequest) -> list[ArticleCategory]:
    return list(ArticleCategory.objects.order_by("path"))


@router.get("/search", response=list[SearchHit], summary="Search the articles you may read")
def search(request: ApiRequest, filters: Query[SearchFilters]) -> list[dict[str, Any]]:
    """Ranked published articles (any query text is safe: no match is an empty list)."""
    user = request.auth
    path = None
    if filters.category is not None:
        node = ArticleCategory.objects.filter(pk=filters.category).first()
        if node is None:
            raise _refused("category")
        path = node
    found = find_articles(
        user, filters.q, filters.language, limit=filters.limit, offset=filters.offset,
        category=path, cross_language=filters.language is None,
    )  # fmt: skip
    return [
        {
            "id": a.pk,
            "number": a.number,
            "url": request.build_absolute_uri(
                f"{reverse('knowledge:article', args=[a.pk])}?lang={a.hit.language}"
            ),
            "language": a.hit.language,
            "rank": a.hit.rank,
            "title": str(a.hit.title),
            "snippet": str(a.hit.snippet),
        }
        for a in found
    ]
