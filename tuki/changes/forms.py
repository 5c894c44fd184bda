"""The change pages' forms (views call services with their cleaned data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import ApprovalTemplate
from tuki.changes.models import (
    ChangeTemplate,
    ChangeType,
    Outcome,
    Risk,
    RiskQuestion,
    TemplateState,
)
from tuki.cmdb import access as cmdb_access
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.forms import BootstrapMixin
from tuki.tickets.access import get_ticket_for_user
from tuki.tickets.models import Category, Ticket

QUESTION_PREFIX = "q_"
PLAN_WIDGET = forms.Textarea(attrs={"rows": 3})


class QuestionnaireMixin(forms.BaseForm):
    def add_questions(self, questions: list[RiskQuestion], answers: dict[str, str]) -> None:
        for question in questions:
            choices = [("", "—")] + [(a["key"], gettext(a["label"])) for a in question.answers]
            self.fields[QUESTION_PREFIX + question.key] = forms.ChoiceField(
                label=gettext(question.text),
                choices=choices,
                required=False,
                initial=answers.get(question.key, ""),
            )
            self.fields[QUESTION_PREFIX + question.key].widget.attrs["class"] = "form-select"

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix(QUESTION_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(QUESTION_PREFIX) and value
        }

    def question_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]


class ChangeForm(BootstrapMixin, QuestionnaireMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    change_type = forms.ChoiceField(label=_("Change type"), choices=ChangeType.choices)
    template = forms.ModelChoiceField(
        label=_("Standard change template"),
        queryset=ChangeTemplate.objects.filter(state=TemplateState.APPROVED),
        required=False,
        help_text=_("A standard change: its plans come from the approved template."),
    )
    description = forms.CharField(label=_("Description"), widget=PLAN_WIDGET, required=False)
    group = forms.ModelChoiceField(
        label=_("Implementing group"), queryset=SupportGroup.objects.all(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    justification = forms.CharField(
        label=_("Reason for the change"), widget=PLAN_WIDGET, required=False
    )
    implementation_plan = forms.CharField(
        label=_("Implementation plan"), widget=PLAN_WIDGET, required=False
    )
    backout_plan = forms.CharField(label=_("Back-out plan"), widget=PLAN_WIDGET, required=False)
    test_plan = forms.CharField(label=_("Test plan"), widget=PLAN_WIDGET, required=False)
    items = forms.ModelMultipleChoiceField(
        label=_("Affected services and items"),
        queryset=ConfigurationItem.objects.exclude(lifecycle="retired"),
        required=False,
    )

    def __init__(
        self, *args: Any, user: User, questions: list[RiskQuestion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_questions(questions, {})
        items = self.fields["items"]
        assert isinstance(items, forms.ModelMultipleChoiceField)
        items.queryset = cmdb_access.items_visible_to(user).exclude(lifecycle="retired")


class ChangeEditForm(BootstrapMixin, QuestionnaireMixin, forms.Form):
    change_type = forms.ChoiceField(label=_("Change type"), choices=ChangeType.choices)
    template = forms.ModelChoiceField(
        label=_("Standard change template"),
        queryset=ChangeTemplate.objects.filter(state=TemplateState.APPROVED),
        required=False,
    )
    justification = forms.CharField(
        label=_("Reason for the change"), widget=PLAN_WIDGET, required=False
    )
    implementation_plan = forms.CharField(
        label=_("Implementation plan"), widget=PLAN_WIDGET, required=False
    )
    backout_plan = forms.CharField(label=_("Back-out plan"), widget=PLAN_WIDGET, required=False)
    test_plan = forms.CharField(label=_("Test plan"), widget=PLAN_WIDGET, required=False)
    cab = forms.ModelChoiceField(
        label=_("Change advisory board"),
        queryset=ApprovalTemplate.objects.filter(is_active=True),
        required=False,
        help_text=_("Empty: the desk's CAB (an emergency change asks the ECAB)."),
    )

    def __init__(
        self, *args: Any, questions: list[RiskQuestion], answers: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_questions(questions, answers)


class OutcomeForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    outcome_notes = forms.CharField(label=_("Notes"), widget=PLAN_WIDGET, required=False)


class ReviewForm(BootstrapMixin, forms.Form):
    review = forms.CharField(label=_("Post-implementation review"), widget=PLAN_WIDGET)


class CausedIncidentForm(BootstrapMixin, forms.Form):
    incident = forms.CharField(
        label=_("Incident number"), max_length=30, help_text=_("For example INC-1042.")
    )

    def resolve(self, user: User) -> Ticket | None:
        try:
            return get_ticket_for_user(user, self.cleaned_data["incident"].strip(), related=False)
        except Http404:
            return None


class TemplateForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ChangeTemplate
        fields = [
            "name",
            "description",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "duration_minutes",
            "group",
            "category",
            "risk",
        ]
        widgets = {
            "description": PLAN_WIDGET,
            "implementation_plan": PLAN_WIDGET,
            "backout_plan": PLAN_WIDGET,
            "test_plan": PLAN_WIDGET,
        }

    def validate_unique(self) -> None:
        """The service checks the name (services.create_template)."""


class SettingsForm(BootstrapMixin, forms.Form):
    cab = forms.ModelChoiceField(
        label=_("Change advisory board (CAB)"),
        queryset=ApprovalTemplate.objects.filter(is_active=True),
        required=False,
    )
    ecab = forms.ModelChoiceField(
        label=_("Emergency change advisory board (ECAB)"),
        queryset=ApprovalTemplate.objects.filter(is_active=True),
        required=False,
    )


class FilterForm(forms.Form):
    change_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *ChangeType.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Open")), ("all", _("All")), ("closed", _("Closed"))],
        required=False,
    )
    risk = forms.TypedChoiceField(
        label=_("Risk"),
        choices=[("", _("Any risk")), *Risk.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.all(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=ConfigurationItem.objects.filter(
            ci_class__layer__in=("business", "application", "technical")
        ),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        service.queryset = cmdb_access.items_visible_to(user).filter(
            ci_class__layer__in=("business", "application", "technical")
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
