"""Translation catalogs: extract, check and compile without hand work.

    uv run python -m tuki.lib.catalogs update    # makemessages for ro and fi (needs GNU gettext)
    uv run python -m tuki.lib.catalogs compile   # .po -> .mo with polib (no gettext needed)

The test suite calls `extract_msgids` and `missing_translations` so that a string added
without its Romanian and Finnish translation fails CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polib

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "tuki" / "locale"
LANGUAGES = ("ro", "fi")
IGNORE = ["var", ".venv", "static", "docs", "bench", "test-artifacts", "node_modules"]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def _makemessages(cwd: Path, lang: str) -> None:
    cmd = [
        sys.executable,
        "-m",
        "tuki",
        "makemessages",
        "-l",
        lang,
        "--no-obsolete",
        "--add-location=never",
    ]
    for pattern in IGNORE:
        cmd += ["--ignore", pattern]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tuki.settings"}
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)


def extract_msgids() -> set[str]:
    """Every translatable string in the code and templates (needs xgettext on PATH)."""
    import polib

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT / "tuki", copy / "tuki", ignore=shutil.ignore_patterns("locale", "__pycache__")
        )
        shutil.copytree(ROOT / "templates", copy / "templates")
        (copy / "tuki" / "locale").mkdir()
        _makemessages(copy, "ro")
        catalog = polib.pofile(str(copy / "tuki" / "locale" / "ro" / "LC_MESSAGES" / "django.po"))
        return {_key(entry) for entry in catalog}


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def missing_translations(lang: str, msgids: set[str] | None = None) -> list[str]:
    """Strings with no (or a fuzzy) translation in `lang`'s catalog."""
    import polib

    catalog = polib.pofile(str(po_path(lang)))
    translated = {
        _key(e)
        for e in catalog
        if not e.obsolete
        and "fuzzy" not in e.flags
        and (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))
    }
    wanted = msgids if msgids is not None else {_key(e) for e in catalog if not e.obsolete}
    return sorted(wanted - translated)


def compiled_bytes(lang: str) -> bytes:
    import polib

    with tempfile.NamedTemporaryFile(suffix=".mo") as handle:
        polib.pofile(str(po_path(lang))).save_as_mofile(handle.name)
        return Path(handle.name).read_bytes()


def compile_all() -> None:
    for lang in LANGUAGES:
        po_path(lang).with_suffix(".mo").write_bytes(compiled_bytes(lang))


def update_all() -> None:
    for lang in LANGUAGES:
        _makemessages(ROOT, lang)


if __name__ == "__main__":
    {"update": update_all, "compile": compile_all}[sys.argv[1]]()
