"""People, groups, locations, organisations and categories an import names, found or created.

An import names people by what the source knows of them ("Caller 2403", an email address);
the directory finds each by a stable email (derived from the name when the source gives
none) or name, and creates what is missing in bulk. It writes outside the transaction of a
batch of tickets, before it: what it creates is committed even if the batch fails, and is
found again (not duplicated) when the import runs again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.tickets.models import Category

# Reserved for documentation and tests (RFC 2606): mail to these never leaves.
DOMAIN = "import.invalid"
PATH_SEPARATORS = re.compile(r"\s*(?:›|>|/)\s*")


def email_for(name: str, source: str) -> str:
    """The stable address of a person the source names without one ("Caller 2403")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "someone"
    return f"{slug}@{source}.{DOMAIN}"


@dataclass
class Person:
    name: str
    email: str
    is_agent: bool


@dataclass
class Directory:
    """Caches of what is already resolved: name or email → id."""

    source: str
    users: dict[str, int] = field(default_factory=dict)  # email → id
    groups: dict[str, int] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    categories: dict[tuple[str, ...], int] = field(default_factory=dict)
    members: set[tuple[int, int]] = field(default_factory=set)  # (group id, user id)
    created: dict[str, int] = field(default_factory=dict)  # what was created, by kind

    def _count(self, kind: str, n: int) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n

    def person(self, name: str, *, agent: bool, email: str = "") -> Person:
        name = name.strip()
        return Person(name or email, (email or email_for(name, self.source)).lower(), agent)

    def ensure_people(self, people: Iterable[Person]) -> None:
        """Find or create these people (requesters as requesters, others as agents)."""
        wanted = {p.email: p for p in people if p.email not in self.users}
        if not wanted:
            return
        found = User.objects.filter(email__in=list(wanted)).values_list("email", "id")
        self.users.update(found)
        missing = [p for email, p in wanted.items() if email not in self.users]
        if not missing:
            return
        rows = [
            User(
                email=p.email,
                full_name=p.name[:200],
                is_agent=p.is_agent,
                password=make_password(None),  # unusable: imported people sign in by reset
            )
            for p in missing
        ]
        with transaction.atomic():
            User.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        self.users.update(
            User.objects.filter(email__in=[p.email for p in missing]).values_list("email", "id")
        )
        self._count("people", len(missing))

    def user_id(self, person: Person | None) -> int | None:
        return None if person is None else self.users[person.email]

    def group_id(self, name: str) -> int:
        if name not in self.groups:
            group, created = SupportGroup.objects.get_or_create(name=name[:200])
            self._count("groups", created)
            self.groups[name] = group.pk
        return self.groups[name]

    def location_id(self, name: str) -> int:
        if name not in self.locations:
            location, created = Location.objects.get_or_create(name=name[:200])
            self._count("locations", created)
            self.locations[name] = location.pk
        return self.locations[name]

    def organisation_id(self, name: str) -> int:
        if name not in self.organisations:
            organisation, created = Organisation.objects.get_or_create(name=name[:200])
            self._count("organisations", created)
            self.organisations[name] = organisation.pk
        return self.organisations[name]

    def category_id(self, path: tuple[str, ...]) -> int:
        """The category at this path of names (root first), created level by level."""
        if path not in self.categories:
            parent = self.category_id(path[:-1]) if len(path) > 1 else None
            category = Category.objects.filter(parent_id=parent, name=path[-1][:100]).first()
            if category is None:
                category = Category(parent_id=parent, name=path[-1][:100])
                category.save()  # a save: the path and the audit trail follow
                self._count("categories", 1)
            self.categories[path] = category.pk
        return self.categories[path]

    def ensure_members(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Agents join the groups they worked in (resolvers in their groups)."""
        new = set(pairs) - self.members
        if not new:
            return
        through = SupportGroup.members.through
        with transaction.atomic():
            through.objects.bulk_create(
                [through(supportgroup_id=g, user_id=u) for g, u in new], ignore_conflicts=True
            )
        self.members |= new


def split_path(text: str) -> tuple[str, ...]:
    """ "Network › VPN", "Network > VPN" or "Network/VPN" → ("Network", "VPN")."""
    return tuple(part for part in PATH_SEPARATORS.split(text.strip()) if part)
