"""Writes to people and groups."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import (
    Absence,
    ApiToken,
    Location,
    MembershipGrant,
    Organisation,
    SupportGroup,
    User,
)
from tuki.lib.errors import ServiceError

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


def unlock_sign_in(email: str) -> int:
    """Forget the failed sign-ins of this email address from every client address (after a
    password reset proved the mailbox; `tuki axes_reset_username` does the same)."""
    return axes_reset(username=email.strip().lower())


# --- personal API tokens --------------------------------------------------------------------

NEVER = 0  # a lifetime of 0 days: the token does not expire (only if settings allow it)


def token_lifetimes() -> list[int]:
    """The lifetimes, in days, a user may pick for a new token (0: never expires)."""
    longest = settings.API_TOKEN_MAX_DAYS
    days = sorted({d for d in (7, 30, 90, 180, 365) if d <= longest} | {default_token_days()})
    return days + ([NEVER] if settings.API_TOKEN_MAY_NEVER_EXPIRE else [])


def default_token_days() -> int:
    return max(1, min(settings.API_TOKEN_DAYS, settings.API_TOKEN_MAX_DAYS))


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first (the secret is never kept, only its digest)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def may_manage_tokens(actor: User, owner: User) -> bool:
    """Everyone keeps their own tokens; administrators may revoke anyone's."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    return actor.pk == owner.pk or bool(actor.is_staff or actor.is_superuser)


