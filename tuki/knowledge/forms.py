"""Forms of the knowledge base: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation, User
from tuki.knowledge.access import translation_for
from tuki.knowledge.models import Article, ArticleCategory, Audience, Language, State
from tuki.lib.forms import BootstrapMixin, MultipleFileField, attachments_help, field_of


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ArticleCategory) -> str:
        return obj.path


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        # The queryset prefetches translations (views.articles._related_choices).
        shown = translation_for(obj, "en")
        return f"{obj.number} {shown.title if shown else ''}".strip()


def _tags_text(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class ArticleFieldsForm(BootstrapMixin, forms.Form):
    """The language-free fields of an article (the editor's side panel)."""

    category = CategoryChoiceField(
        label=_("Category"), queryset=ArticleCategory.objects.all(), required=False
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        help_text=_("Only with the audience “Selected organisations”."),
    )
    is_faq = forms.BooleanField(label=_("Show in the FAQ"), required=False)
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True, is_agent=True),
        required=False,
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Comma-separated.")
    )
    related = ArticleChoiceField(
        label=_("Related articles"), queryset=Article.objects.none(), required=False
    )

    def __init__(self, *args: Any, related_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if related_choices is not None:
            field_of(self, "related", forms.ModelChoiceField).queryset = related_choices

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tags"] = _tags_text(data.get("tags", ""))
        return data


class NewArticleForm(ArticleFieldsForm):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="en")
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 18})
    )

    field_order = ["title", "language", "body"]


class TranslationForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "class": "font-monospace kb-editor-body"}),
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        help_text=_("Shown in the history."),
    )
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=State.choices)


class VoteForm(BootstrapMixin, forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda v: v == "yes"
    )
    comment = forms.CharField(
        label=_("Anything we should add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RestoreForm(forms.Form):
    note = forms.CharField(required=False, max_length=300)


class AttachmentForm(BootstrapMixin, forms.Form):
    files = MultipleFileField(label=_("Files"))  # type: ignore[assignment]  # the metaclass moves it to base_fields; form.files stays

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = attachments_help()


class CategoryForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = CategoryChoiceField(
        label=_("Parent"), queryset=ArticleCategory.objects.all(), required=False
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)


class ListFilterForm(forms.Form):
    """The article list's filters; anything unknown is ignored rather than an error page."""

    q = forms.CharField(required=False, max_length=200)
    state = forms.ChoiceField(required=False, choices=[("", _("Any state")), *State.choices])
    category = forms.ModelChoiceField(
        required=False, queryset=ArticleCategory.objects.all(), empty_label=_("Any category")
    )
    language = forms.ChoiceField(
        required=False, choices=[("", _("Any language")), *Language.choices]
    )
    audience = forms.ChoiceField(
        required=False, choices=[("", _("Any audience")), *Audience.choices]
    )
    due = forms.BooleanField(required=False, label=_("Due for review"))
    faq = forms.BooleanField(required=False, label=_("FAQ"))
