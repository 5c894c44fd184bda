"""Files and folders Tuki creates are readable by its own user only, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tuki.lib.env import private_umask


def _open_to_others(folder: Path) -> dict[str, str]:
    """Every path under `folder` (itself included) that its group or others may use."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found[str(path.relative_to(folder.parent))] = oct(mode)
    return found


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_first_run_under_a_permissive_umask_makes_private_files(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(subprocess_env)
    for name in ("TUKI_DATABASE_URL", "TUKI_SECRET_KEY", "TUKI_ENCRYPTION_KEY"):
        env.pop(name, None)  # the defaults: a SQLite file and generated keys in the var dir
    # The child writes to its database (WAL files beside it) with umask 000 from its parent.
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE probe (x integer)')\n"
        "    c.execute('INSERT INTO probe VALUES (1)')\n"
    )
    subprocess.run(
        [sys.executable, "-m", "tuki", "shell", "-c", script],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0),
    )
    var = Path(env["TUKI_VAR_DIR"])
    names = {p.name for p in var.iterdir()}
    assert {"tuki.sqlite3", "secret_key", "encryption_key"} <= names
    assert _open_to_others(var) == {}


def test_an_existing_database_file_is_made_private(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(subprocess_env)
    env.pop("TUKI_DATABASE_URL", None)
    var = Path(env["TUKI_VAR_DIR"])
    var.mkdir(mode=0o755)
    (var / "tuki.sqlite3").touch(mode=0o644)
    (var / "tuki.sqlite3").chmod(0o644)
    subprocess.run(
        [sys.executable, "-m", "tuki", "check"], env=env, check=True, capture_output=True
    )
    assert stat.S_IMODE((var / "tuki.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


def test_uploads_are_private_under_a_permissive_umask(
    settings: Any, tmp_path: Path, permissive_umask: None
) -> None:
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    name = storages["default"].save("attachments/2026/12/report.txt", ContentFile(b"secret"))
    assert (media / name).read_bytes() == b"secret"
    assert _open_to_others(media) == {}


def test_the_entry_points_set_a_private_umask(permissive_umask: None) -> None:
    private_umask()
    assert os.umask(0) == 0o077
