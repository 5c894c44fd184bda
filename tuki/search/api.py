"""Search: `GET /api/v1/search/` — tickets and articles the caller may see, ranked.

Agents match and see the whole ticket (internal notes too); requesters only their own
requests' public text and the published articles they may read. Any `q` is accepted: a
query with no words returns no results, never an error.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Query, Router

from tuki.lib.bounds import Schema
from tuki.lib.http import ApiRequest
from tuki.search import engine, queries
from tuki.tickets.models import StatusCategory

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: str = Field("", description="Words to find; any characters are accepted")
    kind: Literal["ticket", "article"] | None = None
    status: StatusCategory | None = Field(None, description="Tickets in this status category")
    category: int | None = Field(None, description="Ticket category id (and the ones below it)")
    language: Literal["en", "ro", "fi"] | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class SearchResultOut(Schema):
    kind: str
    id: int
    number: str
    title: str = Field(description="HTML: escaped, matching words in <mark>")
    snippet: str = Field(description="HTML: escaped, matching words in <mark>")
    language: str
    url: str


class SearchPage(Schema):
    count: int
    results: list[SearchResultOut]


@router.get("/", response=SearchPage, summary="Search tickets and knowledge articles")
def search(request: ApiRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    user = request.user
    portal = not queries.is_agent(user)
    wanted = queries.Filters(
        q=filters.q.replace("\x00", " ")[:1000],
        kind=filters.kind or "",
        status=filters.status or "",
        category=filters.category,
        language=filters.language or "",
    )
    results, total = queries.run(
        user, wanted, portal=portal, limit=filters.limit, offset=filters.offset
    )
    if filters.offset == 0:
        engine.log_query(user, wanted.q, total)
    return {
        "count": total,
        "results": [
            {
                "kind": r.kind,
                "id": r.object_id,
                "number": r.label,
                "title": str(r.title),
                "snippet": str(r.snippet),
                "language": r.language,
                "url": request.build_absolute_uri(r.url),
            }
            for r in results
        ],
    }
