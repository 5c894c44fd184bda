"""`uv run python -m tuki.assist.means`: recompute language_means.npz from the translation
catalogs (a developer's tool, for a new model; needs polib from the dev group). Then
`tuki semantic_vectors` recomputes every vector: the file's digest is in the model tag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polib

from tuki.assist import embeddings

LOCALE = Path(__file__).resolve().parent.parent / "locale"
MIN_CHARS = 40  # catalog sentences shorter than this say too little


def corpus() -> dict[str, list[str]]:
    """The catalog sentences translated into both Romanian and Finnish, in en, ro and fi."""
    catalogs = {
        lang: {
            e.msgid: e.msgstr
            for e in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
        }
        for lang in ("ro", "fi")
    }
    msgids = sorted(
        m
        for m, text in catalogs["ro"].items()
        if text and catalogs["fi"].get(m) and len(m) >= MIN_CHARS and not any(c in m for c in "%{<")
    )
    return {"en": msgids, **{lang: [c[m] for m in msgids] for lang, c in catalogs.items()}}


def main() -> None:
    sentences = corpus()
    means = embeddings.language_means(sentences)
    np.savez(embeddings.MEANS_FILE, **means)  # type: ignore[arg-type]  # numpy's stub types **kwds too narrowly
    print(f"{len(sentences['en'])} sentences a language: {embeddings.MEANS_FILE}")


if __name__ == "__main__":
    main()
