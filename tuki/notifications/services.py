"""The only way to write notifications: notify, mark_read, set_preferences.

Other apps call `notify` (approvals, automation rules); this app's receivers call it on
ticket events (receivers.py, rules.py).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tuki.lib.errors import ServiceError
from tuki.mail.outbound.planning import plan_notice
from tuki.notifications.models import (
    DEFAULTS,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from tuki.tickets import access
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

Text = str | Promise


# --- preferences -----------------------------------------------------------------------------


def preferences_of(user: User) -> dict[str, tuple[bool, bool]]:
    """(in the app, by email) for every kind: the user's choice, else the default."""
    chosen = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in NotificationKind.values}


def set_preferences(
    actor: User, user: User, choices: Mapping[str, tuple[bool, bool]]
) -> dict[str, tuple[bool, bool]]:
    """Save (in the app, by email) per kind; kinds not given keep their current choice."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You may change only your own notification preferences."))
    unknown = [kind for kind in choices if kind not in NotificationKind.values]
    if unknown:
        raise ServiceError(
            _("Unknown notification kind: %(kind)s.") % {"kind": unknown[0]},
            field="kind",
            code="unknown_kind",
        )
    with transaction.atomic():
        for kind, (in_app, email) in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
            )
    return preferences_of(user)


# --- notify ----------------------------------------------------------------------------------


def recipients(
    users: Iterable[User | None], ticket: Ticket | None, actor: User | None
) -> list[User]:
    """Who of these people is told: active agents (requesters have their own mail flow),
    not the actor, each once, and only if they can see the ticket (decided for all of them
    together: at most two queries, `access.who_may_see`)."""
    chosen: dict[int, User] = {}
    for user in users:
        if user is None or user.pk in chosen or (actor is not None and user.pk == actor.pk):
            continue
        if not user.is_active or not (user.is_agent or user.is_superuser):
            continue
        chosen[user.pk] = user
    if ticket is not None and chosen:
        seeing = access.who_may_see(chosen.values(), ticket)
        return [user for pk, user in chosen.items() if pk in seeing]
    return list(chosen.values())


def _preferences_for(users: list[User], kind: str) -> dict[int, tuple[bool, bool]]:
    """(in the app, by email) for one kind, per user id: their choice, else the default
    (one query for all of them)."""
    if not users:
        return {}
    rows = NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind)
    chosen = {
        user_id: (in_app, email)
        for user_id, in_app, email in rows.values_list("user_id", "in_app", "email")
    }
    return {u.pk: chosen.get(u.pk, DEFAULTS[kind]) for u in users}


def _default_url(ticket: Ticket | None) -> str:
    return ticket.get_absolute_url() if ticket is not None else ""


def _safe_url(url: str) -> str:
    """Only links inside Tuki: the list page redirects to it."""
    url = (url or "").strip()
    return url if url.startswith("/") and not url.startswith("//") else ""


def notify(
    users: Iterable[User | None],
    ticket: Ticket | None,
    kind: str,
    text: Text,
    *,
    actor: User | None = None,
    url: str = "",
) -> list[Notification]:
    """Tell these people something about a ticket, in the app and/or by email per their
    preferences. Skips the actor, inactive users, non-agents and whoever cannot see the
    ticket. `text` may be lazy (gettext_lazy / format_lazy): it is rendered per recipient,
    in their language. Email needs a ticket (it goes out through the ticket's mail flow).

    Writes in one transaction (the caller's, if any): the mail is sent after commit.
    A constant number of queries however many are told (who may see the ticket, their
    preferences, one insert), plus the mail each one asked for.
    """
    if kind not in NotificationKind.values:
        raise ServiceError(
            _("Unknown notification kind: %(kind)s.") % {"kind": kind},
            field="kind",
            code="unknown_kind",
        )
    url = _safe_url(url) or _default_url(ticket)
    made: list[Notification] = []
    with transaction.atomic():
        told = recipients(users, ticket, actor)
        preferences = _preferences_for(told, kind)
        for user in told:
            in_app, email = preferences[user.pk]
            with (
                translation.override(user.language or settings.LANGUAGE_CODE),
                timezone.override(_zone(user)),
            ):
                rendered = str(text)
                if in_app:
                    made.append(
                        Notification(
                            recipient=user,
                            ticket=ticket,
                            kind=kind,
                            text=rendered,
                            actor=actor,
                            url=url,
                        )
                    )
                if email and ticket is not None:
                    _mail(user, ticket, kind, rendered, url)
        # One insert for everyone. No receiver listens to a notification's save (the audit
        # trail leaves notifications out: audit/registry.py), so skipping post_save loses
        # nothing; SQLite and PostgreSQL return the new ids.
        if made:
            Notification.objects.bulk_create(made)
    return made


def _zone(user: User) -> zoneinfo.ZoneInfo | None:
    """The recipient's time zone, for the moments a text names (an SLA deadline)."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _mail(user: User, ticket: Ticket, kind: str, text: str, url: str) -> None:
    """Compose in the recipient's language (the caller activated it) and plan it."""
    context = {
        "user": user,
        "ticket": ticket,
        "kind": NotificationKind(kind).label,
        "text": text,
        "url": settings.SITE_URL.rstrip("/") + url,
        "preferences_url": settings.SITE_URL.rstrip("/") + reverse("notifications:preferences"),
    }
    first_line = text.strip().splitlines()[0] if text.strip() else str(context["kind"])
    plan_notice(
        ticket,
        to_address=user.email,
        subject=f"[{ticket.number}] {first_line}"[:200],
        text=render_to_string("notifications/email.txt", context),
        what="notification",
    )


# --- reading ---------------------------------------------------------------------------------


def mark_read(user: User, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark the user's own notifications read (others' ids are ignored); how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids != "all":
        qs = qs.filter(pk__in=[int(pk) for pk in ids])
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def unread_count(user: User, *, limit: int = 100) -> int:
    """At most `limit`: the header shows "99+" beyond that, and the count stays cheap."""
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .values("pk")[:limit]
        .count()
    )
