"""Search: indexing time and query latency (p50/p95) over many articles and tickets.

Builds its own data in a throwaway database (a temporary SQLite file, or a scratch
PostgreSQL database when TUKI_DATABASE_URL names a server), never the configured one:

- TUKI_BENCH_SEARCH_ARTICLES published articles (default 100,000), each with a translation
  in English, Romanian or Finnish (60/20/20), ~120 words of IT help text;
- TUKI_BENCH_SEARCH_TICKETS tickets (default 100,000) from 2,000 requesters, ~40 words;
- both inserted with bulk_create, then indexed with the engine's bulk `reindex` (what
  `tuki search_reindex` does): that time is reported per kind.

Then, for about `seconds` each (at least 30 queries), the search page's work
(`queries.run`: ranked hits with snippets, the total, the objects) for an administrator
(every row allowed), an agent of one group, and a requester (their own tickets and the
public articles), and the deflection suggestions (any word, articles only). Queries mix
common and rare words, the three languages, phrases and a typo.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator
from typing import Any

from tuki.bench.database import throwaway_database

ARTICLES = int(os.environ.get("TUKI_BENCH_SEARCH_ARTICLES", "100000"))
TICKETS = int(os.environ.get("TUKI_BENCH_SEARCH_TICKETS", "100000"))

WORDS = {
    "en": """printer paper tray jam toner cartridge network vpn client password reset account
    locked email outlook calendar meeting teams laptop screen monitor keyboard mouse docking
    station wifi connection slow server disk full backup restore file share folder access
    permission license install update windows mac phone mobile badge door office desk
    error message crash freeze restart login mfa token certificate expired browser page
    invoice erp report export excel macro database query timeout""".split(),
    "ro": """imprimanta imprimantele hârtie tava toner cartuș rețea parola resetare cont
    blocat poștă calendar ședință laptop ecran monitor tastatură mouse conexiune lentă
    server disc plin copie fișier dosar acces permisiune licență instalare actualizare
    telefon ușă birou eroare mesaj repornire autentificare certificat expirat factură""".split(),
    "fi": """tulostin tulostimen paperi lokero väriaine verkko salasana nollaus tili lukittu
    sähköposti kalenteri kokous kannettava näyttö näppäimistö hiiri yhteys hidas palvelin
    levy täynnä varmuuskopio tiedosto kansio pääsy oikeus lisenssi asennus päivitys
    puhelin ovi toimisto virhe viesti uudelleenkäynnistys kirjautuminen varmenne""".split(),
}
FILLER = {
    "en": "the a to of and is on with for when it my your please after before".split(),
    "ro": "și la de pe cu pentru când nu este după înainte vă rog".split(),
    "fi": "ja on ei kun se minun sinun kiitos jälkeen ennen".split(),
}
QUERIES = [
    "printer",
    "printing",
    "password reset",
    "vpn connection slow",
    "outlook calendar",
    "teams meeting crash",
    "disk full",
    "certificate expired browser",
    "imprimantă",
    "parola resetare",
    "tulostin",
    "salasanan nollaus",
    "pasword",
    '"printer tray"',
    "erp invoice export excel macro",
    "how do I reset my password please",
]


SYLLABLES = "ka lo mi ner sa ti vu ra pel don ux em tri bo lan fi set gor ha ju".split()


def _vocabulary(language: str) -> tuple[list[str], list[float]]:
    """~4,000 words with Zipf frequencies; the real IT words sit around rank 200-300, so
    "printer" is in a few percent of the documents, as in a real knowledge base."""
    rng = random.Random(language)
    synthetic: list[str] = []
    seen = set(WORDS[language]) | set(FILLER[language])
    while len(synthetic) < 4000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            synthetic.append(word)
    words = synthetic[:200] + WORDS[language] + synthetic[200:]
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 10)
        cumulative.append(total)
    return words, cumulative


VOCABULARIES = {language: _vocabulary(language) for language in WORDS}


def _text(rng: random.Random, language: str, count: int) -> str:
    words, cumulative = VOCABULARIES[language]
    filler = FILLER[language]
    drawn = rng.choices(words, cum_weights=cumulative, k=count)
    out = [rng.choice(filler) if rng.random() < 0.35 else word for word in drawn]
    return " ".join(out).capitalize() + "."


def _language(rng: random.Random) -> str:
    roll = rng.random()
    return "en" if roll < 0.6 else "ro" if roll < 0.8 else "fi"


def make_data(articles: int, tickets: int) -> dict[str, Any]:
    from django.db import connection

    from tuki.accounts.models import Organisation, SupportGroup, User
    from tuki.knowledge.models import Article, ArticleTranslation, State
    from tuki.tickets.models import Status, Ticket

    rng = random.Random(6)
    org = Organisation.objects.create(name="Acme")
    desk = SupportGroup.objects.create(name="Service Desk", tier=1)
    network = SupportGroup.objects.create(name="Network", tier=2)
    admin = User.objects.create_superuser("admin@bench.test", "x", full_name="Admin")
    agent = User.objects.create_user("agent@bench.test", "x", full_name="Agent", is_agent=True)
    network.members.add(agent)
    User.objects.bulk_create(
        User(email=f"user{n}@bench.test", full_name=f"User {n}", organisation=org,
             password="!", language=_language(rng))
        for n in range(2000)
    )  # fmt: skip
    people = list(User.objects.filter(email__startswith="user").order_by("pk"))
    status = Status.objects.get(key="new")
    Ticket.objects.bulk_create(
        (
            Ticket(
                title=_text(rng, "en", 6)[:200],
                description=_text(rng, _language(rng), 40),
                status=status,
                requester=people[n % len(people)],
                organisation=org,
                owner_group=desk,
                group=network if n % 3 == 0 else desk,
            )
            for n in range(tickets)
        ),
        batch_size=2000,
    )
    Article.objects.bulk_create(
        (Article(state=State.PUBLISHED, audience="public" if n % 5 else "internal")
         for n in range(articles)),
        batch_size=2000,
    )  # fmt: skip
    translations = []
    for pk in Article.objects.values_list("pk", flat=True).iterator(chunk_size=5000):
        language = _language(rng)
        translations.append(
            ArticleTranslation(
                article_id=pk,
                language=language,
                title=_text(rng, language, 6)[:200],
                body=_text(rng, language, 120),
            )
        )
        if len(translations) >= 2000:
            ArticleTranslation.objects.bulk_create(translations)
            translations = []
    ArticleTranslation.objects.bulk_create(translations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would, after bulk loading
            cursor.execute("ANALYZE")
    return {"admin": admin, "agent": agent, "requester": people[7]}


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _measure(seconds: float, call: Any) -> tuple[float, float, int]:
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < 30 or time.perf_counter() - started < seconds:
        q = QUERIES[len(samples) % len(QUERIES)]
        samples.append(_timed(lambda q=q: call(q)))
    p50, p95 = _percentiles(samples)
    return p50, p95, len(samples)


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    from django.db import connection

    from tuki.search import documents, queries

    with throwaway_database("search"):
        data_time = time.perf_counter()
        people = make_data(ARTICLES, TICKETS)
        data_time = time.perf_counter() - data_time
        yield (f"articles, tickets ({connection.vendor})", float(ARTICLES), f"/ {TICKETS:,}")
        yield ("create the rows (bulk)", data_time, "s")
        for kind in (documents.ARTICLE, documents.TICKET):
            spent = _timed(lambda kind=kind: documents.rebuild(kind))
            count = ARTICLES if kind == documents.ARTICLE else TICKETS
            yield (f"index {kind}s (bulk reindex)", spent, "s")
            yield (f"  {kind}s per second", count / spent if spent else 0.0, "/s")
        for role in ("admin", "agent", "requester"):
            user = people[role]
            portal = role == "requester"

            def page(q: str, user: Any = user, portal: bool = portal) -> Any:
                return queries.run(user, queries.Filters(q=q), portal=portal, limit=20)

            p50, p95, n = _measure(seconds, page)
            yield (f"search page as {role}: p50", p50 * 1000, "ms")
            yield (f"search page as {role}: p95", p95 * 1000, f"ms ({n} queries)")
        requester = people["requester"]
        p50, p95, n = _measure(seconds, lambda q: queries.suggest(requester, q))
        yield ("suggestions (any word): p50", p50 * 1000, "ms")
        yield ("suggestions (any word): p95", p95 * 1000, f"ms ({n} queries)")
