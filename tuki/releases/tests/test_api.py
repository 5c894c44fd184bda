"""The releases API: per role, 422 per field, stage moves through the same rules."""

from __future__ import annotations

import pytest

from tuki.accounts.tokens import issue_token
from tuki.lib.testing import query_budget
from tuki.releases.models import Release
from tuki.releases.tests.conftest import make_change, make_release

URL = "/api/v1/releases/"


@pytest.mark.parametrize(
    ("role", "listed", "detail"),
    [
        ("operator", 1, 200),
        ("specialist", 1, 200),
        ("other_agent", 0, 404),
        ("admin", 1, 200),
        ("requester", None, 404),
        ("outsider", None, 404),
    ],
)
def test_releases_per_role(desk, api, role, listed, detail):
    release = make_release(desk)
    tok = issue_token(getattr(desk, role))
    response = api("get", URL, tok=tok)
    if listed is None:
        assert response.status_code == 404
    else:
        assert len(response.json()["items"]) == listed
    assert api("get", f"{URL}REL-{release.pk}", tok=tok).status_code == detail


def test_anonymous_gets_a_401(desk, client):
    assert client.get(URL).status_code == 401


def test_create_update_stage_and_changes(desk, api):
    response = api("post", URL, {"title": "Spring", "version": "1.0"})
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    change = make_change(desk)
    body = api("post", f"{URL}{number}/changes", {"change": f"CHG-{change.pk}"}).json()
    assert body["changes"] == [f"CHG-{change.pk}"]
    assert api("post", f"{URL}{number}/stage", {"stage": "test"}).json()["stage"] == "test"
    refused = api("post", f"{URL}{number}/stage", {"stage": "approve"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "stage"]
    patched = api("patch", f"{URL}{number}", {"version": "1.1"}).json()
    assert patched["version"] == "1.1"
    body = api("post", f"{URL}{number}/changes/remove", {"change": f"CHG-{change.pk}"}).json()
    assert body["changes"] == []
    assert api("get", f"{URL}{number}/deployments").json() == []


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(desk, api):
    response = api(
        "post",
        URL,
        {
            "title": "Bad",
            "planned_start": "2030-01-02T10:00:00Z",
            "planned_end": "2030-01-01T10:00:00Z",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "planned_end"]
    assert not Release.objects.exists()
    release = make_release(desk)
    response = api("post", f"{URL}REL-{release.pk}/changes", {"change": "CHG-999999"})
    assert response.json()["detail"][0]["loc"] == ["body", "change"]


def test_the_list_has_a_fixed_budget(desk, api):
    api("get", URL)
    make_release(desk, "One")
    with query_budget(8) as few:
        api("get", URL)
    for n in range(5):
        make_release(desk, f"More {n}")
    with query_budget(8) as many:
        assert len(api("get", URL).json()["items"]) == 6
    assert len(few) == len(many)
