"""Where the development email corpus lives, for the tests that read it.

The shared copy sits beside the repository (`<repo>/../shared/corpus/email-dev`); a
byte-identical copy with its licence is kept in tests/corpus/ so a clean clone never skips.
"""

from __future__ import annotations

from pathlib import Path

LOCAL = Path(__file__).resolve().parent / "corpus"
REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared" / "corpus" / "email-dev"
NAMES = sorted(path.name for path in LOCAL.glob("*.eml"))


def corpus_path(name: str) -> Path:
    shared = SHARED / name
    return shared if shared.is_file() else LOCAL / name


def corpus_bytes(name: str) -> bytes:
    return corpus_path(name).read_bytes()
