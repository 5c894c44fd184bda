"""Business calendars for administrators; saved through the service like every other write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tuki.calendars import services
from tuki.calendars.forms import CalendarForm
from tuki.calendars.models import Calendar


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "holiday_country", "always_open", "is_default"]
    list_filter = ["always_open", "holiday_country"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Calendar, form: Any, change: bool) -> None:
        # The form checked the input already; the service checks again and writes.
        if not request.user.is_authenticated:  # the admin site lets only staff in
            raise PermissionDenied
        services.update_calendar(request.user, obj, form.calendar_input(form.cleaned_data))
