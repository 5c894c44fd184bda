"""Configuration bundles: export, preview, all-or-nothing import, and a round trip into an
empty install (a child process with its own database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import ApprovalTemplate
from tuki.automation.models import Rule
from tuki.bundles import services
from tuki.bundles.tests import roundtrip
from tuki.calendars.models import Calendar
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.sla.models import SlaPolicy, SlaTarget
from tuki.tickets.models import Category, CustomField


def configure(desk: Desk) -> None:
    """Configuration that points across models, by foreign key, many-to-many and ids in JSON."""
    field = CustomField.objects.create(
        key="laptop_model",
        label="Laptop model",
        labels={"fi": "Kannettavan malli", "ro": "Model laptop"},
        type="choice",
        choices=[{"value": "x1", "label": "X1"}, {"value": "t14", "label": "T14"}],
        kinds=["request"],
        required_statuses=["resolved"],
    )
    field.categories.set([desk.vpn])
    calendar = Calendar.objects.create(
        name="Helsinki office",
        time_zone="Europe/Helsinki",
        week={"mon": [["08:00", "17:00"]]},
        holiday_country="FI",
    )
    policy = SlaPolicy.objects.create(name="Acme standard", calendar=calendar, priorities=[1, 2])
    policy.organisations.set([desk.acme])
    policy.categories.set([desk.vpn])
    SlaTarget.objects.create(
        policy=policy,
        priority=1,
        first_response_minutes=30,
        next_response_minutes=60,
        resolution_minutes=240,
    )
    template = ApprovalTemplate.objects.create(
        name="Access",
        kinds=["request"],
        steps=[{"rule": "any", "users": [desk.lead.pk], "group": desk.network_hel.pk}],
    )
    Rule.objects.create(
        name="VPN to network",
        events=["created"],
        conditions={
            "match": "all",
            "items": [{"field": "category", "op": "eq", "value": desk.vpn.pk}],
        },
        actions=[
            {"type": "assign", "group": desk.network_hel.pk},
            {"type": "request_approval", "template": template.pk},
        ],
    )


def test_an_export_names_rows_by_their_keys_never_by_ids(desk: Desk) -> None:
    configure(desk)
    bundle = services.export_bundle()
    assert bundle["format"] == "tuki-configuration" and bundle["version"] == 1
    sections = bundle["sections"]
    field = next(r for r in sections["tickets.CustomField"] if r["key"] == "laptop_model")
    assert field["categories"] == [desk.vpn.path]
    assert field["labels"]["fi"] == "Kannettavan malli"
    rule = next(r for r in sections["automation.Rule"] if r["name"] == "VPN to network")
    assert rule["conditions"]["items"][0]["value"] == desk.vpn.path
    assert rule["actions"] == [
        {"type": "assign", "group": "Network Helsinki"},
        {"type": "request_approval", "template": "Access"},
    ]
    steps = next(r for r in sections["approvals.ApprovalTemplate"] if r["name"] == "Access")
    assert steps["steps"] == [
        {"rule": "any", "users": ["lead@tuki.test"], "group": "Network Helsinki"}
    ]
    target = sections["sla.SlaTarget"][0]
    assert target["policy"] == "Acme standard" and target["resolution_minutes"] == 240
    # Children after their parents; staff in, requesters and passwords out.
    paths = [r["path"] for r in sections["tickets.Category"]]
    assert paths.index(desk.vpn.parent.path) < paths.index(desk.vpn.path)
    emails = {r["email"] for r in sections["accounts.User"]}
    assert "lead@tuki.test" in emails and "maija@acme.fi" not in emails
    assert all("password" not in r for r in sections["accounts.User"])
    # Without people: a template for another client's desk.
    template = services.export_bundle(people=False)["sections"]
    assert "accounts.User" not in template
    assert all("members" not in r for r in template["accounts.SupportGroup"])


def test_importing_the_own_export_changes_nothing(desk: Desk) -> None:
    configure(desk)
    report = services.import_bundle(services.export_bundle(), apply=True)
    assert report.problems == [] and report.changes == [], report.changes
    assert report.unchanged > 10


def test_a_preview_writes_nothing_and_an_apply_writes_it_all(desk: Desk) -> None:
    configure(desk)
    bundle = json.loads(services.dumps(services.export_bundle()))
    rows = bundle["sections"]["tickets.CustomField"]
    rows[0]["label"] = "Laptop model (new)"
    rows.append(
        {**rows[0], "key": "cost_centre", "label": "Cost centre", "type": "text", "choices": []}
    )
    preview = services.import_bundle(bundle, apply=False)
    assert not preview.applied and preview.problems == []
    assert [(c.action, c.key) for c in preview.changes] == [
        ("update", "laptop_model"),
        ("create", "cost_centre"),
    ]
    assert preview.changes[0].fields == ["label"]
    assert not CustomField.objects.filter(key="cost_centre").exists()
    assert CustomField.objects.get(key="laptop_model").label == "Laptop model"
    applied = services.import_bundle(bundle, apply=True)
    assert applied.applied
    assert CustomField.objects.get(key="cost_centre").categories.get() == desk.vpn
    assert CustomField.objects.get(key="laptop_model").label == "Laptop model (new)"


def test_one_bad_row_and_nothing_is_written(desk: Desk) -> None:
    configure(desk)
    bundle = services.export_bundle()
    bundle["sections"]["tickets.CustomField"].append(
        {"key": "room", "label": "Room", "type": "text", "categories": ["Nowhere › Else"]}
    )
    bundle["sections"]["sla.SlaTarget"][0]["resolution_minutes"] = "soon"
    bundle["sections"]["tickets.Status"][0]["name"] = "Renamed"
    report = services.import_bundle(bundle, apply=True)
    assert not report.applied
    assert any("Nowhere › Else" in problem for problem in report.problems)
    assert any("soon" in problem for problem in report.problems)
    assert not CustomField.objects.filter(key="room").exists()
    assert not CustomField.objects.filter(key="room").exists()
    from tuki.tickets.models import Status

    assert not Status.objects.filter(name="Renamed").exists()


def test_a_person_missing_from_this_install_is_left_out_with_a_warning(desk: Desk) -> None:
    configure(desk)
    bundle = services.export_bundle(people=False)
    bundle["sections"]["approvals.ApprovalTemplate"][0]["steps"][0]["users"] = ["gone@x.test"]
    report = services.import_bundle(bundle, apply=True)
    assert report.applied and any("gone@x.test" in warning for warning in report.warnings)
    assert ApprovalTemplate.objects.get(name="Access").steps[0]["users"] == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "not_json"),
        ('{"format": "other"}', "format"),
        ('{"format": "tuki-configuration", "version": 9}', "version"),
    ],
)
def test_a_file_that_is_not_a_bundle_is_refused_clearly(text: str, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.read_bundle(text)
    assert refused.value.code == code and refused.value.field == "file"


@pytest.mark.slow
def test_a_bundle_imported_into_an_empty_install_reproduces_the_configuration(
    desk: Desk, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    configure(desk)
    exported = services.export_bundle()
    assert (
        roundtrip.differences(exported, roundtrip.carry(exported, tmp_path, subprocess_env)) == []
    )


def test_group_members_come_back_by_email(desk: Desk) -> None:
    bundle = services.export_bundle()
    SupportGroup.objects.get(name="Network Helsinki").members.clear()
    report = services.import_bundle(bundle, apply=True)
    assert report.applied
    members = SupportGroup.objects.get(name="Network Helsinki").members
    assert set(members.values_list("email", flat=True)) == {
        "specialist@tuki.test",
        "lead@tuki.test",
    }
    assert User.objects.filter(email="lead@tuki.test").count() == 1
    assert Category.objects.count() == 2
