"""A small configuration database on top of the desk: a business service delivered by an
application that runs on a cluster of two web servers and needs a database; the servers are
Network Helsinki's, the database a supplier's (an external agent, tier 3)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps

from tuki.accounts.models import SupportGroup, User
from tuki.cmdb import services
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.conftest import Desk, make_user


@dataclass
class Cmdb:
    shop: ConfigurationItem  # business service
    app: ConfigurationItem  # application service
    cluster: ConfigurationItem
    web1: ConfigurationItem
    web2: ConfigurationItem
    db: ConfigurationItem  # the supplier's
    supplier: User  # external agent: reads only db
    supplier_group: SupportGroup


def cls(key: str) -> CIClass:
    return CIClass.objects.get(key=key)


def make_item(desk: Desk, name: str, key: str = "server", **fields) -> ConfigurationItem:
    return services.create_item(desk.admin, name=name, ci_class=cls(key), **fields)


def ensure_classes() -> None:
    """The standard classes of migration 0002; a transactional test's flush removes them."""
    if not CIClass.objects.exists():
        standard = importlib.import_module("tuki.cmdb.migrations.0002_standard_classes")
        standard.seed(django_apps, None)


@pytest.fixture
def cmdb(desk: Desk) -> Cmdb:
    ensure_classes()
    group = SupportGroup.objects.create(name="DB Partner", tier=SupportGroup.Tier.SUPPLIER)
    supplier = make_user("partner@db.test", "Pekka Partner", is_agent=True)
    group.members.add(supplier)
    shop = make_item(desk, "Web shop", "business_service", organisation=desk.acme)
    app = make_item(desk, "Shop application", "application_service")
    cluster = make_item(desk, "Web cluster", "cluster", quorum=2, support_group=desk.network_hel)
    web1 = make_item(
        desk,
        "web1",
        hostname="web1.example.com",
        serial_number="SN-WEB-1",
        support_group=desk.network_hel,
        attributes={"cpu_cores": 4, "memory_gb": 16},
    )
    web2 = make_item(desk, "web2", hostname="web2.example.com", support_group=desk.network_hel)
    db = make_item(
        desk, "db1", "database", support_group=group, attributes={"engine": "PostgreSQL"}
    )
    services.add_relation(desk.admin, shop, "depends_on", app)
    services.add_relation(desk.admin, app, "runs_on", cluster)
    services.add_relation(desk.admin, app, "depends_on", db)
    services.add_relation(desk.admin, web1, "member_of", cluster)
    services.add_relation(desk.admin, web2, "member_of", cluster)
    return Cmdb(shop, app, cluster, web1, web2, db, supplier, group)
