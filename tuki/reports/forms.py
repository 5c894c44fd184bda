"""The report pages' GET form: period and filters (→ `indicators.Filters`) and how to show
an indicator (breakdown, trend, clock, statistic); and the form that saves a report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.lib.forms import BootstrapMixin
from tuki.reports.filters import today as desk_today
from tuki.reports.indicators import DIMENSIONS, Filters, dimension, dimensions
from tuki.reports.models import Schedule
from tuki.reports.periods import Period, bounds, default_trend
from tuki.sla.models import Agreement, Service
from tuki.tickets.models import Channel, Kind, Priority

TIME_DIMENSIONS = ("day", "week", "month")
MAX_DAYS = 3 * 366  # a custom period longer than three years is refused
# The form's field for each tuple of Filters, and whether its values are ids.
FILTER_FIELDS = {
    "organisation": ("organisations", True),
    "agreement": ("agreements", True),
    "group": ("groups", True),
    "kind": ("kinds", False),
    "priority": ("priorities", True),
    "service": ("services", True),
    "channel": ("channels", False),
}
# The query parameters that say what is shown, not which tickets count.
VIEW_FIELDS = ("by", "trend", "clock", "statistic")


class DateInput(forms.DateInput):
    input_type = "date"


def dimension_label(code: str) -> str:
    found = dimension(code)
    return str(found.label) if found is not None else code


def breakdown_choices() -> list[tuple[str, str]]:
    """Every dimension (custom fields' after the fixed ones), the time ones last (a
    drill-down from the trend names its day)."""
    every = dimensions()
    codes = [c for c in every if c not in TIME_DIMENSIONS] + [
        c for c in TIME_DIMENSIONS if c in DIMENSIONS
    ]
    return [(code, str(every[code].label)) for code in codes]


def _model_choices(model: Any, everything: Any) -> forms.ModelChoiceField:
    """`everything` stays lazy: the empty choice is read in each reader's language."""
    return forms.ModelChoiceField(
        queryset=model.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label=everything,
    )


class ReportForm(BootstrapMixin, forms.Form):
    """Every report page reads its query string through this form, so that a number and the
    tickets behind it are always computed from the same filters."""

    period = forms.ChoiceField(
        label=_("Period"), choices=Period.choices, required=False, initial=Period.LAST_MONTH
    )
    start = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Last day"), required=False, widget=DateInput())
    organisation = _model_choices(Organisation, _("Every organisation"))
    agreement = _model_choices(Agreement, _("Every agreement"))
    group = _model_choices(SupportGroup, _("Every group"))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int)
    service = _model_choices(Service, _("Every service"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    by = forms.ChoiceField(label=_("Breakdown by"), required=False)
    trend = forms.ChoiceField(label=_("Trend by"), required=False)
    clock = forms.ChoiceField(
        label=_("Clock"),
        required=False,
        choices=[("business", _("Business hours")), ("calendar", _("Calendar time"))],
    )
    statistic = forms.ChoiceField(
        label=_("Statistic"),
        required=False,
        choices=[("median", _("Median")), ("p90", _("90th percentile")), ("mean", _("Mean"))],
    )

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        super().__init__(data if data is not None else QueryDict(), **kwargs)
        self.fields["organisation"].label = _("Organisation")
        self.fields["agreement"].label = _("Agreement")
        self.fields["group"].label = _("Group")
        self.fields["service"].label = _("Service")
        self._choices("kind", _("Every kind"), Kind.choices)
        self._choices("priority", _("Every priority"), Priority.choices)
        self._choices("channel", _("Every channel"), Channel.choices)
        self._choices("by", _("No breakdown"), breakdown_choices())
        self._choices(
            "trend", _("Automatic"), [(code, dimension_label(code)) for code in TIME_DIMENSIONS]
        )

    def _choices(self, name: str, empty: Any, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", empty), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or Period.LAST_MONTH
        data["period"] = period
        if period == Period.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("A custom period needs its first day."))
            if not end:
                self.add_error("end", _("A custom period needs its last day."))
            if start and end and end < start:
                self.add_error("end", _("The end comes before the start."))
            elif start and end and (end - start).days >= MAX_DAYS:
                self.add_error("end", _("A period may be at most three years long."))
        return data

    # --- what the views read ----------------------------------------------------------------

    def days(self, today: date | None = None) -> tuple[date, date]:
        data = self.cleaned_data
        if data["period"] == Period.CUSTOM:
            return data["start"], data["end"]
        return bounds(data["period"], today or desk_today())

    def filters(self, today: date | None = None) -> Filters:
        """The valid form's filters (call after is_valid())."""
        start, end = self.days(today)
        data = self.cleaned_data
        chosen: dict[str, tuple[Any, ...]] = {}
        for name, (attribute, _is_id) in FILTER_FIELDS.items():
            value = data.get(name)
            if value in (None, ""):
                continue
            chosen[attribute] = (value.pk if hasattr(value, "pk") else value,)
        return Filters(start=start, end=end, **chosen)

    def trend_by(self) -> str:
        start, end = self.days()
        return self.cleaned_data.get("trend") or default_trend(start, end)

    def query(self, **changes: str) -> str:
        """The form's query string (what was asked, valid or not), with `changes` applied;
        an empty value drops the parameter."""
        query = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        query._mutable = True
        for key in ("page", "key", "after"):
            query.pop(key, None)
        for key, value in changes.items():
            if value == "":
                query.pop(key, None)
            else:
                query[key] = value
        return query.urlencode()

    def stored_filters(self) -> dict[str, Any]:
        """The filters to keep in a saved report (ids and codes, no period)."""
        data = self.cleaned_data
        stored: dict[str, Any] = {}
        for name in FILTER_FIELDS:
            value = data.get(name)
            if value not in (None, ""):
                stored[name] = value.pk if hasattr(value, "pk") else value
        for name in ("clock", "statistic", "trend"):
            if data.get(name):
                stored[name] = data[name]
        if data["period"] == Period.CUSTOM:
            stored["start"], stored["end"] = data["start"].isoformat(), data["end"].isoformat()
        return stored


class SaveReportForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    shared = forms.BooleanField(
        label=_("Shared with everyone who may view reports"), required=False
    )
    schedule = forms.ChoiceField(
        label=_("Mail it"), choices=Schedule.choices, required=False, initial=Schedule.NEVER
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Also mail it to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Agents who receive the summary besides you, each computed as what they may see."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        recipients.queryset = User.objects.filter(is_active=True, is_agent=True).order_by(
            "full_name"
        )
