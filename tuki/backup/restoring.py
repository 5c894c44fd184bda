"""`tuki restore FILE`: a backup into a fresh database (after `tuki migrate`), all or nothing.

1. Read the manifest; check the format and that this database has exactly the migrations
   the backup was made with (a backup restores into the version that made it; migrate the
   restored database afterwards to upgrade).
2. Refuse a database that already holds people or tickets, unless `force`.
3. Unpack every member into a folder beside the storage and check its SHA-256 and size
   against the manifest: a damaged or altered backup writes nothing.
4. In one transaction: empty every table (the rows `migrate` seeded included), insert every
   backed-up row with its own primary key, rebuild the SQLite full-text index, reset the
   PostgreSQL sequences, and compare each table's row count with the manifest. Foreign keys
   are checked at the commit (Django creates them deferrable on both engines), so the order
   of the tables does not matter.
5. After the commit, move the files into the storage.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from tuki.backup import tables
from tuki.backup.archive import MANIFEST, BackupError, Manifest, hash_stream
from tuki.search.backends import sqlite as sqlite_search
from tuki.search.models import SearchEntry

Progress = Callable[[str], None]
BATCH = 1000


def restore(path: Path, *, force: bool = False, progress: Progress = lambda line: None) -> Manifest:
    started = time.monotonic()
    if not path.is_file():
        raise BackupError(f"No such file: {path}")
    media = Path(default_storage.path(""))
    media.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tuki-restore-", dir=media.parent) as work:
        staged = Path(work)
        manifest = _unpack(path, staged, progress)
        _check_migrations(manifest)
        if not force:
            _check_empty()
        _load(manifest, staged / "data", progress)
        moved = _move_files(staged / "files", media)
    progress(
        f"done: {len(manifest.tables)} tables, {sum(manifest.tables.values())} rows, "
        f"{moved} files in {time.monotonic() - started:.1f} s"
    )
    return manifest


def _unpack(path: Path, staged: Path, progress: Progress) -> Manifest:
    try:
        with tarfile.open(path, mode="r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise BackupError("This file is not a Tuki backup (no manifest first).")
            stream = tar.extractfile(first)
            assert stream is not None
            manifest = Manifest.from_json(stream.read())
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            tar.extractall(staged, filter="data")
    except (tarfile.TarError, OSError, ValueError, TypeError, KeyError) as exc:
        raise BackupError(f"The backup cannot be read: {exc}") from exc
    found = {p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()}
    found.discard(MANIFEST)
    if found != set(manifest.members):
        raise BackupError("The backup's members do not match its manifest.")
    for name, expected in sorted(manifest.members.items()):
        with open(staged / name, "rb") as stream:
            digest, size = hash_stream(stream)
        if digest != expected["sha256"] or size != expected["size"]:
            raise BackupError(f"{name} is damaged: its SHA-256 does not match the manifest.")
    progress(f"checked {len(found)} members of {path.name} (made {manifest.created_at})")
    return manifest


def _check_migrations(manifest: Manifest) -> None:
    here = {tuple(m) for m in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()}
    there = {(app, name) for app, name in manifest.migrations}
    if not here:
        raise BackupError("This database has no tables yet: run `tuki migrate` first.")
    if here != there:
        extra = sorted(here - there)[:5]
        lacking = sorted(there - here)[:5]
        raise BackupError(
            "The migrations of this database differ from the backup's "
            f"(only here: {extra}; only in the backup: {lacking}). Restore with the Tuki "
            "version that made the backup, then upgrade."
        )


def _check_empty() -> None:
    user = apps.get_model("accounts", "User")
    ticket = apps.get_model("tickets", "Ticket")
    if user._base_manager.exists() or ticket._base_manager.exists():
        raise BackupError(
            "This database already holds people or tickets; restore into a fresh database "
            "(or pass --force to replace everything in it)."
        )


def _load(manifest: Manifest, data: Path, progress: Progress) -> None:
    known = {tables.label(m): m for m in tables.backed_up_models()}
    unknown = sorted(set(manifest.tables) - set(known))
    if unknown:
        raise BackupError(f"The backup holds tables this version does not know: {unknown}")
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM search_fts")
            for model in reversed(list(known.values())):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for label, expected in manifest.tables.items():
            written = _load_table(known[label], data / f"{label}.jsonl")
            if written != expected:
                raise BackupError(f"{label}: {written} rows read, the manifest says {expected}.")
            if written:
                progress(f"table {label}: {written} rows")
        if connection.vendor == "sqlite":
            _rebuild_sqlite_search()
        statements = connection.ops.sequence_reset_sql(no_style(), list(known.values()))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    ContentType.objects.clear_cache()


def _load_table(model: type[models.Model], path: Path) -> int:
    fields = {f.attname: f for f in tables.columns(model)}
    written = 0
    with open(path, encoding="utf-8") as stream:
        names = json.loads(stream.readline())
        missing = set(names) - set(fields)
        if missing:
            raise BackupError(f"{tables.label(model)}: unknown columns {sorted(missing)}")
        order = [fields[name] for name in names]
        size = tables.batch_size(model)
        batch: list[Any] = []
        for line in stream:
            batch.append(tables.json_to_row(model, order, json.loads(line)))
            if len(batch) >= size:
                model._base_manager.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            model._base_manager.bulk_create(batch)
            written += len(batch)
    return written


def _rebuild_sqlite_search() -> None:
    """SQLite's FTS5 table holds stems, not a copy of the rows: make it from SearchEntry."""
    for kind in SearchEntry.objects.values_list("kind", flat=True).distinct():
        last = 0
        while True:
            entries = list(
                SearchEntry.objects.filter(kind=kind, pk__gt=last).order_by("pk")[:BATCH]
            )
            if not entries:
                break
            sqlite_search.written(kind, entries)
            last = entries[-1].pk


def _move_files(files: Path, media: Path) -> int:
    moved = 0
    if not files.is_dir():
        return 0
    for source in sorted(p for p in files.rglob("*") if p.is_file()):
        target = media / source.relative_to(files)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        moved += 1
    return moved
