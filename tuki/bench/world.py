"""The benchmark desk's reference data: offices, client organisations, groups, agents,
requesters, categories and tags, and what the generator picks from."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.tickets.models import (
    Category,
    Status,
    Tag,
)

KIND_MIX = {"incident": 0.70, "request": 0.22, "problem": 0.03, "change": 0.04, "release": 0.01}
OFFICES = [
    ("Helsinki", "Europe/Helsinki"),
    ("Tampere", "Europe/Helsinki"),
    ("Oulu", "Europe/Helsinki"),
    ("Bucharest", "Europe/Bucharest"),
    ("Cluj-Napoca", "Europe/Bucharest"),
    ("Iasi", "Europe/Bucharest"),
]
SERVICES = ["Network", "Workplace", "Applications"]
CATEGORIES = {
    "Network": ["VPN", "Wi-Fi", "LAN", "Firewall"],
    "Workplace": ["Laptop", "Printer", "Monitor", "Phone"],
    "Applications": ["Email", "ERP", "CRM", "Teams"],
    "Accounts": ["Password", "Access rights", "MFA"],
    "Data": ["Backup", "File share", "Database"],
}
PROBLEMS = [
    "cannot connect to",
    "is very slow on",
    "keeps crashing on",
    "error message from",
    "no access to",
    "request for new",
    "password reset for",
    "license needed for",
    "cannot print from",
    "sync fails in",
]
THINGS = [
    "VPN client",
    "Outlook",
    "Teams",
    "the ERP",
    "shared drive",
    "printer on floor 3",
    "laptop docking station",
    "Wi-Fi in meeting room",
    "CRM reports",
    "MFA app",
    "monitor",
    "desk phone",
    "SAP invoices",
    "backup job",
    "file server",
]
WORDS = (
    "please help the user reports that since this morning after the update restart did not "
    "change anything error code appears when opening the application screenshot attached "
    "tried another network same result colleagues have the same issue urgent before the "
    "meeting thanks in advance checked the cable and the settings"
).split()
AGENTS_PER_GROUP = 6
DESK_AGENTS = 24


@dataclass
class Sizes:
    tickets: int
    chunk: int = 10_000
    requesters: int = 0
    rich_every: int = 2_000  # one ticket in this many has 30 timeline entries (ticket page)

    def __post_init__(self) -> None:
        self.requesters = self.requesters or max(300, self.tickets // 25)


@dataclass
class World:
    """The small reference data, created through the ORM, and what the generator picks from."""

    desk: SupportGroup
    groups: list[SupportGroup]  # second line
    members: dict[int, list[int]]  # group id -> agent ids
    desk_agents: list[int]
    requesters: list[tuple[int, int, int]]  # (user id, organisation id, location id)
    groups_by_location: dict[int | None, list[int]]
    categories: list[int]
    tags: list[int]
    status: dict[str, int]
    agent_ids: list[int] = field(default_factory=list)


def build_world(sizes: Sizes, rng: random.Random) -> World:
    """Offices, organisations, groups, agents and requesters (requesters in bulk)."""
    locations = [
        Location.objects.get_or_create(name=name, defaults={"time_zone": tz})[0]
        for name, tz in OFFICES
    ]
    organisations = [
        Organisation.objects.get_or_create(name=f"Client {i:02d} Oy")[0] for i in range(1, 41)
    ]
    desk, _ = SupportGroup.objects.get_or_create(
        name="Service Desk",
        defaults={"tier": SupportGroup.Tier.SERVICE_DESK, "may_write_to_requesters": True},
    )
    groups = []
    for service in SERVICES:
        for location in locations:
            group, _ = SupportGroup.objects.get_or_create(
                name=f"{service} {location.name}",
                defaults={"tier": SupportGroup.Tier.SPECIALISTS, "location": location},
            )
            groups.append(group)
    password = "!"  # unusable: nobody signs in as a generated person except through the bench
    agents = User.objects.filter(is_agent=True, email__endswith="@bench.tuki.example")
    if not agents.exists():
        rows = [
            User(
                email=f"agent{i}@bench.tuki.example",
                full_name=f"Agent {i}",
                is_agent=True,
                sees_all_tickets=True,
                password=password,
                location=locations[i % len(locations)],
            )
            for i in range(DESK_AGENTS + AGENTS_PER_GROUP * len(groups))
        ]
        User.objects.bulk_create(rows, batch_size=500)
    agent_ids = list(agents.order_by("id").values_list("id", flat=True))
    desk_agents = agent_ids[:DESK_AGENTS]
    desk.members.add(*desk_agents)
    members = {}
    for i, group in enumerate(groups):
        ids = agent_ids[
            DESK_AGENTS + i * AGENTS_PER_GROUP : DESK_AGENTS + (i + 1) * AGENTS_PER_GROUP
        ]
        group.members.add(*ids)
        members[group.pk] = ids
    requesters = User.objects.filter(is_agent=False, email__endswith="@client.bench.example")
    have = requesters.count()
    if have < sizes.requesters:
        batch = []
        for i in range(have, sizes.requesters):
            batch.append(
                User(
                    email=f"user{i}@client.bench.example",
                    full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    password=password,
                    organisation=organisations[i % len(organisations)],
                    location=locations[i % len(locations)],
                    language=("en", "fi", "ro")[i % 3],
                )
            )
            if len(batch) == 5000:
                User.objects.bulk_create(batch)
                batch = []
        User.objects.bulk_create(batch)
    requester_rows = list(
        requesters.order_by("id").values_list("id", "organisation_id", "location_id")
    )
    categories = []
    for root, children in CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(name=root, parent=None)
        for child in children:
            categories.append(Category.objects.get_or_create(name=child, parent=parent)[0].pk)
    tags = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
    by_location: dict[int | None, list[int]] = {}
    for group in groups:
        by_location.setdefault(group.location_id, []).append(group.pk)
    return World(
        desk=desk,
        groups=groups,
        members=members,
        desk_agents=desk_agents,
        requesters=requester_rows,
        groups_by_location=by_location,
        categories=categories,
        tags=tags,
        status=dict(Status.objects.values_list("key", "id")),
        agent_ids=agent_ids,
    )


FIRST = ["Aino", "Mikko", "Sanna", "Ioana", "Andrei", "Elena", "Juha", "Laura", "Matei", "Emma"]
LAST = ["Virtanen", "Korhonen", "Popescu", "Ionescu", "Nieminen", "Mäkinen", "Dumitru", "Laine"]
TAGS = ["vip", "outage", "hardware", "onboarding", "security", "supplier", "remote", "howto"]
