"""A large configuration database for the impact measurements (tuki/bench/impact.py): by
default 100,000 items and 500,000 relations, written with COPY on PostgreSQL (executemany on
SQLite) in under a minute.

The layers of a provider's estate, each built on the one below: sites; network devices that
depend on a site; physical servers (hypervisor hosts) that depend on one or two top-of-rack
switches and are members of host clusters; virtual machines running on a host, some of them
members of application clusters; databases running on a VM or an application cluster;
applications running on a farm of VMs, depending on databases and on other applications (only older
ones: no cycles, though impact allows them); technical services over databases, clusters and
network devices; application services over applications and technical services; a few
hundred business services over application services, each with its catalogue service. The
rest of the relations are `connected_to` (cabling, which carries no impact), up to five
relations per item.

The data set is kept in the benchmark's database with its size (`tuki_bench_meta`: cis,
cmdb_version) and rebuilt when `--cis` changes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction

from tuki.bench.rows import Table
from tuki.cmdb.models import CIClass, ConfigurationItem, Relation
from tuki.sla.models import Service

VERSION = "2"  # 2: applications run on 2-6 VMs (a farm), so most VMs carry work
RELATIONS_PER_ITEM = 5
# Shares of the items per class; virtual machines take the rest (about 60 %).
SHARES = {
    "site": 0.0005,
    "network_device": 0.08,
    "server": 0.15,
    "cluster": 0.02,
    "database": 0.05,
    "application": 0.08,
    "technical_service": 0.004,
    "application_service": 0.01,
    "business_service": 0.003,
}
HOST_CLUSTER_SHARE = 0.6  # the others are application clusters of VMs
OS = ("Debian 12", "Ubuntu 24.04", "RHEL 9", "Windows Server 2022", "SLES 15")
ENGINES = ("PostgreSQL", "MariaDB", "Oracle", "SQL Server")
DEVICES = ("switch", "router", "firewall", "load balancer")


@dataclass
class Graph:
    ids: dict[str, list[int]] = field(default_factory=dict)  # class key -> item ids
    relations: int = 0
    impact_relations: int = 0
    seconds: float = 0.0

    def describe(self) -> dict[str, Any]:
        return {
            "cis": sum(len(v) for v in self.ids.values()),
            "cis_by_class": {k: len(v) for k, v in self.ids.items()},
            "relations": self.relations,
            "impact_relations": self.impact_relations,
            "seconds": round(self.seconds, 1),
        }


def counts(total: int) -> dict[str, int]:
    sizes = {key: max(2, round(total * share)) for key, share in SHARES.items()}
    sizes["virtual_machine"] = max(2, total - sum(sizes.values()))
    return sizes


def _clear() -> None:
    """The configuration database's rows gone (the classes stay)."""
    referring = {
        r.related_model._meta.db_table
        for r in ConfigurationItem._meta.related_objects
        if r.related_model not in (Relation, ConfigurationItem)
    }
    tables = [*sorted(referring), Relation._meta.db_table, ConfigurationItem._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    Service.objects.filter(name__startswith="Bench service ").delete()


class _Builder:
    def __init__(self, total: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sizes = counts(total)
        self.classes = {c.key: c.pk for c in CIClass.objects.all()}
        self.items = Table(
            ConfigurationItem,
            [
                "id",
                "name",
                "ci_class",
                "hostname",
                "serial_number",
                "attributes",
                "sources",
                "quorum",
                "service",
            ],
        )
        self.edges: set[tuple[int, int, str]] = set()
        self.graph = Graph()
        self.next_id = 1
        self.services: dict[int, int] = {}  # business service item id -> sla.Service id

    def add(self, key: str, count: int, make: Callable[[int, int], dict[str, Any]]) -> list[int]:
        ids = []
        for n in range(count):
            pk = self.next_id
            self.next_id += 1
            row = make(pk, n)
            self.items.add(
                pk,
                row.get("name") or f"{key.replace('_', '-')}-{n:06d}",
                self.classes[key],
                row.get("hostname", ""),
                row.get("serial_number", ""),
                json.dumps(row.get("attributes", {})),
                "{}",
                row.get("quorum"),
                row.get("service"),
            )
            ids.append(pk)
            if len(self.items.rows) >= 20_000:
                self.items.flush()
        self.graph.ids[key] = ids
        return ids

    def relate(self, source: int, kind: str, target: int) -> None:
        if source != target:
            self.edges.add((source, target, kind))

    def some(self, pool: list[int], low: int, high: int) -> list[int]:
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))


