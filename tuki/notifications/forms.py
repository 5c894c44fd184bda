"""The preferences form: one in-app and one email checkbox per kind."""

from __future__ import annotations

from typing import Any

from django import forms

from tuki.notifications.models import NotificationKind


class PreferencesForm(forms.Form):
    """Fields `<kind>__in_app` and `<kind>__email`; `rows` feeds the table template."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            in_app, email = current[kind.value]
            self.fields[f"{kind.value}__in_app"] = forms.BooleanField(
                required=False, initial=in_app, label=kind.label
            )
            self.fields[f"{kind.value}__email"] = forms.BooleanField(
                required=False, initial=email, label=kind.label
            )

    @property
    def rows(self) -> list[tuple[str, Any, forms.BoundField, forms.BoundField]]:
        return [
            (k.value, k.label, self[f"{k.value}__in_app"], self[f"{k.value}__email"])
            for k in NotificationKind
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            k.value: (bool(data[f"{k.value}__in_app"]), bool(data[f"{k.value}__email"]))
            for k in NotificationKind
        }
