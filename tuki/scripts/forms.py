"""Forms of the script builder."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import SupportGroup
from tuki.catalogue.models import CatalogueItem
from tuki.lib.forms import BootstrapMixin
from tuki.scripts import tree
from tuki.scripts.models import Script
from tuki.sla.models import Service
from tuki.tickets.models import Category


class ScriptForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_ro = forms.CharField(label=_("Name in Romanian"), max_length=200, required=False)
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=500,
        required=False,
        help_text=_("Words in a call's title that suggest this script, separated by commas."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Calls in these categories suggest this script."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.all(),
        required=False,
        help_text=_("Calls about these services (by their categories) suggest this script."),
    )
    catalogue_items = forms.ModelMultipleChoiceField(
        label=_("Catalogue items"),
        queryset=CatalogueItem.objects.filter(is_active=True),
        required=False,
        help_text=_("Picking one of these items in Log a call suggests this script."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_for(script: Script) -> dict[str, Any]:
        return {
            "name": script.name,
            "name_ro": script.names.get("ro", ""),
            "name_fi": script.names.get("fi", ""),
            "description": script.description,
            "keywords": script.keywords,
            "categories": list(script.categories.all()),
            "services": list(script.services.all()),
            "catalogue_items": list(script.catalogue_items.all()),
            "is_active": script.is_active,
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "names": {"ro": data["name_ro"], "fi": data["name_fi"]},
            "description": data["description"],
            "keywords": data["keywords"],
            "categories": data["categories"],
            "services": data["services"],
            "catalogue_items": data["catalogue_items"],
            "is_active": data["is_active"],
        }


class AddNodeForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, tree.TYPE_LABELS[k]) for k in tree.TYPES])
    parent = forms.CharField(required=False, max_length=40)
    answer = forms.IntegerField(required=False, min_value=0, max_value=50)


class NodeForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    answers = forms.CharField(
        label=_("Answers, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    article = forms.IntegerField(label=_("Knowledge article id"), required=False, min_value=1)
    group = forms.ModelChoiceField(
        label=_("Escalate to"), queryset=SupportGroup.objects.filter(is_active=True), required=False
    )
    item = forms.IntegerField(label=_("Catalogue item id"), required=False, min_value=1)
    values = forms.CharField(
        label=_("Field values, one a line: key=value"),
        required=False,
        help_text=_(
            "kind, category (name or path), impact and urgency (1–3), or a custom field's key."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_values(self) -> dict[str, str]:
        result = {}
        for line in (self.cleaned_data.get("values") or "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(_("Write each value as key=value."))
            result[key.strip()[:50]] = value.strip()[:500]
        return result

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        group = data.get("group")
        return {
            "text": data.get("text") or "",
            "answers": (data.get("answers") or "").splitlines(),
            "article": data.get("article"),
            "group": group.pk if group else None,
            "item": data.get("item"),
            "values": data.get("values") or {},
        }

    @staticmethod
    def initial_for(node: dict[str, Any]) -> dict[str, Any]:
        return {
            "text": node.get("text", ""),
            "answers": "\n".join(a.get("label", "") for a in node.get("answers") or []),
            "article": node.get("article"),
            "group": node.get("group"),
            "item": node.get("item"),
            "values": "\n".join(f"{k}={v}" for k, v in (node.get("values") or {}).items()),
        }
