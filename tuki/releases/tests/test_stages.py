"""Stage rules, and the workflow guard that keeps them whichever door moves the status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.lib.errors import ServiceError
from tuki.releases import services
from tuki.releases.models import Release, Stage
from tuki.releases.tests.conftest import approve, fresh, make_change, make_release
from tuki.tickets import services as tickets


def ready_to_approve(desk):
    release = make_release(desk)
    services.move_stage(desk.operator, release, Stage.TEST)
    return release


def test_a_release_ticket_gets_its_detail_row_when_registered(desk):
    ticket = tickets.create_ticket(
        desk.operator, title="By the ticket form", requester=desk.operator, kind="release"
    )
    assert Release.objects.get(pk=ticket.pk).stage == Stage.BUILD


def test_a_ticket_switched_to_release_gets_its_detail_row(desk, incident):
    tickets.update_ticket(desk.operator, incident, kind="release")
    assert Release.objects.filter(pk=incident.pk).exists()


def test_approve_needs_the_release_approval_requested(desk):
    release = ready_to_approve(desk)
    with pytest.raises(ServiceError) as error:
        services.move_stage(desk.operator, release, Stage.APPROVE)
    assert error.value.code == "approval_required"
    assert fresh(release).stage == Stage.TEST


def test_asking_for_the_approval_puts_the_release_in_its_approve_stage(desk):
    release = ready_to_approve(desk)
    approve(desk, release.ticket)
    release = fresh(release)
    assert release.stage == Stage.APPROVE


def test_deploy_is_refused_while_a_grouped_change_waits_for_cab(desk):
    release = ready_to_approve(desk)
    change = make_change(desk, approved=False)
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    approve(desk, release.ticket)
    with pytest.raises(ServiceError) as error:
        services.move_stage(desk.operator, release, Stage.DEPLOY)
    assert f"CHG-{change.pk} has not been approved" in error.value.message
    assert fresh(release).stage == Stage.APPROVE


def test_deploy_is_refused_inside_a_freeze(desk):
    release = ready_to_approve(desk)
    approve(desk, release.ticket)
    now = timezone.now()
    services.create_freeze(
        desk.admin, name="Year end", starts_at=now, ends_at=now + timedelta(days=2)
    )
    with pytest.raises(ServiceError) as error:
        services.move_stage(desk.operator, release, Stage.DEPLOY)
    assert "Year end" in error.value.message


def test_a_full_run_from_build_to_done(desk):
    release = ready_to_approve(desk)
    change = make_change(desk)
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    approve(desk, release.ticket)
    services.move_stage(desk.operator, release, Stage.DEPLOY)
    assert fresh(release).ticket.status.key == "scheduled"
    with pytest.raises(ServiceError) as error:
        services.move_stage(desk.operator, release, Stage.REVIEW)
    assert error.value.code == "not_deployed"
    services.mark_deployed(desk.operator, release)
    assert fresh(release).ticket.status.key == "in_progress"
    services.move_stage(desk.operator, release, Stage.REVIEW)
    assert fresh(release).ticket.status.key == "resolved"
    services.move_stage(desk.operator, release, Stage.DONE)
    done = fresh(release)
    assert (done.stage, done.ticket.status.key) == (Stage.DONE, "closed")


def test_a_stage_cannot_be_skipped(desk):
    release = make_release(desk)
    with pytest.raises(ServiceError) as error:
        services.move_stage(desk.operator, release, Stage.DEPLOY)
    assert error.value.code == "stage_not_allowed"


def test_the_status_cannot_skip_the_rules_through_the_ticket_services(desk):
    release = ready_to_approve(desk)
    change = make_change(desk, approved=False)
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    approve(desk, release.ticket)  # the ticket is back in Assigned, approved
    ticket = fresh(release).ticket
    tickets.change_status(desk.operator, ticket, "awaiting_approval")
    with pytest.raises(ServiceError) as error:
        tickets.change_status(desk.operator, fresh(release).ticket, "scheduled")
    assert error.value.field == "status"
    assert fresh(release).ticket.status.key == "awaiting_approval"


def test_a_release_cannot_be_resolved_before_its_deployment(desk):
    release = make_release(desk)
    with pytest.raises(ServiceError):
        tickets.resolve_ticket(desk.operator, fresh(release).ticket, code="solved")


def test_changes_are_added_and_removed_and_an_invisible_one_is_refused(desk):
    release = make_release(desk)
    change = make_change(desk)
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    assert list(fresh(release).changes.all()) == [change]
    with pytest.raises(ServiceError) as error:
        services.add_change(desk.operator, release, f"CHG-{change.pk}")
    assert error.value.code == "duplicate"
    services.remove_change(desk.operator, release, f"CHG-{change.pk}")
    assert not fresh(release).changes.exists()
    hidden = make_change(desk, "Secret firewall work", approved=False, restricted=True)
    mine = services.create_release(desk.other_agent, title="Apps release", group=desk.apps)
    with pytest.raises(ServiceError) as error:
        services.add_change(desk.other_agent, mine, f"CHG-{hidden.pk}")
    assert error.value.field == "change"
    assert "Secret" not in error.value.message


def test_a_window_must_end_after_it_starts(desk):
    now = timezone.now()
    with pytest.raises(ServiceError) as error:
        services.create_release(
            desk.operator, title="Bad", planned_start=now, planned_end=now - timedelta(hours=1)
        )
    assert error.value.field == "planned_end"
    assert not Release.objects.exists()


def test_only_staff_plan_freezes(desk):
    from django.core.exceptions import PermissionDenied

    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.create_freeze(
            desk.operator, name="X", starts_at=now, ends_at=now + timedelta(hours=1)
        )


def test_the_data_migration_gives_older_release_tickets_their_row(desk):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tuki.releases.migrations.0002_existing_release_tickets")
    release = make_release(desk)
    services.move_stage(desk.operator, release, Stage.TEST)
    approve(desk, fresh(release).ticket)
    tickets.change_status(desk.operator, fresh(release).ticket, "awaiting_approval")
    Release.objects.filter(pk=release.pk).delete()
    migration.forwards(apps, None)
    assert Release.objects.get(pk=release.pk).stage == Stage.APPROVE
