"""Who may build and run scripts; the only way views and the API fetch them.

Administrators (is_staff or superuser) build them; agents run published ones. Anything a
person may not reach is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from tuki.lib.bounds import parse_id
from tuki.scripts.models import Script, ScriptRun

if TYPE_CHECKING:
    from tuki.accounts.models import User


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def usable(user: User) -> QuerySet[Script]:
    """Scripts this person may run: active ones with a published version, for agents."""
    if not is_agent(user):
        return Script.objects.none()
    return Script.objects.filter(is_active=True, versions__state="published").distinct()


def get_script_for_admin(user: User, pk: Any) -> Script:
    number = parse_id(str(pk))
    if not is_admin(user) or number is None:
        raise Http404("No such script")
    script = Script.objects.filter(pk=number).first()
    if script is None:
        raise Http404("No such script")
    return script


def get_script_for_agent(user: User, pk: Any) -> Script:
    number = parse_id(str(pk))
    script = usable(user).filter(pk=number).first() if number is not None else None
    if script is None:
        raise Http404("No such script")
    return script


def get_run_for_user(user: User, pk: Any) -> ScriptRun:
    """A run is its operator's while it is open (administrators may read every run)."""
    number = parse_id(str(pk))
    if number is None or not is_agent(user):
        raise Http404("No such run")
    runs = ScriptRun.objects.select_related("version__script")
    if not user.is_superuser:
        runs = runs.filter(operator=user)
    run = runs.filter(pk=number).first()
    if run is None:
        raise Http404("No such run")
    return run
