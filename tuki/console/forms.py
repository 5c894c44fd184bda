"""The console's forms: plain fields; the services check the rules and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import TIME_ZONE_CHOICES, Location, Organisation, SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.lib.forms import BootstrapMixin
from tuki.sla.models import Agreement, Service, SlaPolicy
from tuki.tickets.models import Category, Kind, Priority, Status


class ConsoleForm(BootstrapMixin, forms.Form):
    """Ticked lists get Bootstrap's check boxes (BootstrapMixin takes them for selects)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


def agents() -> Any:
    return User.objects.filter(Q(is_agent=True) | Q(is_superuser=True), is_active=True).only(
        "id", "full_name", "email"
    )


class GroupForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    tier = forms.TypedChoiceField(label=_("Tier"), choices=SupportGroup.Tier.choices, coerce=int)
    email = forms.EmailField(label=_("Email"), required=False)
    manager = forms.ModelChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Office"), queryset=Location.objects.all(), required=False
    )
    may_write_to_requesters = forms.BooleanField(
        label=_("Service desk: members may send public replies to requesters"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = agents()  # type: ignore[attr-defined]  # ModelChoiceField


class MemberForm(BootstrapMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agents()  # type: ignore[attr-defined]  # ModelChoiceField


class UserForm(ConsoleForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    location = forms.ModelChoiceField(
        label=_("Office"), queryset=Location.objects.all(), required=False
    )
    is_agent = forms.BooleanField(label=_("Agent: works tickets in the desk"), required=False)
    sees_all_tickets = forms.BooleanField(
        label=_("Agent: sees the tickets of every group"), required=False
    )
    sees_organisation_tickets = forms.BooleanField(
        label=_("Requester: sees every ticket of their organisation"), required=False
    )
    is_staff = forms.BooleanField(label=_("Administrator: may use this console"), required=False)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False, initial=True)
    groups = forms.ModelMultipleChoiceField(
        label=_("Support groups"),
        queryset=SupportGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OrganisationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    domains = forms.CharField(
        label=_("Email domains"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated; senders from these domains belong here."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LocationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")


# --- SLA policies ----------------------------------------------------------------------------

METRICS = (
    ("first_response", _("First response")),
    ("next_response", _("Next response")),
    ("resolution", _("Resolution")),
)
MAX_HOURS = 100_000  # about eleven years of business hours: more is a typing mistake


def target_field_name(priority: int, metric: str, unit: str) -> str:
    return f"t{priority}_{metric}_{unit}"


class PolicyForm(ConsoleForm):
    """A policy's matching, calendar and its targets as business hours and minutes."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=1_000_000,
        initial=100,
        help_text=_("Policies are tried from the lowest number; the first that matches applies."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=Calendar.objects.all(),
        required=False,
        help_text=_("Counts time by this calendar; empty: the agreement's, else the default."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), queryset=Organisation.objects.all(), required=False
    )
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements"), queryset=Agreement.objects.all(), required=False
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.all(), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories (and their subcategories)"),
        queryset=Category.objects.all(),
        required=False,
    )
    pause_statuses = forms.MultipleChoiceField(
        label=_("Statuses that pause the clocks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every status in the pending category pauses."),
    )
    warning_thresholds = forms.CharField(
        label=_("Warnings at (% of the allowed time)"),
        required=False,
        initial="75, 90",
        help_text=_("Whole percentages, comma-separated, e.g. 75, 90."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pause_statuses"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            (s.key, s.name) for s in Status.objects.order_by("order", "id")
        ]
        for priority in Priority.values:
            for metric, _label in METRICS:
                for unit, most in (("h", MAX_HOURS), ("m", 59)):
                    self.fields[target_field_name(priority, metric, unit)] = forms.IntegerField(
                        required=False,
                        min_value=0,
                        max_value=most,
                        widget=forms.NumberInput(
                            attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}
                        ),
                    )

    def target_rows(self) -> list[dict[str, Any]]:
        """For the template: per priority, per metric, the hours and minutes fields."""
        return [
            {
                "priority": label,
                "cells": [
                    (
                        self[target_field_name(priority, metric, "h")],
                        self[target_field_name(priority, metric, "m")],
                    )
                    for metric, _label in METRICS
                ],
            }
            for priority, label in Priority.choices
        ]

    def clean_warning_thresholds(self) -> list[int]:
        raw = self.cleaned_data.get("warning_thresholds") or ""
        try:
            return [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Enter whole percentages, e.g. 75, 90.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = []
        for priority in Priority.values:
            row: dict[str, Any] = {"priority": priority}
            for metric, _label in METRICS:
                hours = data.get(target_field_name(priority, metric, "h"))
                minutes = data.get(target_field_name(priority, metric, "m"))
                total = (
                    None
                    if hours is None and minutes is None
                    else (hours or 0) * 60 + (minutes or 0)
                )
                if total == 0:
                    self.add_error(
                        target_field_name(priority, metric, "h"),
                        _("A target must be longer than zero; leave both empty for none."),
                    )
                row[f"{metric}_minutes"] = total or None
            if any(row[f"{m}_minutes"] for m, _l in METRICS):
                targets.append(row)
        data["targets"] = targets
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "order": data["order"],
            "is_active": data["is_active"],
            "calendar": data["calendar"].pk if data["calendar"] else None,
            "kinds": list(data["kinds"]),
            "priorities": list(data["priorities"]),
            "organisations": [o.pk for o in data["organisations"]],
            "agreements": [a.pk for a in data["agreements"]],
            "services": [s.pk for s in data["services"]],
            "categories": [c.pk for c in data["categories"]],
            "pause_statuses": list(data["pause_statuses"]),
            "warning_thresholds": data["warning_thresholds"],
            "targets": data["targets"],
        }

    @staticmethod
    def initial_for(policy: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": policy.name,
            "description": policy.description,
            "order": policy.order,
            "is_active": policy.is_active,
            "calendar": policy.calendar_id,
            "kinds": policy.kinds,
            "priorities": policy.priorities,
            "organisations": list(policy.organisations.all()),
            "agreements": list(policy.agreements.all()),
            "services": list(policy.services.all()),
            "categories": list(policy.categories.all()),
            "pause_statuses": [s.key for s in policy.pause_statuses.all()],
            "warning_thresholds": ", ".join(str(v) for v in policy.warning_thresholds),
        }
        for target in policy.targets.all():
            for metric, _label in METRICS:
                minutes = target.minutes_for(metric)
                if minutes:
                    initial[target_field_name(target.priority, metric, "h")] = minutes // 60
                    initial[target_field_name(target.priority, metric, "m")] = minutes % 60
        return initial


class AgreementForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all()
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.all(),
        required=False,
        help_text=_("The services it covers; empty: every service."),
    )
    policy = forms.ModelChoiceField(
        label=_("SLA policy"),
        queryset=SlaPolicy.objects.all(),
        required=False,
        help_text=_("Tried before the ordered policies for the tickets it covers."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"), queryset=Calendar.objects.all(), required=False
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: open-ended."),
    )
    target_percent = forms.DecimalField(
        label=_("Target (% of clocks met)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["organisation"] = data["organisation"].pk
        data["policy"] = data["policy"].pk if data["policy"] else None
        data["calendar"] = data["calendar"].pk if data["calendar"] else None
        data["services"] = [s.pk for s in data["services"]]
        return data

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, Any]:
        return {
            "name": agreement.name,
            "organisation": agreement.organisation_id,
            "services": list(agreement.services.all()),
            "policy": agreement.policy_id,
            "calendar": agreement.calendar_id,
            "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until,
            "target_percent": agreement.target_percent,
            "is_active": agreement.is_active,
        }
