"""A bundle carried into an empty install: a `python -m tuki` child with its own SQLite
database, migrated, then `tuki bundle import --apply` and `tuki bundle export`. Used by this
app's tests and by the demo's (the demo's configuration, exported and reproduced)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tuki.bundles import services
from tuki.bundles.specs import spec_for


def carry(bundle: dict[str, Any], tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Import `bundle` into a fresh install and return what that install exports."""
    source = tmp_path / "bundle.json"
    source.write_text(services.dumps(bundle), encoding="utf-8")
    child = dict(env, TUKI_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")

    def tuki(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tuki", *args],
            env=child,
            capture_output=True,
            text=True,
            timeout=900,
            cwd=os.getcwd(),
        )
        assert done.returncode == 0, f"tuki {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    tuki("migrate", "--no-input")
    preview = tuki("bundle", "import", str(source))
    assert "Preview (use --apply)" in preview.stdout
    tuki("bundle", "import", str(source), "--apply")
    tuki("bundle", "export", "-o", str(tmp_path / "again.json"))
    # A fixed point: the same bundle again changes nothing more there.
    twice = tuki("bundle", "import", str(source), "--apply")
    assert "0 to create, 0 to update" in twice.stdout, twice.stdout
    reproduced: dict[str, Any] = json.loads((tmp_path / "again.json").read_text("utf-8"))
    return reproduced


def differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Every row of `ours` is in `theirs`, field by field (theirs may hold seeded extras)."""
    found = []
    for label, rows in ours["sections"].items():
        spec = spec_for(label)
        assert spec is not None, label

        def key(row: dict[str, Any], spec: Any = spec) -> str:
            return json.dumps([row.get(name) for name in spec.key], default=str)

        keyed = {key(row): row for row in theirs["sections"].get(label, [])}
        for row in rows:
            other = keyed.get(key(row))
            if other is None:
                found.append(f"{label} {key(row)}: missing")
                continue
            for name, value in row.items():
                if other.get(name) != value:
                    found.append(f"{label} {key(row)}.{name}: {value!r} != {other.get(name)!r}")
    return found
