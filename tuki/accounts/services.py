"""Writes to people and groups."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tuki.accounts.models import User

PREFERENCE_FIELDS = ("full_name", "phone", "language", "time_zone")


def update_preferences(user: User, **values: Any) -> User:
    """A user edits their own name, phone, language and time zone."""
    with transaction.atomic():
        for field in PREFERENCE_FIELDS:
            if field in values:
                setattr(user, field, values[field])
        user.full_clean(exclude=["password"])
        user.save(update_fields=[f for f in PREFERENCE_FIELDS if f in values])
    return user
