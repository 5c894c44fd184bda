"""The console's custom-field pages: the list, the editor, deactivating (administrators).

Views parse the form, call tuki.tickets.services.custom_fields, render; refusals come back
next to the field they name."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import fields
from tuki.tickets.models import Category, CustomField, FieldType, Kind, Status
from tuki.tickets.services import custom_fields as service

View = Callable[..., HttpResponse]
LANGUAGES = ("ro", "fi")


def admin_required(view: View) -> View:
    """Administrators. Anonymous people sign in; agents get 403; requesters 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not service.may_manage_fields(user):
            if getattr(user, "is_agent", False):
                raise PermissionDenied(_("Only administrators manage custom fields."))
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


class CustomFieldForm(BootstrapMixin, forms.Form):
    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=50,
        help_text=gettext_lazy("Used in the API, automation and placeholders: custom.<key>."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=200)
    label_ro = forms.CharField(label=gettext_lazy("Label in Romanian"), required=False)
    label_fi = forms.CharField(label=gettext_lazy("Label in Finnish"), required=False)
    help_text = forms.CharField(label=gettext_lazy("Help text"), required=False, max_length=500)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One per line: value | label | Romanian label | Finnish label (choice types only)."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Ticket kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Categories"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("With their subcategories; none chosen: every category."),
    )
    required_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Required before entering"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min = forms.FloatField(label=gettext_lazy("Minimum"), required=False)
    max = forms.FloatField(label=gettext_lazy("Maximum"), required=False)
    max_length = forms.IntegerField(
        label=gettext_lazy("Maximum length"), required=False, min_value=1, max_value=5000
    )
    pattern = forms.CharField(
        label=gettext_lazy("Pattern"),
        required=False,
        help_text=gettext_lazy("A regular expression the text must match."),
    )
    visible_to_requester = forms.BooleanField(
        label=gettext_lazy("Requesters see it on the portal"), required=False
    )
    editable_by_requester = forms.BooleanField(
        label=gettext_lazy("Requesters fill it in"), required=False
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), required=False, min_value=0, max_value=32767
    )

    def __init__(self, *args: Any, existing: CustomField | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # "new" is the status a ticket is registered in: required at registration.
        statuses = [(s.key, s.label) for s in Status.objects.all()]
        self.fields["required_statuses"].choices = statuses  # type: ignore[attr-defined]
        for name in ("kinds", "required_statuses"):
            self.fields[name].widget.attrs.pop("class", None)  # Django puts it on the list too
        if existing is not None:
            self.fields["key"].disabled = True

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        validation = {
            name: _number(data.get(name)) for name in ("min", "max") if data.get(name) is not None
        }
        if data.get("max_length"):
            validation["max_length"] = data["max_length"]
        if data.get("pattern"):
            validation["pattern"] = data["pattern"]
        return {
            "key": data["key"],
            "label": data["label"],
            "labels": {lang: data.get(f"label_{lang}") or "" for lang in LANGUAGES},
            "help_text": data.get("help_text") or "",
            "type": data["type"],
            "choices": parse_choices(data.get("choices") or ""),
            "kinds": data.get("kinds") or [],
            "categories": list(data.get("categories") or []),
            "required_statuses": data.get("required_statuses") or [],
            "validation": validation,
            "visible_to_requester": data.get("visible_to_requester", False),
            "editable_by_requester": data.get("editable_by_requester", False),
            "position": data.get("position") or 0,
        }

    def add_service_error(self, exc: ServiceError) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            self.add_error(error.field if error.field in self.fields else None, error.message)


def _number(value: Any) -> int | float:
    return int(value) if float(value).is_integer() else value


def parse_choices(text: str) -> list[dict[str, Any]]:
    choices = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        labels = {lang: parts[i + 2] for i, lang in enumerate(LANGUAGES) if len(parts) > i + 2}
        choices.append(
            {"value": parts[0], "label": parts[1] if len(parts) > 1 else parts[0], "labels": labels}
        )
    return choices


def format_choices(choices: list[dict[str, Any]]) -> str:
    lines = []
    for c in choices:
        labels = c.get("labels") or {}
        parts = [str(c.get("value")), str(c.get("label") or "")]
        parts += [labels.get(lang, "") for lang in LANGUAGES]
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def _initial(field: CustomField) -> dict[str, Any]:
    rules = field.validation or {}
    return {
        "key": field.key,
        "label": field.label,
        "label_ro": (field.labels or {}).get("ro", ""),
        "label_fi": (field.labels or {}).get("fi", ""),
        "help_text": field.help_text,
        "type": field.type,
        "choices": format_choices(field.choices or []),
        "kinds": field.kinds,
        "categories": list(field.categories.all()),
        "required_statuses": field.required_statuses,
        "min": rules.get("min"),
        "max": rules.get("max"),
        "max_length": rules.get("max_length"),
        "pattern": rules.get("pattern", ""),
        "visible_to_requester": field.visible_to_requester,
        "editable_by_requester": field.editable_by_requester,
        "position": field.position,
    }


@admin_required
def field_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(CustomField.objects.prefetch_related("categories"))
    kinds = dict(Kind.choices)
    for row in rows:
        row.shown_label = fields.label(row)  # type: ignore[attr-defined]
        row.kind_labels = ", ".join(str(kinds.get(k, k)) for k in row.kinds)  # type: ignore[attr-defined]
    return render(request, "tickets/fields/list.html", {"rows": rows, "nav": "manage"})


def _edit(request: AuthenticatedHttpRequest, field: CustomField | None) -> HttpResponse:
    initial = _initial(field) if field is not None else {"type": FieldType.TEXT}
    form = CustomFieldForm(request.POST or None, initial=initial, existing=field)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service.save_custom_field(request.user, field, **form.service_kwargs())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(label)s was saved.") % {"label": saved.label})
            return redirect("custom_fields:list")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "field": field, "nav": "manage"}
    return render(request, "tickets/fields/edit.html", context, status=status)


@admin_required
def field_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@admin_required
def field_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CustomField, pk=pk))


@admin_required
@require_POST
def field_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    service.set_custom_field_active(request.user, field, not field.is_active)
    if field.is_active:
        messages.success(request, _("%(label)s is active again.") % {"label": field.label})
    else:
        messages.success(request, _("%(label)s was deactivated.") % {"label": field.label})
    return redirect("custom_fields:list")
