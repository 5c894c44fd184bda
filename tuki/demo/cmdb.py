"""A small configuration database for the demo desk (docs/cmdb.md), written through
tuki.cmdb.services: a business service per catalogue service, the application services
behind them, a cluster of three web servers (quorum 2), a database server, a firewall and a
core switch in the Helsinki data centre, their relations, a maintenance window ahead, and two
open incidents that name the items they are about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tuki.cmdb import services
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.demo.cast import Cast
from tuki.sla.models import Service
from tuki.tickets.choices import ACTIVE_CATEGORIES, Kind
from tuki.tickets.models import Ticket

# Catalogue services (sla.Service) the demo offers: business service name, description.
CATALOGUE = [
    ("Client portal", "The clients' self-service web portal."),
    ("E-mail", "Mailboxes, calendars and shared mail."),
    ("ERP", "Orders, invoicing and stock, run with the ERP partner."),
    ("Remote access (VPN)", "Working from home and on the road."),
]
# name, class, support group, location, fields, attributes
ITEMS: list[tuple[str, str, str | None, str | None, dict[str, Any], dict[str, Any]]] = [
    ("Web portal", "application_service", "Workplace Bucharest", None, {}, {}),
    ("Mail service", "application_service", "Workplace Bucharest", None, {}, {}),
    ("ERP application", "application_service", "Nordic ERP Partner", None, {}, {}),
    ("VPN gateway", "application_service", "Network Helsinki", None, {}, {}),
    ("Database platform", "technical_service", "Network Helsinki", None, {}, {}),
    ("Helsinki data centre", "site", "Network Helsinki", "Helsinki",
     {}, {"address": "Konepajankuja 1, 00510 Helsinki"}),
    ("Web cluster HEL", "cluster", "Network Helsinki", "Helsinki", {"quorum": 2}, {}),
    *(
        (f"web-hel-0{n}", "server", "Network Helsinki", "Helsinki",
         {"hostname": f"web-hel-0{n}.tuki.example", "serial_number": f"CZ2440{n}7QX",
          "asset_tag": f"HEL-SRV-10{n}"},
         {"os": "Debian 13", "cpu_cores": 8, "memory_gb": 32, "disk_gb": 480,
          "ip_address": f"10.10.1.{10 + n}"})
        for n in (1, 2, 3)
    ),
    ("db-hel-01", "server", "Network Helsinki", "Helsinki",
     {"hostname": "db-hel-01.tuki.example", "serial_number": "CZ24409DB1", "asset_tag": "HEL-SRV-201"},
     {"os": "Debian 13", "cpu_cores": 32, "memory_gb": 256, "disk_gb": 3840,
      "ip_address": "10.10.2.10"}),
    ("portal-db", "database", "Network Helsinki", "Helsinki", {},
     {"engine": "PostgreSQL", "version": "17", "size_gb": 420}),
    ("erp-app-01", "virtual_machine", "Nordic ERP Partner", "Helsinki",
     {"hostname": "erp-app-01.tuki.example"},
     {"os": "Windows Server 2022", "cpu_cores": 8, "memory_gb": 64, "hypervisor": "VMware"}),
    ("fw-hel-01", "network_device", "Network Helsinki", "Helsinki",
     {"hostname": "fw-hel-01.tuki.example", "serial_number": "FGT60F-0042"},
     {"device_type": "firewall", "ip_address": "10.10.0.1", "ports": 10}),
    ("sw-hel-core-01", "network_device", "Network Helsinki", "Helsinki",
     {"hostname": "sw-hel-core-01.tuki.example", "serial_number": "FOC2231X0AB"},
     {"device_type": "switch", "ip_address": "10.10.0.2", "ports": 48}),
]  # fmt: skip
# source, type, target
RELATIONS = [
    ("Client portal", "depends_on", "Web portal"),
    ("E-mail", "depends_on", "Mail service"),
    ("ERP", "depends_on", "ERP application"),
    ("Remote access (VPN)", "depends_on", "VPN gateway"),
    ("Web portal", "runs_on", "Web cluster HEL"),
    ("Web portal", "depends_on", "Database platform"),
    ("ERP application", "runs_on", "erp-app-01"),
    ("ERP application", "depends_on", "Database platform"),
    ("Database platform", "runs_on", "portal-db"),
    ("portal-db", "runs_on", "db-hel-01"),
    ("VPN gateway", "runs_on", "fw-hel-01"),
    ("web-hel-01", "member_of", "Web cluster HEL"),
    ("web-hel-02", "member_of", "Web cluster HEL"),
    ("web-hel-03", "member_of", "Web cluster HEL"),
    ("fw-hel-01", "depends_on", "sw-hel-core-01"),
    ("web-hel-01", "connected_to", "sw-hel-core-01"),
    ("web-hel-02", "connected_to", "sw-hel-core-01"),
    ("web-hel-03", "connected_to", "sw-hel-core-01"),
    ("db-hel-01", "connected_to", "sw-hel-core-01"),
    ("erp-app-01", "connected_to", "sw-hel-core-01"),
    *((name, "depends_on", "Helsinki data centre")
      for name in ("web-hel-01", "web-hel-02", "web-hel-03", "db-hel-01", "sw-hel-core-01")),
]  # fmt: skip
# The items the open incidents of these categories are about.
INCIDENTS = [("VPN", ["VPN gateway", "fw-hel-01"]), ("Email", ["Mail service"])]


def seed(cast: Cast, now: datetime) -> dict[str, int]:
    """The demo's CMDB (idempotent: a database with items already is left alone)."""
    if ConfigurationItem.objects.exists():
        return {"items": 0, "relations": 0, "incidents": 0}
    admin = cast.admin
    classes = {c.key: c for c in CIClass.objects.all()}
    items = _business_services(cast, classes)
    for name, key, group, location, fields, attributes in ITEMS:
        items[name] = services.create_item(
            admin,
            name=name,
            ci_class=classes[key],
            attributes=attributes,
            support_group=cast.groups.get(group or ""),
            location=cast.locations.get(location or ""),
            owner=cast.groups[group].manager if group else None,
            **fields,
        )
    for source, kind, target in RELATIONS:
        services.add_relation(admin, items[source], kind, items[target])
    # Next Saturday night: a kernel update on one web server (the cluster keeps its quorum).
    saturday = (now + timedelta(days=(5 - now.weekday()) % 7 or 7)).replace(
        hour=21, minute=0, second=0, microsecond=0
    )
    services.plan_maintenance(
        admin,
        items["web-hel-03"],
        starts_at=saturday,
        ends_at=saturday + timedelta(hours=3),
        reason="Kernel update and reboot",
    )
    return {"items": len(items), "relations": len(RELATIONS), "incidents": _incidents(cast, items)}


def _business_services(cast: Cast, classes: dict[str, CIClass]) -> dict[str, ConfigurationItem]:
    """A business service for each catalogue service (made first when the desk has none)."""
    for name, description in CATALOGUE:
        Service.objects.get_or_create(name=name, defaults={"description": description})
    items = {}
    for service in Service.objects.filter(is_active=True).order_by("name"):
        items[service.name] = services.create_item(
            cast.admin,
            name=service.name,
            ci_class=classes["business_service"],
            service=service,
            description=service.description,
            support_group=cast.desk,
            owner=cast.desk.manager,
        )
    return items


def _incidents(cast: Cast, items: dict[str, ConfigurationItem]) -> int:
    """Two open incidents name the items they are about."""
    named = 0
    for category, names in INCIDENTS:
        ticket = (
            Ticket.objects.filter(
                kind=Kind.INCIDENT,
                status__category__in=ACTIVE_CATEGORIES,
                category__name=category,
            )
            .order_by("-created_at", "pk")
            .first()
        )
        if ticket is not None:
            services.name_affected(cast.admin, ticket, [items[name] for name in names])
            named += 1
    return named
