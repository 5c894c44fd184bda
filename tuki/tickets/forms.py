"""Forms of the agent workspace. They parse and validate input; services do the writing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field as dataclass_field
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.configcache import cache as configcache
from tuki.lib.bounds import clean_text, parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin, FastSelect, field_of
from tuki.lib.uploads import Upload
from tuki.tickets import access, fields as custom_fields, fields_forms
from tuki.tickets.models import (
    ACTIVE_CATEGORIES,
    Category,
    CustomField,
    FieldType,
    Impact,
    Kind,
    LinkType,
    Priority,
    ResolutionCode,
    Status,
    StatusCategory,
    Ticket,
    Urgency,
)

ANY = [("", _("Any"))]

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _int_choices(choices: Sequence[tuple[int, StrOrPromise]]) -> list[tuple[Any, Any]]:
    return [(str(value), label) for value, label in choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Several files at once; cleans to a list of Upload, refusing oversize ones."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Upload]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        uploads = []
        for uploaded in files:
            super().clean(uploaded, initial)
            try:
                uploads.append(Upload.from_uploaded(uploaded))
            except ServiceError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return uploads


def max_upload_mb() -> int:
    return settings.MAX_ATTACHMENT_SIZE // (1024 * 1024)


# --- queue ---------------------------------------------------------------------------------

SORTS = {
    "number": "id",
    "priority": "priority",
    "updated": "updated_at",
    "created": "created_at",
    "status": "status__order",
}
STATE_CHOICES = [
    ("active", _("Active")),
    ("all", _("All")),
    *StatusCategory.choices,
]


# A custom field's filter: `cf_<key>`, ranges `cf_<key>__min` / `cf_<key>__max`.
CUSTOM_PREFIX = "cf_"
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.DATE})
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})
# Beyond this a number filter is refused: every stored value compares within it, and
# SQLite takes no larger integer as a parameter.
NUMBER_LIMIT = 10**15


class NumberFilterField(forms.Field):
    """A number (a comma as the decimal mark too) within ±NUMBER_LIMIT, or None."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> int | float | None:
        text = str(value or "").replace(",", ".").replace(" ", "")
        if not text:
            return None
        try:
            number = float(text[:400])
        except ValueError:
            raise forms.ValidationError(_("Enter a number."), code="invalid") from None
        if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
            raise forms.ValidationError(_("Enter a smaller number."), code="invalid")
        return int(number) if number.is_integer() else number


class DateFilterField(forms.Field):
    """A date as YYYY-MM-DD (what <input type="date"> sends), kept as that text, or None."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> str | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:40]).isoformat()
        except ValueError:
            raise forms.ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid") from None


class IdChoiceField(forms.ChoiceField):
    """A row's id: one of the offered ones, or any other id (a link to someone not listed)."""

    def valid_value(self, value: Any) -> bool:
        return parse_id(value) is not None or super().valid_value(value)


class ColumnsField(forms.MultipleChoiceField):
    """The custom fields shown as columns; keys of fields that are gone are dropped."""

    def clean(self, value: Any) -> list[str]:
        offered = {str(key) for key, _label in self.choices}  # type: ignore[union-attr,misc]  # a list of pairs here
        return [v for v in dict.fromkeys(value or []) if v in offered]


@dataclass
class CustomFilter:
    """One custom field in the filter bar: its form fields' names (one, or min and max)."""

    field: CustomField
    label: str
    names: list[str]
    bound: list[forms.BoundField] = dataclass_field(default_factory=list)


def _statuses() -> list[Status]:
    """Every status in its order, kept per process (tuki.configcache): the filter bar reads
    the custom field definitions from there anyway, so this costs no query of its own."""
    return configcache.cached("tickets.queue_statuses", lambda: list(Status.objects.all()))


def active_status_ids() -> list[int]:
    return [s.pk for s in _statuses() if s.category in ACTIVE_CATEGORIES]


def status_ids_in(category: str) -> list[int]:
    return [s.pk for s in _statuses() if s.category == category]


