"""How a date or a moment is shown to a person: one presentation per purpose, everywhere.

- `absolute(moment)`: "6 Dec 2026, 14:05" (fi "6.12.2026 14.05", ro "06.12.2026, 14:05"),
  in the reader's time zone (the one UserPreferencesMiddleware activated) and language;
- `absolute_date(day)`: "6 Dec 2026", a date without a time (or a moment's day);
- `relative(moment)`: "3 hours ago" / "in 2 days" as a <time> element whose title is the
  absolute moment, for when something happened in a list or a history.

Templates use them as filters (`{% load dates %}`: tuki/core/templatetags/dates.py); Python
that writes HTML (the queue's rows, tickets/templatetags/ticket_tags.py) calls them directly.
The formats are the language's SHORT_* formats (English's are Tuki's: tuki/formats/en).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# Formatted moments and days by (wall time, UTC offset, time zone, format, language), which
# is all date_format's text depends on. Django's formatter walks the format letter by letter
# with a lazy translation per month name: 60-80 us a date, and a queue row shows four (its
# two dates, the updated moment's title, the SLA deadline), the same ones on every view.
_FORMATTED: dict[tuple[Any, ...], str] = {}
_FORMATTED_MAX = 20_000  # a few MB at most; emptied when full


def _formatted(value: date, format_type: str) -> str:
    if isinstance(value, datetime):
        key: tuple[Any, ...] = (
            value.replace(tzinfo=None),
            value.utcoffset(),
            value.tzinfo,
            format_type,
            get_language(),
        )
    else:
        key = (value, None, None, format_type, get_language())
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        text = _FORMATTED[key] = date_format(value, format_type)
    return text


@receiver(setting_changed)
def _forget_formats(*, setting: str, **kwargs: Any) -> None:
    """Tests that change the formats or languages (Django empties its own format cache)."""
    if setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES", "LOCALE_PATHS"}:
        _FORMATTED.clear()


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def absolute(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return _formatted(_local(moment), "SHORT_DATETIME_FORMAT")


def absolute_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = _local(day)
    return _formatted(day, "SHORT_DATE_FORMAT")


def relative(moment: datetime | None) -> SafeString | str:
    if moment is None:
        return ""
    local = _local(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        _formatted(local, "SHORT_DATETIME_FORMAT"),
        naturaltime(moment),
    )
