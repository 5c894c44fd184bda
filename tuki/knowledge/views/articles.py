"""The agents' workspace: article list, editor, state moves, history with diff and restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.knowledge import access, services
from tuki.knowledge.diff import diff_versions
from tuki.knowledge.forms import (
    ArticleFieldsForm,
    AttachmentForm,
    ListFilterForm,
    NewArticleForm,
    RestoreForm,
    StateForm,
    TranslationForm,
)
from tuki.knowledge.markdown import render_markdown
from tuki.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    Language,
    State,
)
from tuki.knowledge.search import in_category
from tuki.knowledge.views.common import (
    agent_required,
    page_context,
    reader_language,
    titled,
    with_titles,
)
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.lib.uploads import Upload

PAGE_SIZE = 25


# --- list ------------------------------------------------------------------------------------


def _filtered(user: Any, form: ListFilterForm) -> QuerySet[Article]:
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ""
    qs = access.articles_visible_to(user, include_archived=state == State.ARCHIVED)
    if state:
        qs = qs.filter(state=state)
    if data.get("category"):
        qs = qs.filter(in_category(data["category"]))
    if data.get("language"):
        qs = qs.filter(translations__language=data["language"])
    if data.get("audience"):
        qs = qs.filter(audience=data["audience"])
    if data.get("due"):
        qs = qs.filter(review_by__lte=timezone.localdate())
    if data.get("faq"):
        qs = qs.filter(is_faq=True)
    q = (data.get("q") or "").strip()
    if q:
        number = Article.parse_number(q)
        text = Q(translations__title__icontains=q) | Q(translations__body__icontains=q)
        qs = qs.filter(text | Q(pk=number) if number else text)
    return qs.distinct()


@agent_required(hide=True)
def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    qs = _filtered(request.user, form).select_related("category", "owner")
    page = Paginator(with_titles(qs).order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    language = reader_language(request)
    query = request.GET.copy()
    query.pop("page", None)
    context = page_context(
        form=form,
        page=page,
        articles=titled(page.object_list, language),
        query=query.urlencode(),
        today=timezone.localdate(),
    )
    return render(request, "knowledge/list.html", context)


# --- create and edit -------------------------------------------------------------------------


def _related_choices(exclude: int | None = None) -> QuerySet[Article]:
    qs = Article.objects.exclude(state=State.ARCHIVED).order_by("-id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return with_titles(qs)


@agent_required(hide=True)
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    # ?title= prefills the title: the reports link each unanswered search here.
    initial = {"title": request.GET.get("title", "")[:200]}
    form = NewArticleForm(request.POST or None, initial=initial, related_choices=_related_choices())
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            article = services.create_article(request.user, **data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Draft %(number)s saved.") % {"number": article.number})
            return redirect("knowledge:edit", pk=article.pk)
    status = 422 if request.method == "POST" else 200
    context = page_context(form=form, new=True)
    return render(request, "knowledge/new.html", context, status=status)


def _load(user: Any, pk: int) -> Article:
    return access.get_article_for_user(user, pk)


def _fields_initial(article: Article) -> dict[str, Any]:
    return {
        "category": article.category_id,
        "audience": article.audience,
        "organisations": list(article.organisations.all()),
        "is_faq": article.is_faq,
        "review_by": article.review_by,
        "owner": article.owner_id,
        "tags": ", ".join(t.name for t in article.tags.all()),
        "related": list(article.related.all()),
    }


def _editor_context(
    request: HttpRequest,
    article: Article,
    language: str,
    form: TranslationForm | None = None,
    fields_form: ArticleFieldsForm | None = None,
) -> dict[str, Any]:
    translations = {t.language: t for t in article.translations.all()}
    current = translations.get(language)
    if form is None:
        source = current or access.translation_for(article, language)
        form = TranslationForm(
            initial={
                "title": source.title if source else "",
                "body": source.body if source else "",
                "base_version": current.version if current else 0,
            }
        )
    if fields_form is None:
        fields_form = ArticleFieldsForm(
            initial=_fields_initial(article), related_choices=_related_choices(article.pk)
        )
    return page_context(
        article=article,
        language=language,
        language_label=Language(language).label,
        translation=current,
        translations=translations,
        form=form,
        fields_form=fields_form,
        attachment_form=AttachmentForm(),
        attachments=list(article.attachments.all()),
        moves=[State(s) for s in services.allowed_states(article)],
    )


@agent_required(hide=True)
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One language of an article: GET shows the editor, POST saves a new version (or adds
    the translation when this language has none yet)."""
    article = _load(request.user, pk)
    language = reader_language(request)
    if request.method != "POST":
        return render(request, "knowledge/editor.html", _editor_context(request, article, language))
    form = TranslationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        exists = any(t.language == language for t in article.translations.all())
        try:
            if exists:
                services.update_translation(
                    request.user, article, language, title=data["title"], body=data["body"],
                    note=data["note"], base_version=data["base_version"],
                )  # fmt: skip
            else:
                services.add_translation(
                    request.user, article, language, title=data["title"], body=data["body"],
                    note=data["note"],
                )  # fmt: skip
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('knowledge:edit', args=[article.pk])}?lang={language}")
    context = _editor_context(request, article, language, form=form)
    return render(request, "knowledge/editor.html", context, status=422)


