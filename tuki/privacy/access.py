"""Who may export or erase a person's data: administrators (staff and superusers). Only a
superuser may act on another administrator. Anyone else gets a 404 and learns nothing."""

from __future__ import annotations

from django.http import Http404

from tuki.accounts.models import User


def may_manage_personal_data(user: User | None) -> bool:
    return bool(user is not None and user.is_active and (user.is_staff or user.is_superuser))


def may_act_on(actor: User, person: User) -> bool:
    if not may_manage_personal_data(actor):
        return False
    return actor.is_superuser or not (person.is_staff or person.is_superuser)


def get_person_for_user(actor: User, pk: int | str) -> User:
    """The person, or 404 for an actor who may not manage their data."""
    if not may_manage_personal_data(actor):
        raise Http404
    text = str(pk)
    valid = text.isascii() and text.isdigit() and int(text) < 2**63
    found = User.objects.filter(pk=int(text)).first() if valid else None
    if found is None or not may_act_on(actor, found):
        raise Http404
    return found
