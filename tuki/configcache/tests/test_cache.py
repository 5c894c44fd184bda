"""The configuration cache: any change of a watched table is seen at the next use."""

from __future__ import annotations

import pytest

from tuki.accounts.models import SupportGroup
from tuki.configcache import cache
from tuki.lib.testing import query_budget
from tuki.sla.models import SlaPolicy, SlaTarget
from tuki.tickets.models import Status


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class TestVersion:
    @pytest.mark.parametrize(
        "change",
        [
            lambda: Status.objects.create(key="z", name="Z", category="open", order=98),
            lambda: Status.objects.filter(key="x").update(name="Y"),  # no signal sent
            lambda: Status.objects.bulk_create([Status(key="y", name="Y", category="open")]),
            lambda: Status.objects.filter(key="x").delete(),
            lambda: SupportGroup.objects.first().members.clear(),  # a many-to-many table
            lambda: SlaTarget.objects.filter(policy__name="P").update(resolution_minutes=1),
        ],
    )
    def test_every_kind_of_write_changes_it(self, desk, change):
        Status.objects.create(key="x", name="X", category="open", order=99)
        policy = SlaPolicy.objects.create(name="P")
        SlaTarget.objects.create(policy=policy, priority=3, resolution_minutes=60)
        before = cache.version()
        change()
        assert cache.version() != before

    def test_reading_tickets_does_not_change_it(self, desk, incident):
        before = cache.version()
        assert list(Status.objects.all()) and cache.version() == before


class TestCached:
    def test_loaded_once_while_nothing_changes(self, desk):
        assert cache.cached("k", lambda: "first") == "first"
        assert cache.cached("k", lambda: "second") == "first"

    def test_loaded_again_after_a_change_in_the_same_transaction(self, desk):
        assert cache.cached("k", lambda: "first") == "first"
        Status.objects.filter(key="new").update(name="Fresh")
        assert cache.cached("k", lambda: "second") == "second"
        Status.objects.filter(key="new").update(name="Fresher")  # same transaction again
        assert cache.cached("k", lambda: "third") == "third"

    def test_a_pinned_block_reads_the_version_once(self, desk):
        with query_budget(1, exact=True), cache.pinned():
            cache.cached("a", lambda: 1)
            cache.cached("b", lambda: 2)
            cache.cached("a", lambda: 3)

    def test_fresh_copies_do_not_share_related_objects(self, desk):
        group = cache.cached("desk", lambda: SupportGroup.objects.get(name="Service Desk"))
        copy = cache.fresh(group)
        copy.name = "Changed"
        assert group.name == "Service Desk"
        assert copy.pk == group.pk


@pytest.mark.django_db
def test_every_watched_table_has_its_trigger():
    """cache.TABLES and the triggers the migrations made agree: a table read through the
    cache without a trigger would serve stale configuration until the next restart."""
    from django.apps import apps
    from django.db import connection

    tables = set()
    for label in cache.TABLES:
        parts = label.split(".")
        model = apps.get_model(parts[0], parts[1])
        if len(parts) == 3:
            model = model._meta.get_field(parts[2]).remote_field.through
        tables.add(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'configcache_changed'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'configcache_%'"
            )
        triggered = {row[0] for row in cursor.fetchall()}
    assert tables - triggered == set()
