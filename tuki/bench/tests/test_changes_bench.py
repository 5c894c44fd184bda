"""The change-conflicts benchmark's data: changes with windows and items on the benchmark's
configuration database, and a check that costs the same few queries whatever it finds.

Speed is never asserted here; `tuki bench change_conflicts` measures it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuki.bench import changes, cmdb
from tuki.changes import conflicts
from tuki.changes.models import Change
from tuki.cmdb.models import AffectedItem
from tuki.conftest import ensure_cmdb, ensure_workflow

pytestmark = pytest.mark.bench


@pytest.mark.django_db
def test_the_seeded_changes_have_windows_and_items_and_a_check_costs_a_few_queries():
    ensure_cmdb()
    ensure_workflow()
    cmdb.build(1000, seed=1)
    ids = changes.seed(400, seed=3)
    assert Change.objects.filter(pk__in=ids, planned_start__isnull=False).count() == 400
    assert AffectedItem.objects.filter(ticket_id__in=ids).count() >= 400
    counts, found = set(), 0
    for change in Change.objects.filter(pk__in=ids[:30]):
        with CaptureQueriesContext(connection) as ctx:
            found += len(conflicts.check(change))
        counts.add(len(ctx.captured_queries))
        assert len(conflicts.free_slots(change, after=change.planned_start)) == 3
    assert max(counts) <= 10
    assert found > 0  # 400 changes over a year on 1,000 items, 40 blackouts: some meet
    assert changes.seed(50, seed=4) and Change.objects.count() == 50
