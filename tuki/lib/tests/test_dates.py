"""Dates and moments are shown one way per purpose, in the reader's time zone and language
(tuki/lib/dates.py); templates go through its filters, never their own formats."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from tuki.lib import dates

MOMENT = datetime(2026, 12, 6, 12, 5, tzinfo=UTC)  # 14:05 in Helsinki and Bucharest


@pytest.mark.parametrize(
    ("lang", "moment", "day"),
    [
        ("en", "6 Dec 2026, 14:05", "6 Dec 2026"),
        ("fi", "6.12.2026 14.05", "6.12.2026"),
        ("ro", "06.12.2026, 14:05", "06.12.2026"),
    ],
)
def test_absolute_in_the_readers_zone_and_language(lang, moment, day):
    with translation.override(lang), timezone.override("Europe/Helsinki"):
        assert dates.absolute(MOMENT) == moment
        assert dates.absolute_date(MOMENT) == day
        assert dates.absolute_date(date(2026, 12, 6)) == day


def test_remembered_texts_follow_the_zone_and_language():
    """Formatted texts are remembered per process: the same instant still reads in each
    reader's zone and language, in any order, and a day is not taken for a moment."""
    shown = []
    for lang, zone in [("en", "UTC"), ("fi", "Europe/Helsinki"), ("en", "Europe/Helsinki")]:
        with translation.override(lang), timezone.override(zone):
            shown.append((dates.absolute(MOMENT), dates.absolute_date(date(2026, 12, 6))))
    assert shown == [
        ("6 Dec 2026, 12:05", "6 Dec 2026"),
        ("6.12.2026 14.05", "6.12.2026"),
        ("6 Dec 2026, 14:05", "6 Dec 2026"),
    ]


def test_relative_carries_the_absolute_moment():
    with translation.override("en"), timezone.override("Europe/Helsinki"):
        html = dates.relative(MOMENT)
        assert html.startswith('<time datetime="2026-12-06T14:05+02:00" title="6 Dec 2026, 14:05">')
        assert "ago" in dates.relative(timezone.now() - timedelta(hours=3))
    with translation.override("fi"), timezone.override("Europe/Helsinki"):
        assert "tuntia sitten" in dates.relative(timezone.now() - timedelta(hours=3))


def test_nothing_shows_nothing():
    assert dates.absolute(None) == dates.absolute_date(None) == dates.relative(None) == ""


def test_the_filters_are_the_helpers():
    template = Template("{% load dates %}{{ m|absolute }}|{{ m|absolute_date }}|{{ m|relative }}")
    with translation.override("en"), timezone.override("Europe/Helsinki"):
        text = template.render(Context({"m": MOMENT}))
    first, second, third = text.split("|")
    assert (first, second) == ("6 Dec 2026, 14:05", "6 Dec 2026")
    assert third.startswith("<time ")  # not escaped


def test_templates_show_dates_only_through_the_filters():
    """`|date` only for machines (`date:'c'` in a datetime attribute); no naturaltime,
    timesince or named formats of their own."""
    own = re.compile(r"\|date(?!:['\"]c['\"])|naturaltime|timesince|timeuntil|naturalday")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if own.search(path.read_text())
    ]
    assert offenders == []
