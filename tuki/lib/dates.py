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

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def absolute(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return date_format(_local(moment), "SHORT_DATETIME_FORMAT")


def absolute_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = _local(day)
    return date_format(day, "SHORT_DATE_FORMAT")


def relative(moment: datetime | None) -> SafeString | str:
    if moment is None:
        return ""
    local = _local(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="minutes"),
        date_format(local, "SHORT_DATETIME_FORMAT"),
        naturaltime(moment),
    )
