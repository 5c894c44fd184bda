"""The demo's cast: offices, client organisations, support groups, people and categories.

Shared by the loader (loader.py) and the stories (stories.py), which play tickets for these
people. Fixed passwords: demo only.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.tickets.models import Category

DEMO_PASSWORD = "tuki-demo"
STAFF_DOMAIN = "tuki.example"

# name, time zone, address
LOCATIONS = [
    ("Helsinki", "Europe/Helsinki", "Mannerheimintie 12, 00100 Helsinki"),
    ("Tampere", "Europe/Helsinki", "Hämeenkatu 5, 33100 Tampere"),
    ("Bucharest", "Europe/Bucharest", "Bulevardul Unirii 20, 030833 București"),
    ("Cluj-Napoca", "Europe/Bucharest", "Strada Memorandumului 28, 400114 Cluj-Napoca"),
]
# name, email domains, phone, country code for people's phones
ORGANISATIONS = [
    ("Revontuli Oy", "revontuli.example", "+358 9 4242 0000", "+358 40"),
    ("Carpatica SRL", "carpatica.example", "+40 21 312 0000", "+40 72"),
]
# full name, organisation index, location, language, time zone (None: the office's)
REQUESTERS = [
    ("Mikko Nieminen", 0, "Helsinki", "en", None),
    ("Laura Mäkelä", 0, "Helsinki", "fi", None),
    ("Juha Hämäläinen", 0, "Tampere", "fi", None),
    ("Tiina Koskinen", 0, "Helsinki", "fi", "Europe/London"),
    ("Antti Heikkinen", 0, "Tampere", "fi", None),
    ("Riikka Järvinen", 0, "Helsinki", "fi", None),
    ("Pekka Lehtinen", 0, "Helsinki", "fi", None),
    ("Hanna Salminen", 0, "Tampere", "en", None),
    ("Kari Turunen", 0, "Tampere", "fi", None),
    ("Emma Lindqvist", 0, "Helsinki", "en", None),
    ("Andreea Ionescu", 1, "Bucharest", "ro", None),
    ("Florin Munteanu", 1, "Cluj-Napoca", "ro", None),
    ("Diana Stoica", 1, "Bucharest", "en", None),
    ("Cătălin Moldovan", 1, "Cluj-Napoca", "ro", None),
    ("Gabriela Nistor", 1, "Bucharest", "ro", None),
    ("Vlad Toma", 1, "Bucharest", "ro", None),
    ("Simona Barbu", 1, "Cluj-Napoca", "ro", None),
    ("Mihaela Dobre", 1, "Bucharest", "en", None),
    ("Sorin Lungu", 1, "Bucharest", "ro", None),
    ("Irina Matei", 1, "Cluj-Napoca", "ro", None),
    ("Marius Enache", 1, "Bucharest", "ro", None),
]
# Client managers who see all of their organisation's tickets, and who reports to them.
CLIENT_MANAGERS = {"Pekka Lehtinen": 0, "Vlad Toma": 1}

# name, tier, may write to requesters, location, manager, members (manager first if member)
GROUPS = [
    ("Service Desk", 1, True, "Bucharest", "Laura Mihăilă", ["Aino Virtanen", "Ioana Dumitru", "Mihai Popa"]),
    ("Network Helsinki", 2, False, "Helsinki", "Jukka Lehtonen", ["Jukka Lehtonen", "Sanna Korhonen", "Ville Mäkinen"]),
    ("Network Bucharest", 2, False, "Bucharest", "Andrei Dumitrescu", ["Andrei Dumitrescu", "Elena Stan", "Radu Constantinescu"]),
    ("Workplace Bucharest", 2, False, "Bucharest", "Cristina Marin", ["Cristina Marin", "Bogdan Georgescu", "Alexandra Rusu"]),
    ("Nordic ERP Partner", 3, False, None, None, ["Petteri Salo"]),
]  # fmt: skip
# Where staff sit when not in their group's office, and who uses Tuki in their own language
# (the people whose logins `tuki demo` prints see English first).
STAFF_LOCATION = {"Aino Virtanen": "Helsinki", "Petteri Salo": "Helsinki"}
STAFF_LANGUAGE = {"Ville Mäkinen": "fi", "Ioana Dumitru": "ro", "Petteri Salo": "fi"}

# parent, child, default group (None: the parent's)
CATEGORIES = [
    ("Network", None, "Network Helsinki"),
    ("Network", "VPN", None),
    ("Network", "Wi-Fi", None),
    ("Workplace", None, "Workplace Bucharest"),
    ("Workplace", "Laptop", None),
    ("Workplace", "Printer", None),
    ("Accounts", None, "Workplace Bucharest"),
    ("Accounts", "Password reset", None),
    ("Accounts", "Access request", None),
    ("Applications", None, "Workplace Bucharest"),
    ("Applications", "Email", None),
    ("Applications", "ERP", "Nordic ERP Partner"),
]

# The logins `tuki demo` prints: role, full name.
LOGINS = [
    ("Administrator", "Tuki Admin"),
    ("Service desk operator (first line)", "Aino Virtanen"),
    ("Network specialist (second line)", "Sanna Korhonen"),
    ("Requester (Revontuli Oy)", "Mikko Nieminen"),
]


@dataclass
class Cast:
    """The demo's people and structures, by name."""

    admin: User
    desk: SupportGroup
    operators: list[User]
    groups: dict[str, SupportGroup]
    locations: dict[str, Location]
    requesters: list[User]
    categories: dict[tuple[str, str], Category]
    people: dict[str, User] = field(default_factory=dict)


