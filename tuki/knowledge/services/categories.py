"""Article categories (administrators)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tuki.knowledge.models import (
    Article,
    ArticleCategory,
)
from tuki.knowledge.services.common import _changed, _clean_text, _require_admin
from tuki.lib.errors import ServiceError

if TYPE_CHECKING:
    from tuki.accounts.models import User


def _clean_slug(name: str, slug: str, exclude: int | None = None) -> str:
    base = slugify(slug or name)[:90] or "category"
    candidate, n = base, 1
    others = ArticleCategory.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude)
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
