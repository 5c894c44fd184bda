"""The benchmark's own databases: the data set's `<name>_bench` beside the configured
database, and throwaway ones for the micro-benchmarks in bench/*.py."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.db import connection, connections
from psycopg.conninfo import make_conninfo

from tuki.bench.options import DATA_VERSION, Options


def release_connections() -> None:
    """Close this process's connection and, on PostgreSQL, its pool before the connection is
    pointed at another database. Django's create_test_db closes the connection but not the
    pool, whose connections stay on the database they were opened on: without this, the
    throwaway databases' data went into the benchmark database."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)
    if close_pool is not None:
        close_pool()


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """Django's test-database machinery on a scratch database, migrated, then dropped: a
    temporary SQLite file, or `tuki_bench_<label>_<pid>` on the configured PostgreSQL server.
    For the micro-benchmarks in bench/*.py, which build their own data."""
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"tuki-bench-{label}-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"tuki_bench_{label}_{os.getpid()}"
    release_connections()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        release_connections()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_database(options: Options, say: Callable[[str], None]) -> str:
    """Switch this process to the benchmark's own database; return its URL for the server."""
    settings_dict = connection.settings_dict
    suffix = "_benchq" if options.quick else "_bench"
    if connection.vendor == "sqlite":
        name = str(Path(settings.VAR_DIR) / f"tuki{suffix}.sqlite3")
        url = f"sqlite:///{name}"
    else:
        name = f"{settings_dict['NAME']}{suffix}"
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        url = f"postgres://{auth}{host}{port}/{name}"
    settings_dict["TEST"]["NAME"] = name
    keep = not options.fresh and _has_data(name, options)
    say(f"database: {connection.vendor} {name} ({'kept' if keep else 'new'})")
    release_connections()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keep)
    return url


def _has_data(name: str, options: Options) -> bool:
    """Whether the benchmark database exists with this data set (same N, same generator)."""

    probe = connections["default"].settings_dict.copy()
    probe["NAME"] = name
    try:
        if connection.vendor == "sqlite":
            if not Path(name).exists():
                return False
            with sqlite3.connect(name) as db:
                rows = dict(db.execute("SELECT key, value FROM tuki_bench_meta").fetchall())
        else:
            kwargs: dict[str, Any] = {
                "dbname": name,
                "user": probe.get("USER") or None,
                "password": probe.get("PASSWORD") or None,
                "host": probe.get("HOST") or None,
                "port": probe.get("PORT") or None,
            }
            conninfo = make_conninfo(**{k: v for k, v in kwargs.items() if v})
            with psycopg.connect(conninfo) as db:
                rows = dict(db.execute("SELECT key, value FROM tuki_bench_meta").fetchall())
    except Exception:
        return False
    if not options.tickets_needed:
        return True  # the CMDB measurements alone: whatever tickets it holds may stay
    return rows.get("tickets") == str(options.tickets) and rows.get("version") == DATA_VERSION


def drop_bench_database(bench_name: str, old_name: str) -> None:
    """Drop the benchmark's database (by its own name: never whatever the connection names
    now) and point the connection back at the configured one."""
    if not (bench_name.endswith("_bench.sqlite3") or bench_name.endswith("_benchq.sqlite3")):
        if not (bench_name.endswith("_bench") or bench_name.endswith("_benchq")):
            raise RuntimeError(f"refusing to drop {bench_name!r}: not a benchmark database")
    release_connections()
    connection.settings_dict["NAME"] = bench_name
    connection.creation.destroy_test_db(old_name, verbosity=0)
