"""What the HTTP measurements request: the people and tickets of the loaded data (the
scene), the requests per measurement, and SQL queries per request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext

from tuki.accounts.models import ApiToken, SupportGroup
from tuki.bench.clients import Target
from tuki.tickets.models import ACTIVE_CATEGORIES, Ticket


@dataclass
class Scene:
    """The people and tickets the measurements use, found in the loaded data."""

    agent_id: int
    session_key: str
    token: str
    group_id: int
    deep_page: int
    rich_numbers: list[str]
    requester_ids: list[int]
    search_words: list[str]


def scene(data: dict[str, Any]) -> Scene:

    busiest = (
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES, group__tier=2)
        .values("group")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    group = (
        SupportGroup.objects.get(pk=busiest["group"]) if busiest else SupportGroup.objects.first()
    )
    assert group is not None, "no groups in the benchmark data"
    agent = group.members.order_by("id").first()
    assert agent is not None
    # The agent leads the group: the team view's figure (tuki/reports/views_team.py).
    SupportGroup.objects.filter(pk=group.pk, manager__isnull=True).update(manager=agent)
    django_client = DjangoClient()
    django_client.force_login(agent)
    session_key = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    _token, raw = ApiToken.mint(agent)
    open_in_group = busiest["n"] if busiest else 0
    pages = max(1, -(-open_in_group // 50))
    rich = data.get("rich_ticket_ids") or list(
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES).values_list("id", flat=True)[
            :20
        ]
    )
    numbers = [t.number for t in Ticket.objects.filter(pk__in=rich)]
    User = get_user_model()
    requesters = list(
        User.objects.filter(is_agent=False, email__endswith="@client.bench.example")
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    return Scene(
        agent_id=agent.pk,
        session_key=session_key,
        token=raw,
        group_id=group.pk,
        deep_page=max(1, min(pages, 20)),
        rich_numbers=numbers or ["INC-1"],
        requester_ids=requesters,
        search_words=["outlook", "printer", "vpn client", "teams crashing", "password reset"],
    )


def page_targets(s: Scene) -> dict[str, tuple[str, Target, tuple[int, ...]]]:
    def get(path: str) -> Target:
        return lambda i: ("GET", path, None)

    queue = f"/desk/tickets/?group={s.group_id}&state=active&sort=priority"
    numbers = s.rich_numbers

    def create(i: int) -> tuple[str, str, bytes | None]:
        body = {
            "title": f"Benchmark ticket {i}: cannot open shared drive",
            "description": "Created by tuki bench over the API.",
            "requester": s.requester_ids[i % len(s.requester_ids)] if s.requester_ids else None,
            "impact": 3,
            "urgency": 2,
        }
        return "POST", "/api/v1/tickets", json.dumps(body).encode()

    return {
        "floor_view": ("trivial view (/healthz), the floor", get("/healthz"), (200,)),
        "queue": ("queue: open tickets of a group, page 1", get(queue), (200,)),
        "queue_deep": (
            f"queue: page {s.deep_page}",
            get(f"{queue}&page={s.deep_page}"),
            (200,),
        ),
        "queue_sla": (
            "queue: by SLA deadline (at risk first)",
            get(f"/desk/tickets/?group={s.group_id}&state=active&sort=deadline"),
            (200,),
        ),
        "dashboard": ("agent dashboard", get("/desk/"), (200,)),
        "team_dashboard": (
            "team view of a group, for its lead",
            get(f"/reports/team/{s.group_id}/"),
            (200,),
        ),
        "ticket": (
            "ticket page, 30 timeline entries",
            lambda i: ("GET", f"/desk/tickets/{numbers[i % len(numbers)]}/", None),
            (200,),
        ),
        "api_list": (
            "API: open tickets of a group, 50",
            get(f"/api/v1/tickets?group={s.group_id}&status_category=open&limit=50"),
            (200,),
        ),
        "search_page": (
            "search page: a word across tickets and articles",
            lambda i: ("GET", f"/search/?q={quote(s.search_words[i % 5])}", None),
            (200,),
        ),
        "api_create": ("API: create a ticket", create, (201,)),
    }


def count_queries(
    s: Scene, targets: dict[str, tuple[str, Target, tuple[int, ...]]]
) -> dict[str, int]:
    """SQL queries per request, on the same database, through Django's test client."""

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key
    counts: dict[str, int] = {}
    for name, (_label, target, ok) in targets.items():
        if name == "api_create":
            continue  # counted below without leaving a ticket behind twice
        method, path, body = target(0)
        if name == "floor_view":
            client.cookies.clear()
        elif name.startswith("api_"):
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {s.token}"
        client.get(path)  # warm (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = client.generic(method, path, body or b"", content_type="application/json")
        if response.status_code in ok:
            counts[name] = len(ctx.captured_queries)
        client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key
        client.defaults.pop("HTTP_AUTHORIZATION", None)
    # A warm process: the first creation fills the per-process caches (tuki/configcache).
    for i in range(2):
        method, path, body = targets["api_create"][1](i)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {s.token}"
            )
    if response.status_code == 201:
        counts["api_create"] = len(ctx.captured_queries)
    return counts
