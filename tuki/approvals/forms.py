"""Forms of the approval pages; services validate again (they are the only writers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import APPROVABLE_KINDS, ApprovalTemplate, Decision, Rule
from tuki.approvals.services import MAX_COMMENT, MAX_STEPS
from tuki.lib.forms import BootstrapMixin, field_of
from tuki.tickets.models import Kind


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: the requester reads it."),
    )


class RequestForm(BootstrapMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("Approval template"), queryset=ApprovalTemplate.objects.none()
    )

    def __init__(self, *args: Any, templates: list[ApprovalTemplate] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        ids = [t.pk for t in templates or []]
        field_of(
            self, "template", forms.ModelChoiceField
        ).queryset = ApprovalTemplate.objects.filter(pk__in=ids)


class TemplateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kinds = forms.MultipleChoiceField(
        label=_("For"),
        required=False,
        choices=[(k, Kind(k).label) for k in APPROVABLE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: service requests and changes."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StepForm(BootstrapMixin, forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=Rule.choices, initial=Rule.ANY)
    users = forms.ModelMultipleChoiceField(
        label=_("Approvers"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    group = forms.ModelChoiceField(
        label=_("Or a group (its members approve)"),
        required=False,
        queryset=SupportGroup.objects.filter(is_active=True).order_by("name"),
    )

    def as_step(self) -> dict[str, Any] | None:
        """The step as services take it, or None for a row left empty."""
        data = self.cleaned_data
        if not data or (not data.get("users") and not data.get("group")):
            return None
        group = data.get("group")
        return {
            "rule": data.get("rule") or Rule.ANY,
            "users": [u.pk for u in data["users"]],
            "group": group.pk if group else None,
        }


StepFormSet = forms.formset_factory(StepForm, extra=0, max_num=MAX_STEPS, absolute_max=MAX_STEPS)


def step_formset(data: Any = None, steps: list[dict[str, Any]] | None = None) -> Any:
    """Existing steps plus one empty row (two for a new template)."""
    initial = [
        {"rule": s.get("rule"), "users": s.get("users") or [], "group": s.get("group")}
        for s in steps or []
    ]
    formset_class = forms.formset_factory(
        StepForm, extra=1 if initial else 2, max_num=MAX_STEPS, absolute_max=MAX_STEPS
    )
    formset = formset_class(data, initial=initial, prefix="steps")
    for form in formset.forms:
        # A row equal to its initial step is still that step (not "unchanged, so empty").
        form.empty_permitted = False
    return formset
