"""Input that the database can store: bounded integers, text without NUL or lone surrogates,
and texts of a sensible size.

Every number a client sends ends up in a query: beyond 64 bits SQLite raises OverflowError
and PostgreSQL refuses to store it, so a filter or an id must be refused first, as a field
error. A lone surrogate (`"\\ud800"` in JSON) is not text either: no UTF-8 encoder takes it.
The API's schemas inherit `Schema`, whose validator checks every field of every input; path
and query parameters declared one by one use `Id` and `Int`. Forms' text fields run
`clean_text` (lib/forms.py, BootstrapMixin).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema as NinjaSchema
from pydantic import ValidationInfo, field_validator

MAX_INT = 2**63 - 1  # a bigint; every id and counter Tuki stores fits
MAX_TEXT = 100_000  # characters in one long text (a description, a comment, an article)
MAX_LINE = 1_000  # characters in one short text that has no model limit of its own

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Int = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_id(value: object) -> int | None:
    """The id `value` spells in ASCII digits, if it fits a bigint; otherwise None.

    Not `str.isdigit()`: superscripts and other scripts' digits pass it and then fail `int()`
    (or become another number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_INT else None
    text = str(value)
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_INT else None


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return _("Text may not contain NUL characters.")
    if _SURROGATE.search(value):
        return _("Text may not contain unpaired surrogate characters.")
    return None


def clean_text(value: str) -> None:
    """A form field's validator: a ValidationError for text that cannot be stored."""
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_text")


def _check(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise ValueError(_("The number is too large."))
    elif isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        if len(value) > MAX_TEXT:
            raise ValueError(
                _("The text is too long (at most %(max)d characters).") % {"max": MAX_TEXT}
            )
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    return value


class Schema(NinjaSchema):
    """The API's base schema: every field's integers fit a bigint, every text is storable
    and at most MAX_TEXT long (fields with a smaller model limit say so with max_length).

    Answers are not checked: ninja validates them too, with the status in the context."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(info.context, dict) and "response_status" in info.context:
            return value
        return _check(value)
