"""The release pages: who may enter, what they show, their query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.changes.calendar import sources
from tuki.changes.models import BlackoutPeriod
from tuki.lib.testing import assert_same_count, query_budget
from tuki.releases.models import Release, Stage
from tuki.releases.tests.conftest import approve, fresh, make_change, make_release

BOARD = "/releases/"
BOARD_QUERIES = 6
SECTION_QUERIES = 10


def section_url(release: Release) -> str:
    return f"/releases/{release.pk}/section/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("operator", 200),
        ("specialist", 200),
        ("other_agent", 200),
        ("admin", 200),
        ("requester", 404),
        ("outsider", 404),
    ],
)
def test_the_board_is_for_agents(desk, role, expected):
    make_release(desk, "Spring release")
    response = desk.client_for(getattr(desk, role)).get(BOARD)
    assert response.status_code == expected


def test_anonymous_visitors_sign_in_first(desk, client):
    assert client.get(BOARD).status_code == 302
    assert client.get("/releases/freezes/").status_code == 302


def test_the_board_shows_cards_in_their_stage_and_hides_restricted_releases(desk):
    make_release(desk, "Spring release")
    hidden = make_release(desk, "Secret release")
    from tuki.tickets import services as tickets

    tickets.update_ticket(desk.operator, fresh(hidden).ticket, restricted=True)
    page = desk.client_for(desk.specialist).get(BOARD).content.decode()
    assert "Spring release" in page and "Secret release" in page
    page = desk.client_for(desk.other_agent).get(BOARD).content.decode()
    assert "Spring release" not in page  # Network's tickets: not for Applications
    assert "Secret release" not in page


def test_the_board_runs_the_same_queries_with_3_and_30_releases(desk):
    client = desk.client_for(desk.operator)
    client.get(BOARD)
    for n in range(3):
        make_release(desk, f"Release {n}")
    with query_budget(BOARD_QUERIES) as few:
        client.get(BOARD)
    for n in range(27):
        make_release(desk, f"More {n}")
    with query_budget(BOARD_QUERIES) as many:
        response = client.get(BOARD)
    assert response.content.decode().count("release-card") == 30
    assert_same_count(few, many)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("operator", 200),
        ("specialist", 200),
        ("other_agent", 404),
        ("admin", 200),
        ("requester", 404),
        ("outsider", 404),
    ],
)
def test_the_ticket_section_per_role(desk, role, expected):
    release = make_release(desk)
    response = desk.client_for(getattr(desk, role)).get(section_url(release))
    assert response.status_code == expected


def test_the_section_lists_changes_and_warns_of_freezes(desk):
    from tuki.releases import services

    release = make_release(desk)
    change = make_change(desk, "Move the VPN")
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    now = timezone.now()
    services.create_freeze(
        desk.admin, name="Year end", starts_at=now, ends_at=now + timedelta(hours=9)
    )
    client = desk.client_for(desk.operator)
    client.get(BOARD)
    with query_budget(SECTION_QUERIES):
        page = client.get(section_url(release)).content.decode()
    assert f"CHG-{change.pk}" in page and "Move the VPN" in page
    assert "Year end" in page
    ticket_page = client.get(fresh(release).ticket.get_absolute_url()).content.decode()
    assert section_url(release) in ticket_page


def test_the_stage_buttons_move_and_refuse_with_a_message(desk):
    release = make_release(desk)
    client = desk.client_for(desk.operator)
    client.post(f"/releases/{release.pk}/stage/", {"stage": "test"})
    assert fresh(release).stage == Stage.TEST
    response = client.post(f"/releases/{release.pk}/stage/", {"stage": "approve"}, follow=True)
    assert "Ask for the release" in response.content.decode()
    assert fresh(release).stage == Stage.TEST
    approve(desk, fresh(release).ticket)
    assert fresh(release).stage == Stage.APPROVE


def test_another_groups_agent_cannot_move_a_release_they_cannot_see(desk):
    release = make_release(desk)
    response = desk.client_for(desk.other_agent).post(
        f"/releases/{release.pk}/stage/", {"stage": "test"}
    )
    assert response.status_code == 404
    assert fresh(release).stage == Stage.BUILD


def test_changes_are_added_and_removed_from_the_section(desk):
    release = make_release(desk)
    change = make_change(desk)
    client = desk.client_for(desk.operator)
    client.post(f"/releases/{release.pk}/changes/add/", {"change": f"CHG-{change.pk}"})
    assert fresh(release).changes.count() == 1
    client.post(f"/releases/{release.pk}/changes/remove/", {"change": str(change.pk)})
    assert fresh(release).changes.count() == 0


def test_a_new_release_from_the_form(desk):
    client = desk.client_for(desk.operator)
    assert client.get("/releases/new/").status_code == 200
    response = client.post(
        "/releases/new/",
        {
            "title": "Autumn",
            "version": "3.0",
            "environment": "production",
            "planned_start": "2030-01-02T10:00",
            "planned_end": "2030-01-02T09:00",
        },
    )
    assert response.status_code == 422
    assert "must end after it starts" in response.content.decode()
    assert not Release.objects.exists()
    response = client.post(
        "/releases/new/",
        {
            "title": "Autumn",
            "version": "3.0",
            "environment": "production",
            "planned_start": "2030-01-02T10:00",
            "planned_end": "2030-01-02T12:00",
        },
    )
    assert response.status_code == 302
    assert Release.objects.get().version == "3.0"


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [("operator", 200, 403), ("admin", 200, 302), ("requester", 404, 404)],
)
def test_freezes_are_read_by_agents_and_written_by_staff(desk, role, get, post):
    client = desk.client_for(getattr(desk, role))
    assert client.get("/releases/freezes/").status_code == get
    response = client.post(
        "/releases/freezes/",
        {"name": "Year end", "starts_at": "2030-12-20T00:00", "ends_at": "2031-01-03T00:00"},
    )
    assert response.status_code == post
    assert BlackoutPeriod.objects.filter(kind="freeze").exists() is (post == 302)


def test_the_freeze_page_has_a_fixed_budget(desk):
    client = desk.client_for(desk.admin)
    client.get("/releases/freezes/")
    with query_budget(8):
        assert client.get("/releases/freezes/").status_code == 200


def test_the_calendar_shows_the_release_windows_a_user_may_see(desk):
    release = make_release(desk, "Spring release")
    now = timezone.now()
    entries = [
        e
        for source in sources()
        for e in source(desk.operator, now - timedelta(days=1), now + timedelta(days=1), {})
    ]
    assert [e.kind for e in entries if e.kind == "release"] == ["release"]
    assert f"REL-{release.pk}" in entries[0].title
    hidden = [
        e
        for source in sources()
        for e in source(desk.other_agent, now - timedelta(days=1), now + timedelta(days=1), {})
    ]
    assert not [e for e in hidden if e.kind == "release"]
