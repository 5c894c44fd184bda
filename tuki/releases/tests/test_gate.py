"""The deployment gate: allowed, refused for each reason, signed, and silent about what the
caller may not see."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.utils import timezone

from tuki.accounts.tokens import issue_token
from tuki.changes.models import ChangeTemplate, ChangeType, TemplateState
from tuki.cmdb.models import AffectedItem
from tuki.cmdb.tests.conftest import ensure_classes, make_item
from tuki.lib.testing import query_budget
from tuki.releases import services, signing
from tuki.releases.models import Deployment, Stage
from tuki.releases.tests.conftest import approve, make_change, make_release
from tuki.tickets import services as tickets

GATE = "/api/v1/releases/gate"
GATE_QUERIES = 6  # the token, the ticket, the approval, the periods, the insert


def ask(api, subject: str, kind: str = "change", **extra):
    body = {kind: subject, "environment": "production", "pipeline": "deploy.yml", "ref": "abc1"}
    body.update(extra)
    response = api("post", GATE, body)
    assert response.status_code == 200, response.content
    return response.json()


def verify(answer: dict, pem: str) -> None:
    key = load_pem_public_key(pem.encode())
    key.verify(base64.b64decode(answer["signature"]), signing.canonical(answer))  # type: ignore[union-attr]


def test_an_approved_scheduled_change_in_its_window_is_allowed_and_signed(desk, api):
    change = make_change(desk)
    assert change.ticket.status.key == "scheduled"
    answer = ask(api, f"CHG-{change.pk}")
    assert answer["allowed"] is True, answer["reason"]
    assert answer["change"] == f"CHG-{change.pk}"
    assert answer["window"]["start"] == change.planned_start.isoformat()
    pem = api("get", GATE + "/key").content.decode()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    verify(answer, pem)
    row = Deployment.objects.get()
    assert (row.change_id, row.allowed, row.pipeline, row.ref) == (
        change.pk,
        True,
        "deploy.yml",
        "abc1",
    )


def test_a_tampered_answer_does_not_verify(desk, api):
    import pytest
    from cryptography.exceptions import InvalidSignature

    change = make_change(desk)
    answer = ask(api, f"CHG-{change.pk}")
    answer["allowed"] = False
    with pytest.raises(InvalidSignature):
        verify(answer, signing.public_key_pem())


def test_the_signature_covers_the_canonical_json_a_pipeline_rebuilds(desk, api):
    change = make_change(desk, hours=(1, 2))
    answer = ask(api, f"CHG-{change.pk}")
    body = {k: v for k, v in answer.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text.encode() == signing.canonical(answer)


def test_a_change_waiting_for_cab_is_refused(desk, api):
    change = make_change(desk, approved=False)
    ticket = change.ticket
    from tuki.approvals.services import request_approval

    request_approval(desk.operator, ticket, steps=[{"rule": "any", "users": [desk.lead.pk]}])
    answer = ask(api, f"CHG-{change.pk}")
    assert answer["allowed"] is False
    assert f"CHG-{change.pk} is waiting for CAB approval" in answer["reason"]
    assert Deployment.objects.get().allowed is False


def test_a_change_outside_its_window_is_refused(desk, api):
    change = make_change(desk, hours=(2, 4))
    answer = ask(api, f"CHG-{change.pk}")
    assert answer["allowed"] is False
    assert "outside its window" in answer["reason"]


def test_a_change_not_scheduled_is_refused(desk, api):
    change = make_change(desk)
    tickets.change_status(desk.operator, change.ticket, "cancelled")
    answer = ask(api, f"CHG-{change.pk}")
    assert "is not scheduled" in answer["reason"]


def test_a_freeze_on_an_item_of_the_change_refuses_it(desk, api):
    ensure_classes()
    vpn = make_item(desk, "vpn-gw-1")
    other = make_item(desk, "mail-1")
    change = make_change(desk)
    AffectedItem.objects.create(ticket=change.ticket, ci=vpn)
    now = timezone.now()
    elsewhere = services.create_freeze(
        desk.admin,
        name="Mail move",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        items=[other],
    )
    assert ask(api, f"CHG-{change.pk}")["allowed"] is True
    services.delete_freeze(desk.admin, elsewhere)
    services.create_freeze(
        desk.admin,
        name="Year end",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        items=[vpn],
    )
    answer = ask(api, f"CHG-{change.pk}")
    assert answer["allowed"] is False
    assert "release freeze 'Year end' until" in answer["reason"]


def test_a_standard_change_from_an_approved_template_needs_no_approval(desk, api):
    template = ChangeTemplate.objects.create(name="Restart", state=TemplateState.APPROVED)
    change = make_change(desk, approved=False, change_type=ChangeType.STANDARD, template=template)
    # Straight to Scheduled: a standard change waits for no board.
    tickets.change_status(desk.operator, change.ticket, "scheduled")
    assert ask(api, f"CHG-{change.pk}")["allowed"] is True


def test_an_invisible_change_is_refused_without_its_title(desk, api):
    hidden = make_change(desk, "Secret firewall work", restricted=True)
    outsider_token = issue_token(desk.other_agent, "pipeline")
    response = api("post", GATE, {"change": f"CHG-{hidden.pk}"}, tok=outsider_token)
    answer = response.json()
    assert answer["allowed"] is False
    assert "Secret" not in response.content.decode()
    assert "not a change or release you can see" in answer["reason"]


def test_a_requester_token_is_refused(desk, api):
    change = make_change(desk)
    response = api("post", GATE, {"change": f"CHG-{change.pk}"}, tok=issue_token(desk.requester))
    assert response.json()["allowed"] is False
    assert "Upgrade" not in response.content.decode()


def test_anonymous_callers_get_a_401(desk, client):
    assert (
        client.post(GATE, {"change": "CHG-1"}, content_type="application/json").status_code == 401
    )
    assert client.get(GATE + "/key").status_code == 401


def test_naming_neither_or_both_is_a_422_on_the_field(desk, api):
    response = api("post", GATE, {"environment": "production"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "change"]
    assert not Deployment.objects.exists()


def test_a_release_is_allowed_when_it_and_its_changes_are_ready(desk, api):
    release = make_release(desk)
    change = make_change(desk)
    services.add_change(desk.operator, release, f"CHG-{change.pk}")
    services.move_stage(desk.operator, release, Stage.TEST)
    answer = ask(api, f"REL-{release.pk}", kind="release")
    assert answer["allowed"] is False
    assert "has no release approval" in answer["reason"]
    approve(desk, release.ticket)
    services.move_stage(desk.operator, release, Stage.DEPLOY)
    answer = ask(api, f"REL-{release.pk}", kind="release")
    assert answer["allowed"] is True, answer["reason"]
    assert answer["release"] == f"REL-{release.pk}"
    verify(answer, signing.public_key_pem())
    assert Deployment.objects.filter(release=release, allowed=True).count() == 1


def test_the_gate_costs_a_fixed_number_of_queries(desk, api):
    change = make_change(desk)
    ask(api, f"CHG-{change.pk}")  # the key is read once per process
    with query_budget(GATE_QUERIES, exact=True):
        ask(api, f"CHG-{change.pk}")


def test_the_documented_jq_and_openssl_steps_verify_a_real_answer(desk, api, tmp_path):
    """docs/releases.md's pipeline steps, on an answer as the API sends it."""
    import shutil
    import subprocess

    import pytest

    if not (shutil.which("jq") and shutil.which("openssl")):
        pytest.skip("needs jq and openssl (apt-get install jq openssl)")
    change = make_change(desk, hours=(2, 3))
    response = api("post", GATE, {"change": f"CHG-{change.pk}", "ref": "a1b2"})
    (tmp_path / "answer.json").write_bytes(response.content)
    (tmp_path / "gate.pem").write_bytes(api("get", GATE + "/key").content)
    script = (
        "jq -r .signature answer.json | base64 -d > answer.sig && "
        "jq -jcS 'del(.signature)' answer.json > answer.body && "
        "openssl pkeyutl -verify -pubin -inkey gate.pem -rawin -in answer.body -sigfile answer.sig"
    )
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Signature Verified Successfully" in done.stdout
    answer = json.loads(response.content)
    answer["reason"] = "Allowed"
    (tmp_path / "answer.json").write_text(json.dumps(answer))
    forged = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert forged.returncode != 0
