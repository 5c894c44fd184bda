"""The macro editor: plain fields for the text and one widget per kind of action.

The form compiles its action widgets into the JSON list the service validates, and maps a
refused action ("actions.2.value") back to the widget that produced it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin, field_of
from tuki.macros import access
from tuki.macros.models import Macro, Scope
from tuki.macros.placeholders import PLACEHOLDERS
from tuki.tickets.models import Category, Impact, Kind, Priority, Status, Urgency

BLANK = [("", "—")]


def _choices(pairs: Any) -> list[tuple[Any, Any]]:
    return BLANK + [(str(value), label) for value, label in pairs]


class MacroForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    scope = forms.ChoiceField(label=_("Shared with"))
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.none(), required=False
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Placeholders are replaced when the macro is used; see the list beside."),
    )
    internal = forms.BooleanField(label=_("Post the text as an internal note"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Only for these kinds (none: every kind)"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    set_status = forms.ChoiceField(label=_("Set status"), required=False)
    set_priority = forms.ChoiceField(
        label=_("Set priority"), required=False, choices=_choices(Priority.choices)
    )
    set_impact = forms.ChoiceField(
        label=_("Set impact"), required=False, choices=_choices(Impact.choices)
    )
    set_urgency = forms.ChoiceField(
        label=_("Set urgency"), required=False, choices=_choices(Urgency.choices)
    )
    set_category = forms.ModelChoiceField(
        label=_("Set category"), queryset=Category.objects.none(), required=False
    )
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, help_text=_("Separated by commas.")
    )
    assign_group = forms.ModelChoiceField(
        label=_("Assign to group"), queryset=SupportGroup.objects.none(), required=False
    )
    assign_agent = forms.ModelChoiceField(
        label=_("Assign to agent"), queryset=User.objects.none(), required=False
    )

    ACTION_FIELDS = (
        "set_status",
        "set_priority",
        "set_impact",
        "set_urgency",
        "set_category",
        "add_tags",
        "assign_group",
        "assign_agent",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scopes = [(Scope.PERSONAL.value, _("Only me"))]
        managed = access.managed_groups(user)
        if managed.exists():
            scopes.append((Scope.GROUP.value, _("A group I manage")))
        if access.is_admin(user):
            scopes.append((Scope.GLOBAL.value, _("Every agent")))
        field_of(self, "scope", forms.ChoiceField).choices = scopes
        field_of(self, "group", forms.ModelChoiceField).queryset = managed
        field_of(self, "set_status", forms.ChoiceField).choices = BLANK + [
            (s.key, s.label) for s in Status.objects.all()
        ]
        field_of(self, "set_category", forms.ModelChoiceField).queryset = Category.objects.filter(
            is_active=True
        )
        groups = SupportGroup.objects.filter(is_active=True)
        field_of(self, "assign_group", forms.ModelChoiceField).queryset = groups
        field_of(self, "assign_agent", forms.ModelChoiceField).queryset = User.objects.filter(
            is_active=True, is_agent=True
        ).order_by("full_name")
        self.action_sources: list[str] = []
        # BootstrapMixin styles it as a text box; each option is a check box.
        self.fields["kinds"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_for(cls, macro: Macro) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": macro.name,
            "scope": macro.scope,
            "group": macro.group_id,
            "body": macro.body,
            "internal": macro.internal,
            "kinds": macro.kinds,
            "is_active": macro.is_active,
        }
        for action in macro.actions:
            kind = action.get("type")
            if kind == "set_status":
                initial["set_status"] = action["status"]
            elif kind == "set_field":
                initial[f"set_{action['field']}"] = str(action["value"])
            elif kind == "add_tags":
                initial["add_tags"] = ", ".join(action["tags"])
            elif kind == "assign":
                initial["assign_group"] = action.get("group")
                initial["assign_agent"] = action.get("agent")
        return initial

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments for create_macro / update_macro."""
        data = self.cleaned_data
        actions: list[dict[str, Any]] = []
        self.action_sources = []

        def add(source: str, action: dict[str, Any]) -> None:
            actions.append(action)
            self.action_sources.append(source)

        for field in ("category", "impact", "urgency", "priority"):
            value = data.get(f"set_{field}")
            if value:
                value = value.pk if field == "category" else value
                add(f"set_{field}", {"type": "set_field", "field": field, "value": value})
        tags = [t.strip() for t in (data.get("add_tags") or "").split(",") if t.strip()]
        if tags:
            add("add_tags", {"type": "add_tags", "tags": tags})
        group, agent = data.get("assign_group"), data.get("assign_agent")
        if group or agent:
            source = "assign_agent" if agent and not group else "assign_group"
            add(
                source,
                {
                    "type": "assign",
                    "group": group.pk if group else None,
                    "agent": agent.pk if agent else None,
                },
            )
        if data.get("set_status"):
            # Last: the status moves after the assignment (assigning may move it too).
            add("set_status", {"type": "set_status", "status": data["set_status"]})
        return {
            "name": data["name"],
            "scope": data["scope"],
            "group": data.get("group"),
            "body": data.get("body") or "",
            "internal": data.get("internal", False),
            "kinds": data.get("kinds") or [],
            "is_active": data.get("is_active", False),
            "actions": actions,
        }

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field or ""
        if field.startswith("actions."):
            parts = field.split(".")
            index = parse_id(parts[1])
            index = -1 if index is None else index
            if 0 <= index < len(self.action_sources):
                source = self.action_sources[index]
                if source == "assign_group" and parts[-1] == "agent":
                    source = "assign_agent"
                self.add_error(source, exc.message)
                return
        if field.startswith("kinds"):
            self.add_error("kinds", exc.message)
            return
        super().add_service_error(exc)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False)
    ticket = forms.CharField(required=False, max_length=30)


def placeholder_help() -> list[tuple[str, Any]]:
    return [("{{" + name + "}}", label) for name, (label, _getter) in PLACEHOLDERS.items()]
