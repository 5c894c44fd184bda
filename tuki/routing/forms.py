"""Forms for the routing pages: parse and show errors; services.py decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.lib.forms import BootstrapMixin, field_of
from tuki.routing.models import RoutingRule
from tuki.sla.models import Service
from tuki.tickets.models import Category, Kind


class RoutingRuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any category"),
        help_text=_("Subcategories match too."),
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any service"),
        help_text=_("Tickets whose category belongs to the service."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Requester's organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any organisation"),
    )
    location = forms.ModelChoiceField(
        label=_("Requester's office"),
        queryset=Location.objects.all(),
        required=False,
        empty_label=_("Any office"),
    )
    group = forms.ModelChoiceField(
        label=_("Route to group"),
        queryset=SupportGroup.objects.filter(is_active=True),
        empty_label="—",
        help_text=_("The service desk keeps ownership; the work moves to this group."),
    )
    use_assist = forms.BooleanField(
        label=_("Assist's suggested group first"),
        required=False,
        help_text=_(
            "When Assist's suggested group is at least as confident as the threshold set "
            "for Assist, the work goes there; otherwise to the group above."
        ),
    )

    @classmethod
    def for_rule(cls, rule: RoutingRule, data: Any = None) -> RoutingRuleForm:
        initial = {}
        if rule.pk:
            initial = {
                "name": rule.name,
                "is_active": rule.is_active,
                "kind": rule.kind,
                "category": rule.category_id,
                "service": rule.service_id,
                "organisation": rule.organisation_id,
                "location": rule.location_id,
                "group": rule.group_id,
                "use_assist": rule.use_assist,
            }
        return cls(data, initial=initial)


class AssignmentModeForm(BootstrapMixin, forms.Form):
    assignment = forms.ChoiceField(
        label=_("Assignment"),
        choices=SupportGroup.Assignment.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Automatic modes skip inactive agents and agents away today, and assign only "
            "tickets that arrive without an assignee."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # RadioSelect renders its own inputs; Bootstrap's class goes on each of them.
        self.fields["assignment"].widget.attrs["class"] = "form-check-input"


class AbsenceForm(BootstrapMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)
    starts_on = forms.DateField(
        label=_("Away from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Away until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Both days included."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["user"]  # one's own dates
        else:
            user = field_of(self, "user", forms.ModelChoiceField)
            user.queryset = members
            user.required = True
