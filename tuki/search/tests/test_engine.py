"""The engine on its own documents: stemming per language, ranking, typos, filters, safety.

Runs on SQLite and on PostgreSQL (TUKI_DATABASE_URL); typo tolerance is PostgreSQL's.
The allowed-id subqueries are SearchEntry querysets here: the engine only needs ids.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tuki.search import engine
from tuki.search.backends import postgres
from tuki.search.models import SearchEntry, SearchQuery

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL feature (pg_trgm)"
)

NOTE = "note"  # a kind of our own: the engine knows no other app's models


def everything() -> dict:
    return {NOTE: SearchEntry.objects.filter(kind=NOTE).values("object_id")}


def ids(q: str, **kwargs: object) -> list[int]:
    allowed = kwargs.pop("allowed", None) or everything()
    return [h.object_id for h in engine.search(q, allowed=allowed, **kwargs)]


def add(object_id: int, language: str, title: str, body: str = "", public: str | None = None):
    engine.index_document(NOTE, object_id, language, title, body, public)


class TestStemming:
    def test_english_printing_finds_printers(self) -> None:
        add(1, "en", "Office printers", "The printers on floor 3 jam.")
        add(2, "en", "Mail", "Outlook does not open.")
        assert ids("printing") == [1]

    def test_romanian_imprimanta_finds_imprimantele(self) -> None:
        add(1, "ro", "Probleme", "Imprimantele de la etajul 2 nu funcționează.")
        add(2, "ro", "Parola", "Cum schimb parola?")
        assert ids("imprimantă") == [1]

    def test_finnish_tulostin_finds_tulostimen(self) -> None:
        add(1, "fi", "Paperitukos", "Tulostimen paperi on juuttunut.")
        add(2, "fi", "Salasana", "Vaihda salasana.")
        assert ids("tulostin") == [1]

    def test_all_words_are_required_by_default(self) -> None:
        add(1, "en", "VPN drops", "The VPN disconnects every hour.")
        add(2, "en", "VPN setup", "Install the client.")
        assert ids("vpn disconnects") == [1]
        assert sorted(ids("vpn disconnects", any_word=True)) == [1, 2]

    def test_stop_words_do_not_have_to_match(self) -> None:
        add(1, "en", "Reset a password", "Open the self-service page.")
        assert ids("how do I reset my password") == [1]

    def test_a_language_filter_keeps_that_language(self) -> None:
        add(1, "en", "Printer", "Printers jam.")
        add(2, "fi", "Printer", "Tulostin printer jumissa.")
        assert ids("printer", language="fi") == [2]

    def test_one_hit_per_object_across_translations(self) -> None:
        add(1, "en", "VPN guide", "Connect the VPN.")
        add(1, "fi", "VPN-opas", "Yhdistä VPN.")
        assert ids("vpn") == [1]
        assert engine.count("vpn", allowed=everything()) == 1


class TestRanking:
    def test_a_title_hit_ranks_above_a_body_hit(self) -> None:
        add(1, "en", "Teams meetings", "Outlook calendar sync fails for some users.")
        add(2, "en", "Outlook crashes", "Outlook closes on start.")
        assert ids("outlook") == [2, 1]

    def test_pages(self) -> None:
        for n in range(1, 8):
            add(n, "en", f"Printer {n}", "Printer jams.")
        first = ids("printer", limit=5)
        second = ids("printer", limit=5, offset=5)
        assert len(first) == 5 and len(second) == 2 and not set(first) & set(second)
        assert engine.count("printer", allowed=everything()) == 7


class TestPermissions:
    def test_only_allowed_ids_come_back(self) -> None:
        add(1, "en", "Printer", "Printer jams.")
        add(2, "en", "Printer", "Printer jams.")
        allowed = {NOTE: SearchEntry.objects.filter(object_id=2).values("object_id")}
        assert ids("printer", allowed=allowed) == [2]

    def test_a_kind_without_an_allowed_subquery_is_never_returned(self) -> None:
        engine.index_document("secret", 1, "en", "Printer", "Printer jams.")
        assert engine.search("printer", allowed={NOTE: SearchEntry.objects.none()}) == []
        assert engine.search("printer", allowed=everything(), kinds=["secret"]) == []

    def test_public_only_never_matches_the_private_text(self) -> None:
        add(1, "en", "Laptop", "Screen broken. Internal: supplier code zebra", "Screen broken.")
        assert ids("zebra") == [1]
        assert ids("zebra", public_only=True) == []
        hit = engine.search("screen", allowed=everything(), public_only=True)[0]
        assert "zebra" not in hit.snippet

    def test_a_document_without_public_text_is_public_whole(self) -> None:
        add(1, "en", "Guide", "Zebra crossings.")
        assert ids("zebra", public_only=True) == [1]


class TestSnippets:
    def test_matches_are_marked_and_the_rest_escaped(self) -> None:
        add(1, "en", "<b>Printer</b> & co", "Click <script>alert(1)</script> then the printers.")
        hit = engine.search("printer", allowed=everything())[0]
        assert "<mark>" in hit.snippet and "<script>" not in hit.snippet
        assert "alert(1)" in hit.snippet  # kept as text (PostgreSQL's parser drops the tags)
        assert "<b>" not in hit.title and "<mark>Printer</mark>" in hit.title

    def test_the_snippet_is_a_window_around_the_match(self) -> None:
        add(1, "en", "Long", " ".join(["filler"] * 500) + " the modem blinks " + "x " * 500)
        hit = engine.search("modem", allowed=everything())[0]
        assert "<mark>modem</mark>" in hit.snippet and len(hit.snippet) < 600


class TestIndexing:
    def test_reindexing_replaces_the_text(self) -> None:
        add(1, "en", "Printer", "Printer jams.")
        add(1, "en", "Monitor", "Monitor flickers.")
        assert ids("printer") == [] and ids("monitor") == [1]

    def test_remove_document(self) -> None:
        add(1, "en", "Printer", "Printer jams.")
        add(1, "fi", "Tulostin", "Tulostin jumissa.")
        engine.remove_document(NOTE, 1)
        assert ids("printer") == [] and ids("tulostin") == []
        assert not SearchEntry.objects.exists()

    def test_bulk_reindex_of_a_whole_kind(self) -> None:
        add(99, "en", "Stale", "Gone after a full rebuild.")
        docs = [engine.Document(NOTE, n, "en", f"Printer {n}", "Jams.") for n in range(2500)]
        assert engine.reindex(NOTE, docs, full=True) == 2500
        assert ids("stale") == []
        assert engine.count("printer", allowed=everything()) == engine.COUNT_CAP  # "1,000+"

    def test_nul_bytes_and_huge_text_are_stored(self) -> None:
        add(1, "en", "Nul\x00title", "a\x00b printer " + "word " * 60_000)
        assert ids("printer") == [1]


HOSTILE = [
    '"',
    '"printer',
    "printer\"' OR 1=1 --",
    "printer AND",
    "OR",
    "NOT printer",
    "printer NEAR(jam, 2)",
    "print* ^printer",
    "title:printer",
    "{title body}: printer",
    "printer -jam",
    "(printer",
    "printer)",
    "!!!",
    "&|!<->:*()",
    "\\'\\\\",
    "🖨️ printer 🔥",
    "🔥🔥🔥",
    "\x00",
    "printer\x00jam",
    "%s %(x)s %%",
    "printer " * 2000,
    "x" * 10_000,
    "ă" * 10_000,
    "",
    "   ",
    "_",
    "a_b",
    "\ue000printer\ue001",
]


class TestHostileQueries:
    @pytest.mark.parametrize("q", HOSTILE)
    def test_any_query_gives_results_or_nothing(self, q: str) -> None:
        add(1, "en", "Printer", "Printer jams. <b>x</b>")
        for public in (False, True):
            for any_word in (False, True):
                kwargs = {"public_only": public, "any_word": any_word}
                hits = engine.search(q, allowed=everything(), **kwargs)
                assert isinstance(hits, list)
                assert engine.count(q, allowed=everything(), **kwargs) >= len(hits)
                for hit in hits:
                    assert "<b>" not in hit.snippet

    def test_operators_are_words_not_syntax(self) -> None:
        add(1, "en", "Printer", "Printer jams.")
        assert ids('"printer"') == [1]
        assert ids("printer OR nonsense") == []  # OR is a (missing) word here, AND applies

    def test_none_and_odd_limits(self) -> None:
        add(1, "en", "Printer", "Printer jams.")
        assert engine.search(None, allowed=everything()) == []
        assert ids("printer", limit=-3, offset=-1) == []


@postgres_only
class TestTypos:
    def test_pasword_finds_password(self) -> None:
        add(1, "en", "Reset your password", "Use the self-service page.")
        add(2, "en", "Printer jams", "Open the tray.")
        assert ids("pasword") == [1]

    def test_typos_are_a_fallback_when_the_words_find_nothing(self) -> None:
        add(1, "en", "Passwords", "Reset them.")
        add(2, "en", "Pasword policy", "Typo in the title.")
        assert ids("pasword") == [2]
        assert ids("passwords") == [1]

    def test_permissions_hold_for_typo_matches(self) -> None:
        add(1, "en", "Reset your password", "Use the self-service page.")
        allowed = {NOTE: SearchEntry.objects.none()}
        assert ids("pasword", allowed=allowed) == []


class TestPages:
    def test_find_gives_the_hits_and_the_total_in_one_statement(self) -> None:
        for n in range(1, 8):
            add(n, "en", f"Printer {n}", "Printer jams.")
        page = engine.find("printer", allowed=everything(), limit=5)
        assert len(page.hits) == 5 and page.total == 7
        assert page.hits[0].title.startswith("<mark>")
        assert engine.find("printer", allowed=everything(), limit=5, offset=5).total == 7
        assert engine.find("printer", allowed=everything(), limit=5, offset=50).total == 7
        assert engine.find("nothing", allowed=everything()).total == 0


@postgres_only
class TestCommonWords:
    """Words in a large share of the documents are read in table order, not through GIN."""

    def test_common_words_find_the_same_as_the_index(self) -> None:
        docs = [
            engine.Document(NOTE, n, "en", f"Printer {n}", "The vpn client jams." if n % 2 else "")
            for n in range(2500)
        ]
        engine.reindex(NOTE, docs, full=True)  # runs ANALYZE: the statistics know the words
        postgres._stats["at"] = float("-inf")  # this process read them before the rows existed
        prefixed, _exact = postgres._tsqueries(["vpn", "client"], None, False)
        assert postgres._window(prefixed, False, False) > 0
        page = engine.find("vpn client", allowed=everything(), limit=5)
        assert page.total == engine.COUNT_CAP and len(page.hits) == 5
        assert all(h.object_id % 2 for h in page.hits)
        assert engine.count("printer", allowed=everything()) == engine.COUNT_CAP

    def test_a_window_that_finds_too_few_falls_back_to_the_index(self) -> None:
        docs = [engine.Document(NOTE, n, "en", f"Printer {n}", "Jams.") for n in range(1500)]
        docs += [engine.Document(NOTE, 5000, "en", "Modem", "The printer modem.")]
        engine.reindex(NOTE, docs, full=True)
        postgres._stats["at"] = float("-inf")
        original = postgres.WINDOW_MAX
        postgres.WINDOW_MAX = 10  # the window reads ten rows: far too few
        try:
            assert ids("printer modem") == [5000]
            assert engine.find("printer", allowed=everything(), limit=3).total == 1000
        finally:
            postgres.WINDOW_MAX = original


class TestQueryLog:
    def test_top_unanswered(self) -> None:
        for _ in range(3):
            engine.log_query(None, "Teams  Crash", 0)
        engine.log_query(None, "vpn", 0)
        engine.log_query(None, "printer", 4)
        engine.log_query(None, "!!!", 0)
        assert engine.top_unanswered(days=7) == [("teams crash", 3), ("vpn", 1)]
        assert SearchQuery.objects.count() == 5