class QueueFilterForm(BootstrapMixin, forms.Form):
    """The queue's filter bar. Unknown values of the fixed filters are ignored, never an
    error page; a bad custom field filter (an unknown choice, a bad number) is an error
    of that field, shown on the page, and not applied. Unknown `cf_` keys are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + Kind.choices)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=ANY + _int_choices(Priority.choices)
    )
    group = forms.ChoiceField(label=_("Group"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    owner = forms.ChoiceField(
        label=_("Owner"), required=False, choices=[("", _("Anyone")), ("me", _("Me"))]
    )
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    cols = ColumnsField(label=_("Columns"), required=False)

    FIXED = ("kind", "state", "status", "priority", "group", "assignee", "owner", "organisation")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "status", forms.ChoiceField).choices = ANY + [
            (s.key, s.label) for s in _statuses()
        ]
        # Kept for the bulk action bar, which offers the same groups and people. Ids and
        # names only: a model instance for each of a few hundred agents, groups and
        # organisations cost more than the rest of the filter bar.
        self.groups = list(SupportGroup.objects.filter(is_active=True).values_list("pk", "name"))
        self.agents = list(agents().values_list("pk", "full_name"))
        field_of(self, "group", forms.ChoiceField).choices = [
            ("", _("All groups")),
            ("mine", _("My groups")),
            *[(str(pk), name) for pk, name in self.groups],
        ]
        field_of(self, "assignee", forms.ChoiceField).choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("unassigned", _("Unassigned")),
            *[(str(pk), name) for pk, name in self.agents],
        ]
        organisations = [
            (str(pk), name)
            for pk, name in Organisation.objects.filter(is_active=True).values_list("pk", "name")
        ]
        field_of(self, "organisation", forms.ChoiceField).choices = [*ANY, *organisations]
        self.custom_filters = self._add_custom_filters(organisations)
        field_of(self, "cols", forms.MultipleChoiceField).choices = [
            (f.field.key, f.label) for f in self.custom_filters
        ]

    def _add_custom_filters(self, organisations: list[tuple[str, str]]) -> list[CustomFilter]:
        """A filter per active custom field (agents see every field), from the cached
        definitions: no query, whatever the number of fields."""
        filters = []
        for field in custom_fields.definitions().fields:
            label = custom_fields.label(field)
            name = CUSTOM_PREFIX + field.key
            made: dict[str, forms.Field] = {}
            if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
                made[name] = forms.ChoiceField(
                    choices=[*ANY, *custom_fields.choice_options(field)], required=False
                )
            elif field.type == FieldType.CHECKBOX:
                made[name] = forms.ChoiceField(
                    choices=[*ANY, ("yes", _("Yes")), ("no", _("No"))], required=False
                )
            elif field.type in TEXT_TYPES:
                made[name] = forms.CharField(required=False, max_length=200)
            elif field.type == FieldType.NUMBER:
                made[name + "__min"] = NumberFilterField(label=pgettext_lazy("range", "From"))
                made[name + "__max"] = NumberFilterField(label=pgettext_lazy("range", "To"))
            elif field.type == FieldType.DATE:
                made[name + "__min"] = DateFilterField(label=pgettext_lazy("range", "From"))
                made[name + "__max"] = DateFilterField(label=pgettext_lazy("range", "To"))
            elif field.type == FieldType.USER:
                # The agents at hand; anyone else by typing (picker.js), or by id in a link.
                listed = [(str(pk), n) for pk, n in self.agents]
                sent = self.data.get(name)
                if sent and sent not in {pk for pk, _n in listed}:
                    listed += fields_forms.current_choice(field, sent)
                made[name] = IdChoiceField(
                    choices=[*ANY, *listed],
                    required=False,
                    widget=fields_forms.ReferencePicker(field.type),
                )
            elif field.type == FieldType.ORGANISATION:
                made[name] = IdChoiceField(choices=[*ANY, *organisations], required=False)
            elif field.type == FieldType.CI:
                made[name] = IdChoiceField(
                    choices=[*ANY, *fields_forms.current_choice(field, self.data.get(name))],
                    required=False,
                    widget=fields_forms.ReferencePicker(field.type),
                )
            else:
                continue
            for form_name, form_field in made.items():
                if form_field.label:  # a range's end: "From" / "To" beside the field's label
                    form_field.widget.attrs["placeholder"] = str(form_field.label)
                    form_field.widget.attrs["aria-label"] = f"{label}: {form_field.label}"
                form_field.label = f"{label}: {form_field.label}" if form_field.label else label
                css = (
                    "form-select" if isinstance(form_field.widget, forms.Select) else "form-control"
                )
                form_field.widget.attrs["class"] = f"{css} form-{css.split('-')[1]}-sm"
                if isinstance(form_field, forms.CharField):
                    form_field.validators.append(clean_text)
                self.fields[form_name] = form_field
            filters.append(CustomFilter(field, label, list(made)))
        for custom in filters:
            custom.bound = [self[name] for name in custom.names]
        return filters

    def value(self, name: str) -> str:
        """The cleaned value, or "" for anything invalid (a stale link still shows a queue)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "")

    def custom_value(self, name: str) -> Any:
        """A custom filter's cleaned value; None when empty or invalid (then not applied)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    def columns(self) -> list[CustomField]:
        """The custom fields chosen as columns, in the fields' order."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        chosen = set(self.cleaned_data.get("cols") or [])
        return [f.field for f in self.custom_filters if f.field.key in chosen]

    def custom_errors(self) -> list[tuple[str, str]]:
        """(label, message) of each custom filter refused, for the results' notice."""
        errors = []
        for custom in self.custom_filters:
            for name in custom.names:
                for message in self.errors.get(name, []):
                    errors.append((custom.label, str(message)))
        return errors

    def custom_active(self) -> bool:
        """Whether a custom filter or column is in use (the part is then shown open)."""
        return any(
            self.data.get(name) for custom in self.custom_filters for name in custom.names
        ) or bool(self.data.get("cols"))


