"""The search filters, as a form: unknown values are field errors, never a failure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin, FastSelect
from tuki.search.documents import ARTICLE, TICKET
from tuki.search.queries import Filters
from tuki.tickets.models import Category, StatusCategory

KIND_CHOICES = [("", _("Everything")), (TICKET, _("Tickets")), (ARTICLE, _("Articles"))]


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The categories read with one plain SELECT: ModelChoiceIterator uses .iterator(),
    a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for a
    list of a few dozen rows."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class _CategoryField(forms.ModelChoiceField):
    iterator = _ListedChoices


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    # FastSelect: the same HTML without a template per <option> (the category list is long).
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, required=False, widget=FastSelect
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *StatusCategory.choices],
        required=False,
        widget=FastSelect,
    )
    category = _CategoryField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Any category"),
        widget=FastSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Any language")), *settings.LANGUAGES],
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, portal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if portal:  # requesters filter by kind only; statuses and categories are the desk's
            for name in ("status", "category", "language"):
                del self.fields[name]

    def filters(self) -> Filters:
        """The valid filters; a field with an error counts as not given."""
        self.is_valid()
        data = self.cleaned_data

        def value(name: str) -> Any:
            return data.get(name) if name not in self.errors else None

        category = value("category")
        return Filters(
            q=(value("q") or "")[:1000],
            kind=value("kind") or "",
            status=value("status") or "",
            category=category.pk if category else None,
            language=value("language") or "",
        )
