"""Where the development email corpus lives, for the tests that read it: tests/corpus/, real
messages with their expected results, kept with the licence they came under."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
NAMES = sorted(path.name for path in CORPUS.glob("*.eml"))


def corpus_path(name: str) -> Path:
    return CORPUS / name


def corpus_bytes(name: str) -> bytes:
    return corpus_path(name).read_bytes()