def agents() -> QuerySet[User]:
    return User.objects.filter(Q(is_agent=True) | Q(is_superuser=True), is_active=True).only(
        "id", "full_name", "email"
    )


class BulkForm(BootstrapMixin, forms.Form):
    ACTIONS = [("assign", _("Assign")), ("close", _("Close"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    tickets = forms.TypedMultipleChoiceField(
        label=_("Tickets"),
        coerce=int,
        error_messages={"required": _("Select at least one ticket.")},
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.filter(is_active=True), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.filter(is_agent=True), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the view fetches only what the user may see.
        ids = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        field_of(self, "tickets", forms.ChoiceField).choices = [
            (i, i) for i in ids if parse_id(i) is not None
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "assign" and not (data.get("group") or data.get("assignee")):
            self.add_error("assignee", _("Choose a group or a person."))
        return data


# --- inline field edits ----------------------------------------------------------------------


class TitleForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class ImpactForm(BootstrapMixin, forms.Form):
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=Impact.choices, coerce=int, widget=FastSelect
    )


class UrgencyForm(BootstrapMixin, forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Urgency.choices, coerce=int, widget=FastSelect
    )


class KindForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=FastSelect)


class CategoryForm(BootstrapMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
    )


class TagsForm(BootstrapMixin, forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )

    def clean_tags(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["tags"].split(",")]
        too_long = [n for n in names if len(n) > 50]
        if too_long:
            raise forms.ValidationError(_("A tag can be at most 50 characters long."))
        return [n for n in names if n]


FIELD_FORMS: dict[str, type[BootstrapMixin]] = {
    "title": TitleForm,
    "kind": KindForm,
    "impact": ImpactForm,
    "urgency": UrgencyForm,
    "category": CategoryForm,
    "tags": TagsForm,
}


def field_initial(ticket: Ticket, field: str) -> dict[str, Any]:
    if field == "tags":
        return {"tags": ", ".join(t.name for t in ticket.tags.all())}
    if field == "category":
        return {"category": ticket.category_id}
    return {field: getattr(ticket, field)}


# --- conversation ----------------------------------------------------------------------------


class CommentForm(BootstrapMixin, forms.Form):
    PUBLIC, INTERNAL = "public", "internal"

    visibility = forms.ChoiceField(
        label=_("Type"),
        choices=[(PUBLIC, _("Public reply")), (INTERNAL, _("Internal note"))],
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = UploadsField(label=_("Attachments"))
    status = forms.ChoiceField(label=_("Then set status"), required=False)

    def __init__(self, *args: Any, statuses: list[Status], can_reply: bool, **kwargs: Any):
        kwargs.setdefault("initial", {"visibility": self.PUBLIC if can_reply else self.INTERNAL})
        super().__init__(*args, **kwargs)
        self.can_reply = can_reply
        field_of(self, "status", forms.ChoiceField).choices = [("", _("Keep the status"))] + [
            (s.key, s.label) for s in statuses if s.category != StatusCategory.RESOLVED
        ]
        self.fields["body"].widget.attrs["accesskey"] = "r"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            if "attachments" not in self.errors:
                self.add_error("body", _("Write something first."))
        if data.get("visibility") == self.PUBLIC and not self.can_reply:
            self.add_error(
                "visibility",
                _("Your groups may not write to requesters; add an internal note instead."),
            )
        return data

    @property
    def internal(self) -> bool:
        return self.cleaned_data.get("visibility") == self.INTERNAL


# --- actions ---------------------------------------------------------------------------------


class ActionForm(BootstrapMixin, forms.Form):
    """Base of the ticket action forms: they know the ticket and who acts."""

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


class TakeForm(ActionForm):
    pass


# By group name, the (id, name) of its active members.
Members = list[tuple[str, list[tuple[int, str]]]]


def offer_groups(field: forms.ModelChoiceField, groups: list[SupportGroup]) -> None:
    """Show these groups, already read for the page, instead of reading the field's queryset
    once more to render it; the queryset still checks what comes back."""
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.widget.choices = empty + [(g.pk, field.label_from_instance(g)) for g in groups]


class AssignForm(ActionForm):
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty to keep the current group."),
        widget=FastSelect,
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=FastSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def __init__(
        self,
        *args: Any,
        members: Members,
        groups: list[SupportGroup] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["group"].initial = self.ticket.group_id
        if groups is not None:
            offer_groups(field_of(self, "group", forms.ModelChoiceField), groups)
        field_of(self, "assignee", forms.ChoiceField).choices = [
            ("", _("Nobody (the group's queue)"))
        ] + [(name, [(str(pk), full_name) for pk, full_name in people]) for name, people in members]

    def clean_assignee(self) -> User | None:
        # The choices hold only active members of active groups.
        value = self.cleaned_data.get("assignee")
        return User.objects.get(pk=int(value)) if value else None


class EscalateForm(ActionForm):
    FUNCTIONAL, HIERARCHICAL = "functional", "hierarchical"

    mode = forms.ChoiceField(
        label=_("Escalation"),
        choices=[
            (FUNCTIONAL, _("Functional: hand the work to another group")),
            (HIERARCHICAL, _("Hierarchical: bring in the group's manager")),
        ],
        initial=FUNCTIONAL,
        widget=forms.RadioSelect,
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=SupportGroup.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = field_of(self, "group", forms.ModelChoiceField)
        group.queryset = SupportGroup.objects.filter(is_active=True).exclude(
            pk=self.ticket.group_id
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("mode") == self.FUNCTIONAL and not data.get("group"):
            self.add_error("group", _("Choose a group to escalate to."))
        return data


def _status_choices(statuses: list[Status]) -> list[tuple[str, str]]:
    return [(s.key, s.label) for s in statuses if s.category != StatusCategory.RESOLVED]


class StatusForm(ActionForm):
    status = forms.ChoiceField(label=_("New status"), widget=FastSelect)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, statuses: list[Status], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "status", forms.ChoiceField).choices = _status_choices(statuses)


class ResolveForm(ActionForm):
    code = forms.ChoiceField(
        label=_("Resolution code"), choices=ResolutionCode.choices, widget=FastSelect
    )
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done; the requester is told."),
    )


class ReopenForm(ActionForm):
    reason = forms.CharField(
        label=_("Why is it reopened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(ActionForm):
    pass


class TicketNumberMixin(forms.BaseForm):
    """A ticket number field that resolves to a ticket the user may see (before ActionForm in
    the bases: it knows the user)."""

    user: User

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip().upper()
        try:
            target = access.get_ticket_for_user(self.user, number)
        except Http404:
            raise forms.ValidationError(
                _("There is no ticket %(number)s that you can see."), params={"number": number}
            ) from None
        self.cleaned_data["target"] = target
        return number


class LinkForm(TicketNumberMixin, ActionForm):
    link_type = forms.ChoiceField(
        label=_("This ticket is"),
        choices=LinkType.choices,
        initial=LinkType.RELATED,
        widget=FastSelect,
    )
    number = forms.CharField(
        label=_("Ticket"), max_length=30, widget=forms.TextInput(attrs={"placeholder": "INC-123"})
    )


class MergeForm(TicketNumberMixin, ActionForm):
    number = forms.CharField(
        label=_("Merge into ticket"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "INC-123"}),
        help_text=_("This ticket is closed as its duplicate; the requester follows the other."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    confirm_cross_organisation = forms.BooleanField(
        label=_("Merge across organisations"),
        required=False,
        help_text=_("Needed when the other ticket is another organisation's; nobody follows it."),
    )


# --- log a call ------------------------------------------------------------------------------


class LogCallForm(BootstrapMixin, forms.Form):
    SAVE, RESOLVE, ESCALATE = "save", "resolve", "escalate"

    requester = forms.ModelChoiceField(
        label=_("Caller"),
        queryset=User.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        required=False,
    )
    caller = forms.CharField(label=_("Caller"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Kind.INCIDENT, _("Incident")), (Kind.REQUEST, _("Service request"))],
        initial=Kind.INCIDENT,
        required=False,  # an incident unless told
        widget=forms.RadioSelect,
    )
    # Set by the "add to it" button of the similar-ticket warning: the call becomes a note on
    # that open ticket of the caller instead of a new ticket.
    add_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Set by the duplicate warning's other buttons: register the call as its own ticket, linked
    # to another person's open ticket about the same thing, or as a child of a live outage.
    link_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    child_of = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    description = forms.CharField(
        label=_("What the caller said"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.LOW
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (RESOLVE, _("Resolve at first contact")),
            (ESCALATE, _("Escalate to a group")),
            (SAVE, _("Save with the service desk")),
        ],
        initial=SAVE,
        widget=forms.RadioSelect,
    )
    group = forms.ModelChoiceField(
        label=_("Escalate to"), queryset=SupportGroup.objects.filter(is_active=True), required=False
    )
    resolution = forms.CharField(
        label=_("Resolution note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_caller(data)
        if not (data.get("title") or "").strip():
            # Speed for the operator: the first line of what the caller said is a fine title.
            first_line = (data.get("description") or "").strip().splitlines()[:1]
            if first_line:
                data["title"] = first_line[0][:200]
            else:
                self.add_error("title", _("A title is required."))
        outcome = data.get("outcome")
        if outcome == self.ESCALATE and not data.get("group"):
            self.add_error("group", _("Choose a group to escalate to."))
        if outcome == self.RESOLVE and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("Say how the call was resolved."))
        return data

    def _clean_caller(self, data: dict[str, Any]) -> None:
        if data.get("requester"):
            return
        # Without JavaScript the operator types an email or phone number: accept an exact match.
        text = (data.get("caller") or "").strip()
        match = (
            User.objects.filter(is_active=True)
            .filter(Q(email__iexact=text) | Q(phone=text))
            .first()
            if text
            else None
        )
        if match is None:
            self.add_error("caller", _("Find the caller and pick them from the list."))
        else:
            data["requester"] = match
