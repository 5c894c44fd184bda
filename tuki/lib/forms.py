"""Bootstrap classes on every widget, so templates stay plain; one template for every form
field (the FORM_RENDERER); a Select without a template per option; the several-files field of
the attachment forms (portal, knowledge base)."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.template.defaultfilters import filesizeformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tuki.lib.bounds import clean_text
from tuki.lib.errors import ServiceError

F = TypeVar("F", bound=forms.Field)


class FormRenderer(TemplatesSetting):
    """settings.FORM_RENDERER: `{{ form }}` and `{{ field.as_field_group }}` render Tuki's
    Bootstrap markup from templates/forms/form.html and templates/forms/field.html. Widgets keep
    Django's templates (found through the "django.forms" app), so the admin's forms are as
    before."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class BootstrapMixin(forms.BaseForm):
    """Mixed into a Form or ModelForm (`class F(BootstrapMixin, forms.Form)`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(field, forms.CharField):
                # NUL and lone surrogates cannot be stored: a field error (lib/bounds.py).
                field.validators.append(clean_text)

    def add_service_error(self, exc: ServiceError) -> None:
        """Show a ServiceError next to the field it names (or above the form)."""
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


# --- attachments ------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list (empty when nothing was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(f, initial) for f in files if f]


def attachments_help() -> str:
    return _("Optional. Up to %(size)s per file.") % {
        "size": filesizeformat(settings.MAX_ATTACHMENT_SIZE)
    }


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """`form.fields[name]`, typed as the kind of field the form declares it to be."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


# --- widgets that skip Django's per-option templates -----------------------------------------


def _attr_value(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape: safe text stays, the rest is escaped."""
    return conditional_escape(value)


def _text(value: Any) -> str:
    """`{{ value }}` under autoescape, as Django's templates print a variable."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def render_attrs(attrs: dict[str, Any]) -> str:
    """What django/forms/widgets/attrs.html writes: ` name="value"`, bare when True, none when
    False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_attr_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """Django's Select with the same HTML, written in Python instead of one template per
    <option>: the ticket page's assign form lists every agent, and rendering each option
    through select_option.html and attrs.html cost more than all of the page's SQL."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        # select.html's whitespace: a newline after each option (its template ends with one).
        out = [f'<select name="{_text(widget["name"])}"{render_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                out.append(
                    f'\n  <option value="{_attr_value(option["value"])}"'
                    f"{render_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # every piece above is escaped
