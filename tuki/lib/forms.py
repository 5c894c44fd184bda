"""Bootstrap classes on every widget, so templates stay plain; one template for every form
field (the FORM_RENDERER); a Select without a template per option."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


class FormRenderer(TemplatesSetting):
    """settings.FORM_RENDERER: `{{ form }}` and `{{ field.as_field_group }}` render Tuki's
    Bootstrap markup from templates/forms/form.html and templates/forms/field.html. Widgets keep
    Django's templates (found through the "django.forms" app), so the admin's forms are as
    before."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class BootstrapMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_service_error(self, exc: Any) -> None:
        """Show a services.ServiceError next to the field it names (or above the form)."""
        field = exc.field if exc.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, exc.message)  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


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