def build(total: int, *, seed: int = 16, progress: Callable[[str], None] | None = None) -> Graph:
    """Write the graph into the current database (what was there before is cleared)."""
    started = time.perf_counter()
    _clear()
    b = _Builder(total, seed)
    rng, sizes = b.rng, b.sizes
    say = progress or (lambda line: None)
    with transaction.atomic():
        sites = b.add("site", sizes["site"], lambda pk, n: {"name": f"Site {n:03d}"})
        network = b.add(
            "network_device",
            sizes["network_device"],
            lambda pk, n: {
                "hostname": f"net-{n:06d}.bench.example",
                "serial_number": f"NET{n:08d}",
                "attributes": {"device_type": rng.choice(DEVICES), "ports": 48},
            },
        )
        servers = b.add(
            "server",
            sizes["server"],
            lambda pk, n: {
                "hostname": f"host-{n:06d}.bench.example",
                "serial_number": f"SRV{n:08d}",
                "attributes": {"os": "VMware ESXi 8", "cpu_cores": rng.choice((32, 64, 96))},
            },
        )
        host_clusters = round(sizes["cluster"] * HOST_CLUSTER_SHARE)
        per_cluster = max(1, len(servers) // max(1, host_clusters))
        clusters = b.add(
            "cluster",
            sizes["cluster"],
            lambda pk, n: {
                "name": f"{'hosts' if n < host_clusters else 'app'}-cluster-{n:05d}",
                "quorum": max(1, per_cluster - 2) if n < host_clusters else 2,
            },
        )
        vms = b.add(
            "virtual_machine",
            sizes["virtual_machine"],
            lambda pk, n: {
                "hostname": f"vm-{n:07d}.bench.example",
                "attributes": {
                    "os": rng.choice(OS),
                    "cpu_cores": rng.choice((2, 4, 8)),
                    "memory_gb": rng.choice((4, 8, 16, 32)),
                    "hypervisor": "VMware",
                },
            },
        )
        databases = b.add(
            "database",
            sizes["database"],
            lambda pk, n: {"attributes": {"engine": rng.choice(ENGINES), "size_gb": n % 500}},
        )
        applications = b.add(
            "application", sizes["application"], lambda pk, n: {"attributes": {"version": "1.0"}}
        )
        technical = b.add("technical_service", sizes["technical_service"], lambda pk, n: {})
        app_services = b.add("application_service", sizes["application_service"], lambda pk, n: {})
        catalogue = Service.objects.bulk_create(
            [Service(name=f"Bench service {n:04d}") for n in range(sizes["business_service"])]
        )
        business = b.add(
            "business_service",
            sizes["business_service"],
            lambda pk, n: {"name": f"Business service {n:04d}", "service": catalogue[n].pk},
        )
        b.items.flush()
        say(f"{b.next_id - 1:,} items")

        # What carries impact, from the bottom up.
        for device in network:
            b.relate(device, "depends_on", rng.choice(sites))
        app_clusters = clusters[host_clusters:]
        for n, server in enumerate(servers):
            for switch in b.some(network, 1, 2):
                b.relate(server, "depends_on", switch)
            b.relate(server, "member_of", clusters[min(n // per_cluster, host_clusters - 1)])
        for vm in vms:
            b.relate(vm, "runs_on", rng.choice(servers))
        for cluster in app_clusters:
            for vm in b.some(vms, 3, 6):
                b.relate(vm, "member_of", cluster)
        for database in databases:
            b.relate(database, "runs_on", rng.choice(vms if rng.random() < 0.7 else app_clusters))
        for n, application in enumerate(applications):
            for host in b.some(vms, 2, 6):
                b.relate(application, "runs_on", host)
            for database in b.some(databases, 1, 2):
                b.relate(application, "depends_on", database)
            if n > 10:
                for other in b.some(applications[:n], 0, 2):
                    b.relate(application, "depends_on", other)
        for service in technical:
            for needed in b.some(databases + app_clusters + network, 5, 15):
                b.relate(service, "depends_on", needed)
        for service in app_services:
            for needed in b.some(applications, 3, 8) + b.some(technical, 1, 3):
                b.relate(service, "depends_on", needed)
        for service in business:
            for needed in b.some(app_services, 2, 6) + b.some(technical, 1, 2):
                b.relate(service, "depends_on", needed)
        b.graph.impact_relations = len(b.edges)
        # Cabling up to five relations per item.
        cabled = vms + servers
        wanted = RELATIONS_PER_ITEM * (b.next_id - 1)
        while len(b.edges) < wanted:
            b.relate(rng.choice(cabled), "connected_to", rng.choice(network))
        relations = Table(Relation, ["id", "source", "target", "type", "data_source"])
        for pk, (source, target, kind) in enumerate(sorted(b.edges), start=1):
            relations.add(pk, source, target, kind, "bench")
            if len(relations.rows) >= 50_000:
                relations.flush()
                say(f"{pk:,} relations")
        relations.flush()
        b.graph.relations = len(b.edges)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [ConfigurationItem, Relation]
            ):
                cursor.execute(statement)
            # VACUUM for the visibility map (index-only scans), as autovacuum would; not
            # possible inside a transaction (a test's), where fresh statistics must do.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} cmdb_configurationitem, cmdb_relation")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    b.graph.seconds = time.perf_counter() - started
    return b.graph


def ensure(total: int, say: Callable[[str], None], *, fresh: bool = False) -> dict[str, Any]:
    """The graph of `total` items in the benchmark database, built once per size."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS tuki_bench_meta (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute(
            "SELECT key, value FROM tuki_bench_meta WHERE key IN ('cis', 'cmdb_version', 'cmdb')"
        )
        meta = dict(cursor.fetchall())
    if not fresh and meta.get("cis") == str(total) and meta.get("cmdb_version") == VERSION:
        say(f"configuration database: {total:,} items, loaded before")
        return dict(json.loads(meta.get("cmdb", "{}")))
    say(f"configuration database: building {total:,} items ...")
    graph = build(total, progress=lambda line: say(f"  {line}"))
    figures = graph.describe()
    say(
        f"  {figures['cis']:,} items, {figures['relations']:,} relations "
        f"({figures['impact_relations']:,} carry impact) in {figures['seconds']} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tuki_bench_meta WHERE key IN ('cis', 'cmdb_version', 'cmdb')")
        for key, value in (
            ("cis", str(total)),
            ("cmdb_version", VERSION),
            ("cmdb", json.dumps(figures)),
        ):
            cursor.execute("INSERT INTO tuki_bench_meta (key, value) VALUES (%s, %s)", [key, value])
    return figures
