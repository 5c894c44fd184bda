"""What `tuki bench` measures of reports (the harness is tuki/bench; this is the work).

`twelve_month_report` is what a manager's report page asks of the engine: every headline
indicator's total with the previous period, a monthly trend and a breakdown.
`load_synthetic_facts` fills the fact table of a scratch PostgreSQL database straight in
SQL (a million rows in seconds), for measuring the engine alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection

from tuki.reports import indicators, rollups
from tuki.reports.filters import Filters


def twelve_month_report(viewer: Any, end: date) -> list[indicators.Result]:
    """The 12-month report ending on `end`: summary with comparison, the volume trend by
    month, and time to resolve by group."""
    filters = Filters(start=(end.replace(day=1) - timedelta(days=335)).replace(day=1), end=end)
    results = indicators.summary(viewer, filters, compare=True)
    results.append(indicators.compute(viewer, "volume", filters, "month", compare=True))
    results.append(indicators.compute(viewer, "resolve_time", filters, "group"))
    return results


def load_synthetic_facts(count: int, end: date, *, groups: list[int], users: list[int]) -> None:
    """`count` facts over the two years before `end` (PostgreSQL only), without tickets:
        foreign keys are not checked while loading (session_replication_role=replica); then
    every month is rolled up."""
    if connection.vendor != "postgresql":
        raise RuntimeError("synthetic facts are loaded with PostgreSQL's generate_series")
    start = end - timedelta(days=730)
    groups_sql = "(ARRAY[" + ",".join(str(g) for g in groups) + "])"
    users_sql = "(ARRAY[" + ",".join(str(u) for u in users) + "])"
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(_SYNTHETIC.format(groups=groups_sql, users=users_sql), [start, count])
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE reports_ticketfact")
    day = start
    while day <= end:
        rollups.mark([day])
        day = rollups.month_end(day) + timedelta(days=1)
    rollups.roll_all()


_SYNTHETIC = """
INSERT INTO reports_ticketfact (
    ticket_id, created_at, created_day, kind, channel, priority, category_id, service_id,
    organisation_id, agreement_id, owner_group_id, owner_id, group_id, assignee_id,
    requester_id, restricted, status_category, first_response_at, first_response_minutes,
    first_response_business, first_resolved_at, resolved_at, resolved_day, resolve_minutes,
    resolve_business, reopen_count, hops, escalated, pending_minutes, first_contact,
    sla_response_met, sla_resolution_met, ola_met, satisfaction, refreshed_at)
SELECT
    n, c, c::date, (ARRAY['incident','incident','incident','request','problem'])[1 + n %% 5],
    (ARRAY['phone','email','web','chat'])[1 + n %% 4], 1 + n %% 5, 1 + n %% 40, 1 + n %% 12,
    1 + n %% 40, 1 + n %% 40, {groups}[1], NULL, {groups}[1 + n %% array_length({groups}, 1)],
    {users}[1 + n %% array_length({users}, 1)], 1000 + n %% 50000, n %% 97 = 0,
    CASE WHEN r IS NULL THEN 'open' ELSE 'closed' END,
    c + interval '1 minute' * (n %% 600), (n %% 600), (n %% 600) * 0.4,
    r, r, r::date, extract(epoch FROM r - c) / 60, extract(epoch FROM r - c) / 150,
    (n %% 23 = 0)::int, n %% 4, n %% 3 = 0, (n %% 7) * 30.0, n %% 5 = 0,
    n %% 11 <> 0, CASE WHEN r IS NULL THEN NULL ELSE n %% 13 <> 0 END,
    CASE WHEN r IS NULL THEN NULL ELSE n %% 17 <> 0 END,
    CASE WHEN n %% 6 = 0 THEN 1 + n %% 5 END, now()
FROM (
    SELECT n, c,
        CASE WHEN c > now() - interval '20 days' AND n %% 3 = 0 THEN NULL
             ELSE c + interval '1 minute' * (30 + (n * 7919) %% 20000) END AS r
    FROM (
        SELECT n, %s::timestamptz + interval '1 second' * ((n * 63.072)::bigint) AS c
        FROM generate_series(1::bigint, %s::bigint) AS n
    ) spread
) made
"""
