"""Translated status and category names (docs/workflows.md, Translated names)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from tuki.conftest import Desk
from tuki.tickets.models import Category, Status, Ticket

pytestmark = pytest.mark.django_db


def test_seeded_statuses_carry_their_translations() -> None:
    from tuki.conftest import ensure_workflow

    ensure_workflow()  # a transactional test before this one on the worker flushed them
    status = Status.objects.get(key="in_progress")
    assert status.names == {"ro": "În lucru", "fi": "Työn alla"}
    with translation.override("fi"):
        assert status.label == "Työn alla"
        assert status.display_name() == "Työn alla"
    assert status.display_name("ro") == "În lucru"
    assert status.display_name("en") == "In progress"


def test_an_admin_made_status_falls_back_to_its_name() -> None:
    status = Status.objects.create(key="on_hold", name="On hold", category="pending", order=45)
    with translation.override("fi"):
        assert status.display_name() == "On hold"


def test_category_paths_follow_the_translated_names(desk: Desk) -> None:
    network = desk.vpn.parent
    network.names = {"fi": "Verkko", "ro": "Rețea"}
    network.save()
    desk.vpn.refresh_from_db()
    assert desk.vpn.display_path("fi") == "Verkko › VPN"
    assert desk.vpn.display_path("ro") == "Rețea › VPN"
    assert desk.vpn.display_path("en") == "Network › VPN"
    with translation.override("fi"):
        assert str(desk.vpn) == "Verkko › VPN"


def test_the_filter_needs_no_queries(incident: Ticket, django_assert_num_queries: object) -> None:
    ticket = Ticket.objects.select_related("status", "category").get(pk=incident.pk)
    template = Template(
        "{% load ticket_tags %}{{ t.status|display_name }}|{{ t.category|display_name }}"
    )
    Category.objects.filter(pk=ticket.category_id).update(paths={"fi": "Verkko › VPN"})
    ticket = Ticket.objects.select_related("status", "category").get(pk=incident.pk)
    with translation.override("fi"), django_assert_num_queries(0):  # type: ignore[operator]
        out = template.render(Context({"t": ticket}))
    assert out == "Uusi|Verkko › VPN"
