"""The one question: a score from 1 to 5 and an optional comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin
from tuki.surveys.models import Score
from tuki.surveys.services import MAX_COMMENT


class AnswerForm(BootstrapMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scores render as a row of toggle buttons (templates/surveys/partials/question.html).
        self.fields["score"].widget.attrs["class"] = "btn-check"
