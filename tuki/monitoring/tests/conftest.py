from __future__ import annotations

import importlib
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client

from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.conftest import make_user
from tuki.monitoring import services
from tuki.monitoring.models import AlertSource


@dataclass
class World:
    source: AlertSource
    token: str
    shop: ConfigurationItem  # business service
    app: ConfigurationItem
    web01: ConfigurationItem
    web02: ConfigurationItem
    db01: ConfigurationItem  # no business service above it


@pytest.fixture
def world(desk) -> World:
    robot = make_user("monitoring@example.com", "Monitoring")
    source, token = services.create_source(
        desk.admin, name="prometheus", user=robot, group=desk.network_hel
    )
    if not CIClass.objects.exists():  # a transactional test's flush removed the seeded classes
        importlib.import_module("tuki.cmdb.migrations.0002_standard_classes").seed(apps, None)
    cls = {c.key: c for c in CIClass.objects.all()}
    shop = cmdb.create_item(desk.admin, name="Webshop", ci_class=cls["business_service"])
    app = cmdb.create_item(desk.admin, name="webshop-app", ci_class=cls["application"])
    web01 = cmdb.create_item(
        desk.admin,
        name="web01",
        ci_class=cls["server"],
        hostname="web01.example.com",
        support_group=desk.network_hel,
    )
    web02 = cmdb.create_item(desk.admin, name="web02", ci_class=cls["server"], serial_number="SN-2")
    db01 = cmdb.create_item(desk.admin, name="db01", ci_class=cls["server"])
    cmdb.add_relation(desk.admin, shop, "depends_on", app)
    cmdb.add_relation(desk.admin, app, "runs_on", web01)
    cmdb.add_relation(desk.admin, app, "runs_on", web02)
    return World(source, token, shop, app, web01, web02, db01)


def post(client: Client, body: object, token: str | None = None, query: str = ""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        "/api/v1/alerts" + query, data=data, content_type="application/json", **headers
    )


def alert(name: str = "HighCPU", status: str = "firing", **kw: object) -> dict:
    return {"name": name, "status": status, "severity": "critical", **kw}
