"""The backup file: one gzip'd tar holding

- `manifest.json`: the format, Tuki's version, the source engine, the applied migrations,
  the row count of every table, and the SHA-256 and size of every other member;
- `data/<app>.<model>.jsonl`: the table's column names on the first line, then one JSON
  list per row, in primary-key order;
- `files/<name>`: every uploaded file a row names (attachments, knowledge base files), under
  the name the row stores.

Restore checks every member against the manifest before it writes anything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from typing import IO, Any

FORMAT = "tuki-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def tuki_version() -> str:
    try:
        return metadata.version("tuki")
    except metadata.PackageNotFoundError:  # a checkout run without being installed
        return "unknown"


@dataclass
class Manifest:
    """What a backup holds; written last into the archive's first member."""

    created_at: str
    engine: str
    version: str = field(default_factory=tuki_version)
    migrations: list[list[str]] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # "app.model": rows
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # path: sha256, size
    missing_files: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, **self.__dict__}
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        body = json.loads(raw)
        if body.pop("format", None) != FORMAT:
            raise BackupError("This file is not a Tuki backup.")
        version = body.pop("format_version", None)
        if version != FORMAT_VERSION:
            raise BackupError(f"Backup format {version} is not supported (expected 1).")
        return cls(**body)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (the command prints it)."""


def hash_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