def email_for(name: str, domain: str) -> str:
    if name == "Tuki Admin":
        return f"admin@{domain}"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{ascii_name.lower().replace(' ', '.')}@{domain}"


def logins() -> list[tuple[str, str, str]]:
    """(role, email, password) for the people `tuki demo` prints."""
    rows = []
    for role, name in LOGINS:
        domain = ORGANISATIONS[0][1] if role.startswith("Requester") else STAFF_DOMAIN
        rows.append((role, email_for(name, domain), DEMO_PASSWORD))
    return rows


def build_cast(rnd: random.Random) -> Cast:
    """Offices, organisations, groups, people and categories (idempotent: get or create)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    locations = {
        name: Location.objects.get_or_create(
            name=name, defaults={"time_zone": tz, "address": address}
        )[0]
        for name, tz, address in LOCATIONS
    }
    people: dict[str, User] = {}
    admin = _person(people, "Tuki Admin", STAFF_DOMAIN, password, is_superuser=True)
    groups = {}
    for name, tier, may_write, location, manager, members in GROUPS:
        domain = "erp-partner.example" if tier == 3 else STAFF_DOMAIN
        office = locations[location or "Helsinki"]
        staff = [_staff(people, n, domain, password, locations, office) for n in members]
        boss = None
        if manager:
            # A manager outside the queue (the desk's) oversees every ticket instead.
            sees_all = manager not in members
            boss = _staff(
                people, manager, domain, password, locations, office, sees_all_tickets=sees_all
            )
        group, _created = SupportGroup.objects.get_or_create(
            name=name,
            defaults={
                "tier": tier,
                "may_write_to_requesters": may_write,
                "location": locations.get(location or ""),
                "manager": boss,
                "email": f"{name.lower().replace(' ', '-')}@{domain}",
            },
        )
        group.members.add(*staff)
        groups[name] = group
    requesters = _requesters(people, password, locations, rnd)
    return Cast(
        admin=admin,
        desk=groups["Service Desk"],
        operators=[people[n] for n in GROUPS[0][5]],
        groups=groups,
        locations=locations,
        requesters=requesters,
        categories=_categories(groups),
        people=people,
    )


def _person(
    people: dict[str, User], name: str, domain: str, password: str, **extra: object
) -> User:
    email = email_for(name, domain)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=name, password=password, **extra)
        if extra.get("is_superuser"):
            user.is_staff = user.is_agent = True
        user.save()
    people[name] = user
    return user


def _staff(
    people: dict[str, User],
    name: str,
    domain: str,
    password: str,
    locations: dict[str, Location],
    office: Location,
    **extra: object,
) -> User:
    if name in people:
        return people[name]
    office = locations[STAFF_LOCATION[name]] if name in STAFF_LOCATION else office
    return _person(
        people,
        name,
        domain,
        password,
        is_agent=True,
        location=office,
        time_zone=office.time_zone,
        language=STAFF_LANGUAGE.get(name, "en"),
        **extra,
    )


def _requesters(
    people: dict[str, User], password: str, locations: dict[str, Location], rnd: random.Random
) -> list[User]:
    organisations = [
        Organisation.objects.get_or_create(name=name, defaults={"domains": domain, "phone": phone})[
            0
        ]
        for name, domain, phone, _prefix in ORGANISATIONS
    ]
    requesters = []
    for name, org_index, location, language, tz in REQUESTERS:
        _org_name, domain, _phone, prefix = ORGANISATIONS[org_index]
        phone = f"{prefix}{rnd.randint(0, 9)} {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}"
        requesters.append(
            _person(
                people,
                name,
                domain,
                password,
                organisation=organisations[org_index],
                location=locations[location],
                language=language,
                time_zone=tz or locations[location].time_zone,
                phone=phone,
                sees_organisation_tickets=name in CLIENT_MANAGERS,
            )
        )
    for boss, org_index in CLIENT_MANAGERS.items():
        staff = [u for u in requesters if u.organisation == organisations[org_index]]
        User.objects.filter(pk__in=[u.pk for u in staff if u != people[boss]]).update(
            manager=people[boss]
        )
    return requesters


def _categories(groups: dict[str, SupportGroup]) -> dict[tuple[str, str], Category]:
    parents: dict[str, Category] = {}
    leaves: dict[tuple[str, str], Category] = {}
    for parent, child, group in CATEGORIES:
        if child is None:
            parents[parent] = Category.objects.get_or_create(
                name=parent, parent=None, defaults={"default_group": groups[group or ""]}
            )[0]
            continue
        default = groups[group] if group else parents[parent].default_group
        leaves[parent, child] = Category.objects.get_or_create(
            name=child, parent=parents[parent], defaults={"default_group": default}
        )[0]
    return leaves