def create_api_token(
    actor: User, owner: User, *, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `owner` living `days` days (None: the default, 0: never, if allowed).

    Returns the token and its raw value, which is shown once and never stored.
    """
    if actor.pk != owner.pk:
        raise PermissionDenied(_("People create their own API tokens."))
    if not owner.is_active:
        raise _refuse(_("This account is inactive."), "user", "inactive")
    name = (name or "").strip()
    if not name.isprintable() or any("\ud800" <= c <= "\udfff" for c in name):
        raise _refuse(_("Use printable characters only."), "name", "invalid")
    if len(name) > 100:
        raise _refuse(_("Keep the name under 100 characters."), "name", "too_long")
    if days is None:
        days = default_token_days()
    if days == NEVER:
        if not settings.API_TOKEN_MAY_NEVER_EXPIRE:
            raise _refuse(
                _("Tokens must expire: pick a number of days."), "expires_in_days", "required"
            )
    elif not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise _refuse(
            _("Pick between 1 and %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            "expires_in_days",
            "out_of_range",
        )
    with transaction.atomic():
        return ApiToken.mint(owner, name=name, days=days or None)


def revoke_api_token(actor: User, token: ApiToken) -> None:
    if not may_manage_tokens(actor, token.user):
        raise PermissionDenied(_("You may not revoke this token."))
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()


# --- assignment modes and away dates (tuki/routing reads them) -------------------------------


def _refuse(message: str, field: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, field=field, code=code)


def may_manage_group(actor: User, group: SupportGroup) -> bool:
    """Administrators and the group's manager set how the group assigns its tickets."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    return bool(actor.is_staff or actor.is_superuser or group.manager_id == actor.pk)


def may_manage_absences(actor: User, user: User) -> bool:
    """An agent keeps their own away dates; administrators and the manager of a group the
    agent belongs to keep them too."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_staff or actor.is_superuser:
        return True
    if actor.pk == user.pk:
        return bool(actor.is_agent)
    return SupportGroup.objects.filter(manager=actor, members=user).exists()


def set_assignment_mode(actor: User, group: SupportGroup, mode: str) -> SupportGroup:
    if not may_manage_group(actor, group):
        raise PermissionDenied(_("Only administrators and the group's manager may do this."))
    if mode not in SupportGroup.Assignment.values:
        raise _refuse(_("Unknown assignment mode."), "assignment", "invalid")
    with transaction.atomic():
        # A save, not update(): the audit trail (tuki/audit) sees only saves.
        locked = SupportGroup.objects.select_for_update().get(pk=group.pk)
        locked.assignment = mode
        locked.save(update_fields=["assignment"])
    group.assignment = mode
    return group


def add_absence(
    actor: User, user: User, *, starts_on: date, ends_on: date, note: str = ""
) -> Absence:
    """Record away dates (both days included, in the agent's time zone)."""
    if not may_manage_absences(actor, user):
        raise PermissionDenied(_("You may not change this agent's away dates."))
    if not (user.is_agent or user.is_superuser):
        raise _refuse(_("Only agents have away dates."), "user", "not_agent")
    if starts_on is None:
        raise _refuse(_("This field is required."), "starts_on", "required")
    if ends_on is None:
        raise _refuse(_("This field is required."), "ends_on", "required")
    if ends_on < starts_on:
        raise _refuse(_("The last day cannot be before the first."), "ends_on", "invalid")
    if (ends_on - starts_on).days > 366:
        raise _refuse(_("Away dates may span a year at most."), "ends_on", "too_long")
    note = (note or "").strip()
    if len(note) > 200:
        raise _refuse(_("Keep the note under 200 characters."), "note", "too_long")
    with transaction.atomic():
        return Absence.objects.create(
            user=user, starts_on=starts_on, ends_on=ends_on, note=note, created_by=actor
        )


def delete_absence(actor: User, absence: Absence) -> None:
    if not may_manage_absences(actor, absence.user):
        raise PermissionDenied(_("You may not change this agent's away dates."))
    with transaction.atomic():
        absence.delete()


def local_today(user: User, now: datetime | None = None) -> date:
    """Today in the user's own time zone (away dates are the agent's calendar days)."""
    now = now or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localtime(now, zone).date()


def away_user_ids(users: Iterable[User], now: datetime | None = None) -> set[int]:
    """Which of these users are away today, each in their own time zone (one query)."""
    now = now or timezone.now()
    today = {u.pk: local_today(u, now) for u in users}
    if not today:
        return set()
    # Every time zone's today lies within a day of UTC's; narrow in SQL, decide per user.
    utc_day = now.astimezone(UTC).date()
    rows = Absence.objects.filter(
        user_id__in=today,
        starts_on__lte=utc_day + timedelta(days=1),
        ends_on__gte=utc_day - timedelta(days=1),
    ).values_list("user_id", "starts_on", "ends_on")
    return {uid for uid, start, end in rows if start <= today[uid] <= end}


# --- the administration console (tuki/console): groups, people, organisations, offices -------


def _check_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied(_("Only administrators may do this."))


def _unique_name(model: Any, name: str, instance: Any) -> str:
    name = (name or "").strip()
    if not name:
        raise _refuse(_("A name is required."), "name", "required")
    if model.objects.filter(name__iexact=name).exclude(pk=instance.pk).exists():
        raise _refuse(_("%(name)s exists already.") % {"name": name}, "name", "duplicate")
    return name


def _full_clean(instance: Any, exclude: list[str]) -> None:
    """The model's own field rules, reported on the first field at fault."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise _refuse(messages[0], "" if field == "__all__" else field) from None


GROUP_FIELDS = ("tier", "may_write_to_requesters", "location", "email", "manager", "is_active")


def save_group(actor: User, group: SupportGroup, data: dict[str, Any]) -> SupportGroup:
    """Create (unsaved `group`) or change a support group; only the keys in `data` change."""
    _check_admin(actor)
    if "name" in data or group.pk is None:
        group.name = _unique_name(SupportGroup, data.get("name", ""), group)
    for key in GROUP_FIELDS:
        if key in data:
            setattr(group, key, data[key])
    if group.manager is not None and not (group.manager.is_agent or group.manager.is_superuser):
        raise _refuse(_("The manager must be an agent."), "manager", "not_agent")
    _full_clean(group, exclude=["members", "assignment"])
    with transaction.atomic():
        group.save()
    return group


def add_group_member(actor: User, group: SupportGroup, user: User) -> None:
    _check_admin(actor)
    if not (user.is_agent or user.is_superuser):
        raise _refuse(_("Only agents can be members of a support group."), "user", "not_agent")
    if not user.is_active:
        raise _refuse(_("This account is inactive."), "user", "inactive")
    with transaction.atomic():
        before = set(user.support_groups.values_list("id", flat=True))
        group.members.add(user)
        _note_manual(user, _current_roles(user), before)


def remove_group_member(actor: User, group: SupportGroup, user: User) -> None:
    _check_admin(actor)
    with transaction.atomic():
        group.members.remove(user)
        MembershipGrant.objects.filter(user=user, source=MANUAL, group=group).delete()


USER_FIELDS = (
    "full_name",
    "phone",
    "language",
    "time_zone",
    "organisation",
    "location",
    "is_agent",
    "sees_all_tickets",
    "sees_organisation_tickets",
    "is_staff",
    "is_active",
)


def save_user(
    actor: User, user: User, data: dict[str, Any], groups: Iterable[SupportGroup] | None = None
) -> User:
    """Create (unsaved `user`, without a usable password: they set one through the reset
    link) or change a person; `groups`, when given, replaces their support groups."""
    _check_admin(actor)
    if "email" in data or user.pk is None:
        email = (data.get("email") or "").strip().lower()
        if not email:
            raise _refuse(_("An email address is required."), "email", "required")
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise _refuse(_("Someone has this email address already."), "email", "duplicate")
        user.email = email
    before_roles = _stored_roles(user)
    for key in USER_FIELDS:
        if key in data:
            setattr(user, key, data[key])
    if not (user.full_name or "").strip():
        raise _refuse(_("A name is required."), "full_name", "required")
    if user.pk == actor.pk and not user.is_active:
        raise _refuse(_("You cannot deactivate yourself."), "is_active", "self")
    if user.pk == actor.pk and not (user.is_staff or user.is_superuser):
        raise _refuse(_("You cannot take away your own administration."), "is_staff", "self")
    if user.is_staff and not actor.is_superuser and user.pk != actor.pk:
        was_staff = user.pk is not None and User.objects.filter(pk=user.pk, is_staff=True).exists()
        if not was_staff:
            raise _refuse(_("Only a superuser may make administrators."), "is_staff", "denied")
    groups = list(groups) if groups is not None else None
    if groups and not (user.is_agent or user.is_superuser):
        raise _refuse(_("Only agents can be members of a support group."), "groups", "not_agent")
    _full_clean(user, exclude=["password", "groups", "user_permissions", "manager"])
    with transaction.atomic():
        if user.pk is None:
            user.set_unusable_password()
        before_groups = (
            set(user.support_groups.values_list("id", flat=True))
            if groups is not None and user.pk is not None
            else None
        )
        adding = user.pk is None
        user.save()
        if groups is not None:
            user.support_groups.set(groups)
        if not adding:
            _note_manual(user, before_roles, before_groups)
    return user


def save_organisation(
    actor: User, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    _check_admin(actor)
    if "name" in data or organisation.pk is None:
        organisation.name = _unique_name(Organisation, data.get("name", ""), organisation)
    for key in ("domains", "phone", "notes", "is_active"):
        if key in data:
            setattr(organisation, key, data[key])
    organisation.domains = ", ".join(
        d.strip().lower() for d in (organisation.domains or "").split(",") if d.strip()
    )
    _full_clean(organisation, exclude=[])
    with transaction.atomic():
        organisation.save()
    return organisation


def save_location(actor: User, location: Location, data: dict[str, Any]) -> Location:
    _check_admin(actor)
    if "name" in data or location.pk is None:
        location.name = _unique_name(Location, data.get("name", ""), location)
    for key in ("address", "time_zone"):
        if key in data:
            setattr(location, key, data[key])
    _full_clean(location, exclude=[])
    with transaction.atomic():
        location.save()
    return location


# --- where roles and support groups come from (LDAP, SCIM, single sign-on, by hand) ----------

# A role name -> the User flag it sets. Superusers are made with `tuki createsuperuser` only.
ROLE_FLAGS = {
    "agent": "is_agent",
    "admin": "is_staff",
    "sees_all_tickets": "sees_all_tickets",
    "sees_organisation_tickets": "sees_organisation_tickets",
}
MANUAL = "manual"
SOURCE_KINDS = ("ldap", "scim", "sso")
_SOURCE_RE = re.compile(r"^(?:ldap|scim|sso):[A-Za-z0-9_.-]{1,80}$")


@dataclass
class GrantChanges:
    """What a grant_from_source() call changed on the user (for logs and sync reports)."""

    roles_added: set[str] = field(default_factory=set)
    roles_removed: set[str] = field(default_factory=set)
    groups_added: set[int] = field(default_factory=set)
    groups_removed: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.roles_added or self.roles_removed or self.groups_added or self.groups_removed
        )


def check_source(source: str) -> str:
    if source != MANUAL and not _SOURCE_RE.match(source or ""):
        raise ValueError(
            f"not a membership source: {source!r} (manual, ldap:<id>, scim:<id>, sso:<id>)"
        )
    return source


def _current_roles(user: User) -> set[str]:
    return {role for role, flag in ROLE_FLAGS.items() if getattr(user, flag)}


def _stored_roles(user: User) -> set[str]:
    """The roles saved in the database (the instance may hold a form's unsaved values)."""
    if user.pk is None:
        return set()
    row = User.objects.filter(pk=user.pk).values(*ROLE_FLAGS.values()).first() or {}
    return {role for role, flag in ROLE_FLAGS.items() if row.get(flag)}


def grant_from_source(
    user: User,
    source: str,
    *,
    roles: Iterable[str] | None = None,
    groups: Iterable[SupportGroup | int] | None = None,
) -> GrantChanges:
    """Set exactly what `source` grants `user`: its roles and/or its support groups.

    `source` is "manual", "ldap:<id>", "scim:<id>" or "sso:<id>". `roles` are names of
    ROLE_FLAGS; `groups` support groups (or their ids). None leaves that part of the source's
    grants as it is; an empty list takes all of it back. The user's flags and memberships
    become the union of every source's grants: what an administrator gave by hand, or
    another source granted, stays. A flag or membership the user had before any source was
    recorded counts as given by hand. Support groups hold agents only: a group granted to
    someone no source makes an agent is recorded, and applies once they are one.
    Called by directory sync, SCIM and single sign-on; the caller checks who may ask.
    """
    check_source(source)
    wanted_roles = None if roles is None else set(roles)
    if wanted_roles is not None and (unknown := wanted_roles - ROLE_FLAGS.keys()):
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    wanted_groups = None if groups is None else {g if isinstance(g, int) else g.pk for g in groups}
    changes = GrantChanges()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        rows = list(MembershipGrant.objects.filter(user=locked))
        member_of = set(locked.support_groups.values_list("id", flat=True))
        # What the user has that no source recorded was given by hand (before grants existed).
        recorded_roles = {r.role for r in rows if r.role}
        recorded_groups = {r.group_id for r in rows if r.group_id}
        fresh = [
            MembershipGrant(user=locked, source=MANUAL, role=role)
            for role in _current_roles(locked) - recorded_roles
        ] + [
            MembershipGrant(user=locked, source=MANUAL, group_id=gid)
            for gid in member_of - recorded_groups
        ]
        if fresh:
            MembershipGrant.objects.bulk_create(fresh)
            rows += fresh
        if wanted_roles is not None:
            mine = {r.role for r in rows if r.role and r.source == source}
            MembershipGrant.objects.filter(
                user=locked, source=source, role__in=mine - wanted_roles, group__isnull=True
            ).delete()
            MembershipGrant.objects.bulk_create(
                [MembershipGrant(user=locked, source=source, role=r) for r in wanted_roles - mine]
            )
            rows = [r for r in rows if not (r.source == source and r.role)] + [
                MembershipGrant(user=locked, source=source, role=r) for r in wanted_roles
            ]
        if wanted_groups is not None:
            wanted_groups &= set(
                SupportGroup.objects.filter(pk__in=wanted_groups).values_list("id", flat=True)
            )
            mine_g = {r.group_id for r in rows if r.group_id and r.source == source}
            MembershipGrant.objects.filter(
                user=locked, source=source, group_id__in=mine_g - wanted_groups
            ).delete()
            MembershipGrant.objects.bulk_create(
                [
                    MembershipGrant(user=locked, source=source, group_id=g)
                    for g in wanted_groups - mine_g
                ]
            )
            rows = [r for r in rows if not (r.source == source and r.group_id)] + [
                MembershipGrant(user=locked, source=source, group_id=g) for g in wanted_groups
            ]
        # The union of every source.
        effective_roles = {r.role for r in rows if r.role}
        before = _current_roles(locked)
        changes.roles_added = effective_roles - before
        changes.roles_removed = before - effective_roles
        if changes.roles_added or changes.roles_removed:
            for role, flag in ROLE_FLAGS.items():
                setattr(locked, flag, role in effective_roles)
            # A save, not update(): the audit trail sees only saves.
            locked.save(update_fields=list(ROLE_FLAGS.values()))
        may_belong = locked.is_agent or locked.is_superuser
        effective_groups = {r.group_id for r in rows if r.group_id} if may_belong else set()
        changes.groups_added = effective_groups - member_of
        changes.groups_removed = member_of - effective_groups
        if changes.groups_added:
            locked.support_groups.add(*changes.groups_added)
        if changes.groups_removed:
            locked.support_groups.remove(*changes.groups_removed)
    for flag in ROLE_FLAGS.values():
        setattr(user, flag, getattr(locked, flag))
    user.__dict__.pop("group_ids", None)
    user.__dict__.pop("may_write_to_requesters", None)
    return changes


def revoke_source(user: User, source: str) -> GrantChanges:
    """Take back everything `source` granted `user` (what others granted stays)."""
    return grant_from_source(user, source, roles=[], groups=[])


def grants_of(user: User) -> list[MembershipGrant]:
    """Every recorded grant of a user, with its group (for the console's person page)."""
    return list(MembershipGrant.objects.filter(user=user).select_related("group"))


def _note_manual(user: User, before_roles: set[str], before_groups: set[int] | None) -> None:
    """After an administrator's edit: record what they turned on as given by hand, and forget
    the hand-given grants of what they turned off (only for users some source manages)."""
    if not MembershipGrant.objects.filter(user=user).exclude(source=MANUAL).exists():
        return
    now_roles = _current_roles(user)
    on = now_roles - before_roles
    off = before_roles - now_roles
    MembershipGrant.objects.filter(user=user, source=MANUAL, role__in=off).delete()
    for role in on:
        MembershipGrant.objects.get_or_create(user=user, source=MANUAL, role=role, group=None)
    if before_groups is not None:
        now_groups = set(user.support_groups.values_list("id", flat=True))
        MembershipGrant.objects.filter(
            user=user, source=MANUAL, group_id__in=before_groups - now_groups
        ).delete()
        for gid in now_groups - before_groups:
            MembershipGrant.objects.get_or_create(user=user, source=MANUAL, group_id=gid, role="")


# --- taking access away (deprovisioning) ----------------------------------------------------


def end_sessions(user: User) -> int:
    """Delete every stored session of `user` (they are refused anyway once inactive: Django's
    ModelBackend.get_user() rejects inactive users on each request). Returns how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def deactivate_user(user: User, source: str) -> bool:
    """A directory, provider or administrator takes `user`'s access away: inactive (never
    deleted: their tickets and history stay), API tokens deleted (User.save), sessions ended.
    Returns True if the user was active. Superusers are never deactivated by a source."""
    check_source(source)
    if user.is_superuser and source != MANUAL:
        return False
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        was_active = locked.is_active
        if was_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
        end_sessions(locked)
    user.is_active = False
    return was_active


def reactivate_user(user: User, source: str) -> bool:
    """A source says the user is back (a directory account enabled again)."""
    check_source(source)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        was_inactive = not locked.is_active
        if was_inactive:
            locked.is_active = True
            locked.save(update_fields=["is_active"])
    user.is_active = True
    return was_inactive
