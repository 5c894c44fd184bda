"""`tuki backup FILE`: the database and the uploaded files, as of one instant.

The rows are read from one snapshot: on PostgreSQL a REPEATABLE READ, READ ONLY transaction
(every table as of its first query, writers not blocked); on SQLite a copy made with
SQLite's online backup API, read through a connection alias of its own. Files are read
after the snapshot, so every file a row names was there (a file is written before its row
is committed); a file missing all the same is listed in the manifest and the backup goes on.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from tuki.backup import tables
from tuki.backup.archive import MANIFEST, BackupError, Manifest, hash_stream

Progress = Callable[[str], None]
SNAPSHOT_ALIAS = "tuki_backup_snapshot"


def backup(path: Path, progress: Progress = lambda line: None) -> Manifest:
    """Write the backup to `path` (through a temporary file beside it: never half a backup)."""
    connection = connections[DEFAULT_DB_ALIAS]
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"), engine=connection.vendor
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tuki-backup-") as work:
        staged = Path(work)
        with _snapshot(staged) as alias:
            manifest.migrations = _migrations(alias)
            names = _dump_tables(alias, staged, manifest, progress)
        _stage_files(names, staged, manifest, progress)
        _write_archive(path, staged, manifest)
    progress(
        f"done: {len(manifest.tables)} tables, {sum(manifest.tables.values())} rows, "
        f"{len(names) - len(manifest.missing_files)} files in {time.monotonic() - started:.1f} s"
        f" -> {path}"
    )
    return manifest


@contextmanager
def _snapshot(work: Path) -> Iterator[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            if not connection.in_atomic_block or connection.savepoint_ids:
                raise BackupError("A backup must start its own transaction.")
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield DEFAULT_DB_ALIAS
        return
    if connection.vendor != "sqlite":
        raise BackupError(f"Backups of {connection.vendor} are not supported.")
    copy = work / "snapshot.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    settings = dict(connection.settings_dict, NAME=str(copy), OPTIONS={})
    connections.settings[SNAPSHOT_ALIAS] = settings
    try:
        yield SNAPSHOT_ALIAS
    finally:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]
        del connections.settings[SNAPSHOT_ALIAS]
        copy.unlink(missing_ok=True)


def _migrations(alias: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[alias])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _dump_tables(alias: str, staged: Path, manifest: Manifest, progress: Progress) -> set[str]:
    """Each table to data/<label>.jsonl; returns the names of the files the rows point at."""
    (staged / "data").mkdir()
    files: set[str] = set()
    for model in tables.backed_up_models():
        label = tables.label(model)
        fields = tables.columns(model)
        file_fields = tables.file_fields(model)
        count = 0
        with open(staged / "data" / f"{label}.jsonl", "w", encoding="utf-8") as out:
            out.write(json.dumps([f.attname for f in fields]) + "\n")
            for obj in tables.rows(model, alias):
                out.write(json.dumps(tables.row_to_json(fields, obj), ensure_ascii=False))
                out.write("\n")
                files.update(n for f in file_fields if (n := getattr(obj, f.attname).name))
                count += 1
        manifest.tables[label] = count
        if count:
            progress(f"table {label}: {count} rows")
    return files


def _stage_files(names: set[str], staged: Path, manifest: Manifest, progress: Progress) -> None:
    done = 0
    for name in sorted(names):
        if not default_storage.exists(name):
            manifest.missing_files.append(name)
            progress(f"warning: file {name} is named by a row but missing from storage")
            continue
        target = staged / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, open(target, "wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
        done += 1
        if done % 500 == 0:
            progress(f"files: {done} of {len(names)}")
    progress(f"files: {done}")


def _write_archive(path: Path, staged: Path, manifest: Manifest) -> None:
    # Only data/ and files/: nothing else in the work folder belongs to the archive.
    members = sorted(
        p for folder in ("data", "files") for p in (staged / folder).rglob("*") if p.is_file()
    )
    for member in members:
        with open(member, "rb") as stream:
            digest, size = hash_stream(stream)
        manifest.members[member.relative_to(staged).as_posix()] = {"sha256": digest, "size": size}
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(body))
            for member in members:
                tar.add(member, arcname=member.relative_to(staged).as_posix(), recursive=False)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