@agent_required(hide=True)
@require_POST
def fields(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _load(request.user, pk)
    language = reader_language(request)
    form = ArticleFieldsForm(request.POST, related_choices=_related_choices(article.pk))
    if form.is_valid():
        try:
            services.update_article(request.user, article, **form.changes())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('knowledge:edit', args=[article.pk])}?lang={language}")
    context = _editor_context(request, article, language, fields_form=form)
    return render(request, "knowledge/editor.html", context, status=422)


@agent_required(hide=True)
@require_POST
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The editor's preview tab: the same rendering and sanitising as a saved article."""
    html = render_markdown(request.POST.get("body", "")[: services.BODY_MAX])
    return render(request, "knowledge/partials/preview.html", {"html": html})


@agent_required(hide=True)
@require_POST
def set_state(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _load(request.user, pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown state."))
    else:
        try:
            article = services.set_state(request.user, article, form.cleaned_data["state"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The article is now “%(state)s”.") % {"state": article.get_state_display()},
            )
    target = "knowledge:article" if request.POST.get("next") == "article" else "knowledge:edit"
    return redirect(target, pk=pk)


@agent_required(hide=True)
@require_POST
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _load(request.user, pk)
    try:
        services.delete_article(request.user, article)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("knowledge:edit", pk=pk)
    messages.success(request, _("Article %(number)s deleted.") % {"number": f"KB-{pk}"})
    return redirect("knowledge:list")


@agent_required(hide=True)
@require_POST
def delete_translation(request: AuthenticatedHttpRequest, pk: int, language: str) -> HttpResponse:
    article = _load(request.user, pk)
    try:
        services.delete_translation(request.user, article, language)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('knowledge:edit', args=[pk])}?lang={language}")
    messages.success(request, _("Translation removed."))
    return redirect("knowledge:edit", pk=pk)


# --- attachments -----------------------------------------------------------------------------


@agent_required(hide=True)
@require_POST
def upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _load(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            uploads = [Upload.from_uploaded(f) for f in form.cleaned_data["files"]]
            services.add_attachments(request.user, article, uploads)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Files attached."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("files", [])))
    return redirect("knowledge:edit", pk=pk)


@agent_required(hide=True)
@require_POST
def remove_attachment(
    request: AuthenticatedHttpRequest, pk: int, attachment_id: int
) -> HttpResponse:
    article = _load(request.user, pk)
    attachment = access.get_attachment_for_user(request.user, article, attachment_id)
    services.remove_attachment(request.user, attachment)
    messages.success(request, _("File removed."))
    return redirect("knowledge:edit", pk=pk)


# --- history ---------------------------------------------------------------------------------


def _version(translation: ArticleTranslation, number: str | None) -> ArticleVersion | None:
    found = parse_id(number) if number else None
    if found is None:
        return None
    return translation.versions.filter(number=found).select_related("edited_by").first()


@agent_required(hide=True)
def history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The versions of one translation, newest first; ?a=&b= compares two of them."""
    article = _load(request.user, pk)
    language = reader_language(request)
    translation = next((t for t in article.translations.all() if t.language == language), None)
    if translation is None:
        translation = access.translation_for(article, language)
    if translation is None:
        raise Http404("No translation")
    versions = list(translation.versions.select_related("edited_by").order_by("-number"))
    newest = versions[0].number if versions else 0
    old = _version(translation, request.GET.get("a")) or (
        versions[1] if len(versions) > 1 else None
    )
    new = _version(translation, request.GET.get("b")) or (versions[0] if versions else None)
    diff = diff_versions(old, new) if old and new and old.pk != new.pk else None
    context = page_context(
        article=article,
        translation=translation,
        language=translation.language,
        translations=sorted(t.language for t in article.translations.all()),
        versions=versions,
        newest=newest,
        old=old,
        new=new,
        diff=diff,
    )
    return render(request, "knowledge/history.html", context)


@agent_required(hide=True)
@require_POST
def restore(request: AuthenticatedHttpRequest, pk: int, version_id: int) -> HttpResponse:
    article = _load(request.user, pk)
    version = (
        ArticleVersion.objects.filter(pk=version_id, translation__article=article)
        .select_related("translation")
        .first()
    )
    if version is None:
        raise Http404("No such version")
    form = RestoreForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    translation = services.restore_version(request.user, version, note=note)
    messages.success(
        request,
        _("Version %(old)d restored as version %(new)d.")
        % {"old": version.number, "new": translation.version},
    )
    url = reverse("knowledge:history", args=[pk])
    return redirect(f"{url}?lang={translation.language}")
