"""FastSelect writes exactly what Django's template-based Select writes."""

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from tuki.lib.forms import BootstrapMixin, FastSelect

CHOICES: list[Any] = [
    ("", "---------"),
    ("a", "Plain"),
    ("b&", 'Quotes " and <tags> & ampersands'),
    ("c", mark_safe("<b>safe</b>")),
    (3, 3),
    ("Network Helsinki", [("7", "Anna Ö'Brien"), ("8", "Bo")]),
    ("Empty <group>", []),
    ("d", gettext_lazy("Any")),
]


def both(choices: Any, value: Any, attrs: dict[str, Any] | None = None, **kw: Any) -> None:
    slow = forms.Select(attrs=attrs, choices=choices, **kw)
    fast = FastSelect(attrs=attrs, choices=choices, **kw)
    assert fast.render("field", value) == slow.render("field", value)


@pytest.mark.parametrize("value", [None, "", "a", "b&", 3, "3", "7", "missing"])
def test_same_html_for_every_value(value: Any) -> None:
    both(CHOICES, value, {"class": "form-select", "id": "id_field"})


def test_same_html_for_attributes() -> None:
    attrs = {"autofocus": True, "disabled": False, "data-x": 'a"b', "tabindex": 0, "n": None}
    both(CHOICES, "a", attrs)
    both([], None, attrs)


def test_same_html_translated() -> None:
    with override("fi"):
        both(CHOICES, "d", {"class": "form-select"})


class Groups(BootstrapMixin, forms.Form):
    slow = forms.ModelChoiceField(queryset=None, required=False)
    fast = forms.ModelChoiceField(queryset=None, required=False, widget=FastSelect)
    typed = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int)
    typed_fast = forms.TypedChoiceField(
        choices=[(1, "One"), (2, "Two")], coerce=int, widget=FastSelect
    )


@pytest.mark.django_db
def test_same_html_in_a_bound_form(desk: Any) -> None:
    from tuki.accounts.models import SupportGroup

    group = SupportGroup.objects.first()
    data = {"slow": group.pk, "fast": group.pk, "typed": "9", "typed_fast": "9"}
    form = Groups(data, auto_id="id_%s")
    for name in ("slow", "fast"):
        form.fields[name].queryset = SupportGroup.objects.all()
    form.is_valid()  # the typed fields fail: `is-invalid` is added to their class
    assert str(form["fast"]).replace("id_fast", "id_slow").replace('"fast"', '"slow"') == str(
        form["slow"]
    )
    assert str(form["typed_fast"]).replace("typed_fast", "typed") == str(form["typed"])
