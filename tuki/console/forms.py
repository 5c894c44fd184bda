"""The console's forms: plain fields; the services check the rules and name the field at fault."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import TIME_ZONE_CHOICES, Location, Organisation, SupportGroup, User
from tuki.calendars.models import WEEKDAYS, Calendar
from tuki.calendars.services import CalendarInput
from tuki.calendars.validation import day_label
from tuki.lib.forms import BootstrapMixin
from tuki.mail.models import ClosedReplies, ImapSecurity, Mailbox, UnknownSenders
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


# --- calendars -------------------------------------------------------------------------------

PERIOD = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")


def parse_periods_text(text: str) -> list[list[str]]:
    """ "08:00–12:00, 13:00–16:00" as [["08:00", "12:00"], ["13:00", "16:00"]]."""
    periods = []
    for part in re.split(r"[,;]", text or ""):
        if not part.strip():
            continue
        match = PERIOD.match(part)
        if match is None:
            raise forms.ValidationError(
                _("Write periods like 08:00–12:00, 13:00–16:00 (%(part)s is not one).")
                % {"part": part.strip()}
            )
        periods.append([match[1].zfill(5), match[2].zfill(5)])
    return periods


def periods_text(periods: list[list[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in periods)


def day_field_name(day: str) -> str:
    return f"week_{day}"


class CalendarForm(ConsoleForm):
    """A calendar's name, zone and week: each weekday's periods typed as text."""

    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    always_open = forms.BooleanField(
        label=_("24×7: the clock always runs (the hours and holidays are ignored)"),
        required=False,
    )
    is_default = forms.BooleanField(
        label=_("Default: used where no policy or agreement names a calendar"), required=False
    )
    holiday_country = forms.CharField(
        label=_("Public holidays of (country code)"),
        max_length=3,
        required=False,
        help_text=_("ISO 3166 code such as FI or RO; its public holidays are closed."),
    )
    holiday_subdivision = forms.CharField(
        label=_("Region code"),
        max_length=10,
        required=False,
        help_text=_("Optional, e.g. a state or county whose own holidays also count."),
    )
    extra_working_days = forms.CharField(
        label=_("Extra working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "2026-06-06 09:00–13:00"}),
        help_text=_(
            "One a line: a date and its periods, worked although a holiday or a closed weekday."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day_field_name(day)] = forms.CharField(
                label=day_label(day),
                required=False,
                max_length=200,
                widget=forms.TextInput(
                    attrs={"placeholder": _("closed"), "class": "form-control form-control-sm"}
                ),
            )

    def day_fields(self) -> list[Any]:
        return [self[day_field_name(day)] for day in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week = {}
        for day in WEEKDAYS:
            name = day_field_name(day)
            if name not in data:
                continue
            try:
                periods = parse_periods_text(data[name])
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                continue
            if periods:
                week[day] = periods
        data["week"] = week
        extra: dict[str, list[list[str]]] = {}
        for line in (data.get("extra_working_days") or "").splitlines():
            if not line.strip():
                continue
            day, _space, rest = line.strip().partition(" ")
            try:
                extra[day] = parse_periods_text(rest)
            except forms.ValidationError as exc:
                self.add_error("extra_working_days", exc)
        data["extra"] = extra
        return data

    def service_input(self, holidays: list[str]) -> CalendarInput:
        data = self.cleaned_data
        return CalendarInput(
            name=data["name"],
            time_zone=data["time_zone"],
            week=data["week"],
            holidays=holidays,
            holiday_country=data["holiday_country"],
            holiday_subdivision=data["holiday_subdivision"],
            extra_working_days=data["extra"],
            always_open=data["always_open"],
            is_default=data["is_default"],
        )

    @staticmethod
    def initial_for(calendar: Calendar) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "always_open": calendar.always_open,
            "is_default": calendar.is_default,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
            "extra_working_days": "\n".join(
                f"{day} {periods_text(periods)}"
                for day, periods in sorted(calendar.extra_working_days.items())
            ),
        }
        for day in WEEKDAYS:
            initial[day_field_name(day)] = periods_text(calendar.week.get(day, []))
        return initial


class ClosedDayForm(BootstrapMixin, forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class PreviewForm(BootstrapMixin, forms.Form):
    """When a target of so many business hours, started at a moment, ends on a calendar."""

    start = forms.DateTimeField(
        label=_("Starting at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In the calendar's time zone; empty: now."),
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=MAX_HOURS, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=59, required=False)

    def total_minutes(self) -> int:
        data = self.cleaned_data
        hours, minutes = data.get("hours"), data.get("minutes")
        if hours is None and minutes is None:
            return 4 * 60
        return (hours or 0) * 60 + (minutes or 0)


# --- mailboxes -------------------------------------------------------------------------------


class MailboxForm(ConsoleForm):
    name = forms.SlugField(
        label=_("Name"),
        max_length=50,
        help_text=_("Letters, digits and hyphens; used by `tuki ingest_email --mailbox`."),
    )
    address = forms.EmailField(label=_("Address"))
    from_name = forms.CharField(
        label=_("Sender name"),
        max_length=100,
        required=False,
        help_text=_("Shown in replies' From."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    imap_host = forms.CharField(
        label=_("IMAP host"),
        max_length=255,
        required=False,
        help_text=_("Empty: the mail server pipes mail in; nothing is polled."),
    )
    imap_port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    imap_security = forms.ChoiceField(
        label=_("Security"), choices=ImapSecurity.choices, initial=ImapSecurity.SSL
    )
    imap_user = forms.CharField(label=_("User name"), max_length=255, required=False)
    imap_password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown; leave empty to keep the current password."),
    )
    imap_folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    processed_folder = forms.CharField(
        label=_("Move processed mail to"),
        max_length=255,
        required=False,
        help_text=_("Empty: processed messages are only flagged as seen."),
    )
    poll_interval = forms.IntegerField(
        label=_("Poll every (seconds)"), min_value=10, max_value=86_400, initial=60
    )
    kind = forms.ChoiceField(label=_("New tickets are"), choices=Kind.choices)
    group = forms.ModelChoiceField(
        label=_("New tickets go to"),
        queryset=SupportGroup.objects.all(),
        required=False,
        help_text=_("Empty: the default service desk."),
    )
    category = forms.ModelChoiceField(
        label=_("Category of new tickets"), queryset=Category.objects.all(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation of new senders"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("For senders whose domain no organisation owns."),
    )
    unknown_senders = forms.ChoiceField(label=_("Unknown senders"), choices=UnknownSenders.choices)
    closed_replies = forms.ChoiceField(
        label=_("Replies to closed tickets"), choices=ClosedReplies.choices
    )
    trusted_authserv_ids = forms.CharField(
        label=_("Trusted authentication servers"),
        max_length=500,
        required=False,
        help_text=_(
            "The authserv-id your mail server writes in Authentication-Results headers "
            "(e.g. mx.example.com), comma-separated."
        ),
    )
    verify_dkim = forms.BooleanField(
        label=_("Check DKIM signatures in Tuki (when the mail server does not)"), required=False
    )
    reply_token_address = forms.BooleanField(
        label=_("Reply address with a token (address+code@domain must reach this mailbox)"),
        required=False,
    )

    SECTIONS = (
        (_("Address"), ("name", "address", "from_name", "is_active")),
        (
            _("IMAP polling"),
            (
                "imap_host",
                "imap_port",
                "imap_security",
                "imap_user",
                "imap_password",
                "imap_folder",
                "processed_folder",
                "poll_interval",
            ),
        ),
        (_("New tickets"), ("kind", "group", "category", "organisation")),
        (_("Policies"), ("unknown_senders", "closed_replies")),
        (_("Sender proof"), ("trusted_authserv_ids", "verify_dkim", "reply_token_address")),
    )

    def sections(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("imap_host") and not data.get("imap_user"):
            self.add_error("imap_user", _("An IMAP mailbox needs a user name."))
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("group", "category", "organisation"):
            data[key] = data[key].pk if data[key] else None
        return data

    @staticmethod
    def initial_for(mailbox: Mailbox) -> dict[str, Any]:
        names = [name for _title, fields in MailboxForm.SECTIONS for name in fields]
        initial = {
            name: getattr(mailbox, name)
            for name in names
            if name not in ("imap_password", "group", "category", "organisation")
        }
        initial |= {
            "group": mailbox.group_id,
            "category": mailbox.category_id,
            "organisation": mailbox.organisation_id,
        }
        return initial


# --- services and OLA targets ----------------------------------------------------------------


class ServiceForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Tickets in these categories, or below them, are about this service."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["categories"] = [c.pk for c in data["categories"]]
        return data

    @staticmethod
    def initial_for(service: Service) -> dict[str, Any]:
        return {
            "name": service.name,
            "description": service.description,
            "categories": list(service.categories.all()),
            "is_active": service.is_active,
        }


ANY_PRIORITY = 0  # the OLA column of "every priority without a target of its own"


def ola_field_name(group_id: int, priority: int, unit: str) -> str:
    return f"g{group_id}_p{priority}_{unit}"


class OlaForm(ConsoleForm):
    """A policy's OLA targets: per support group, per priority, business hours and minutes."""

    def __init__(self, *args: Any, groups: list[SupportGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            for priority in self.priorities():
                for unit, most in (("h", MAX_HOURS), ("m", 59)):
                    self.fields[ola_field_name(group.pk, priority, unit)] = forms.IntegerField(
                        required=False,
                        min_value=0,
                        max_value=most,
                        widget=forms.NumberInput(
                            attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}
                        ),
                    )

    @staticmethod
    def priorities() -> list[int]:
        return [ANY_PRIORITY, *Priority.values]

    @staticmethod
    def columns() -> list[Any]:
        return [_("Any other priority"), *(label for _value, label in Priority.choices)]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "group": group,
                "cells": [
                    (
                        self[ola_field_name(group.pk, p, "h")],
                        self[ola_field_name(group.pk, p, "m")],
                    )
                    for p in self.priorities()
                ],
            }
            for group in self.groups
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = []
        for group in self.groups:
            for priority in self.priorities():
                hours = data.get(ola_field_name(group.pk, priority, "h"))
                minutes = data.get(ola_field_name(group.pk, priority, "m"))
                if hours is None and minutes is None:
                    continue
                total = (hours or 0) * 60 + (minutes or 0)
                if total == 0:
                    self.add_error(
                        ola_field_name(group.pk, priority, "h"),
                        _("A target must be longer than zero; leave both empty for none."),
                    )
                    continue
                targets.append(
                    {
                        "group": group.pk,
                        "priority": priority or None,
                        "minutes": total,
                    }
                )
        data["ola_targets"] = targets
        return data

    @staticmethod
    def initial_for(policy: SlaPolicy) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for target in policy.ola_targets.all():
            priority = target.priority or ANY_PRIORITY
            initial[ola_field_name(target.group_id, priority, "h")] = target.minutes // 60
            initial[ola_field_name(target.group_id, priority, "m")] = target.minutes % 60
        return initial
