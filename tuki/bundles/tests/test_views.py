"""The console's bundle page, per role: download, preview, apply."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tuki.accounts.models import User
from tuki.bundles import services
from tuki.conftest import Desk
from tuki.tickets.models import CustomField


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(desk: Desk) -> User:
    desk.lead.is_staff = True
    desk.lead.save()
    return desk.lead


@pytest.mark.parametrize("role", ["requester", "operator", "specialist"])
def test_only_administrators_reach_the_bundle_pages(desk: Desk, role: str) -> None:
    client = client_for(getattr(desk, role))
    assert client.get("/console/bundle/").status_code == 404
    assert client.get("/console/bundle/export/").status_code == 404
    assert client.post("/console/bundle/", {}).status_code == 404


def test_anonymous_visitors_sign_in_first(client: Client, desk: Desk) -> None:
    assert client.get("/console/bundle/export/").status_code == 302


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_an_administrator_downloads_the_bundle(desk: Desk, staff: User, who: str) -> None:
    user = staff if who == "staff" else desk.admin
    response = client_for(user).get("/console/bundle/export/?people=0")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    assert bundle["format"] == "tuki-configuration" and "accounts.User" not in bundle["sections"]


def test_an_upload_is_previewed_then_applied(desk: Desk, staff: User) -> None:
    bundle = services.export_bundle()
    bundle["sections"]["tickets.CustomField"].append(
        {"key": "room", "label": "Room", "type": "text"}
    )
    client = client_for(staff)
    upload = SimpleUploadedFile("b.json", services.dumps(bundle).encode(), "application/json")
    preview = client.post("/console/bundle/", {"file": upload})
    assert preview.status_code == 200
    assert b"room" in preview.content and not CustomField.objects.filter(key="room").exists()
    apply = preview.context["apply"]
    done = client.post(
        "/console/bundle/", {"text": apply.initial["text"], "digest": apply.initial["digest"]}
    )
    assert done.status_code == 302 and CustomField.objects.filter(key="room").exists()


def test_a_tampered_apply_is_refused(desk: Desk, staff: User) -> None:
    text = services.dumps(services.export_bundle())
    response = client_for(staff).post("/console/bundle/", {"text": text, "digest": "0" * 64})
    assert response.status_code == 302


@pytest.mark.parametrize("content", [b"\xff\xfe", b"{}", b"[1, 2]"])
def test_a_bad_file_gets_a_field_error_not_a_500(desk: Desk, staff: User, content: bytes) -> None:
    upload = SimpleUploadedFile("b.json", content, "application/json")
    response = client_for(staff).post("/console/bundle/", {"file": upload})
    assert response.status_code == 400
    assert response.context["upload"].errors["file"]


def test_a_bundle_with_problems_shows_them_and_no_import_button(desk: Desk, staff: User) -> None:
    bundle = services.export_bundle()
    bundle["sections"]["tickets.CustomField"].append(
        {"key": "room", "label": "Room", "type": "text", "categories": ["Nowhere"]}
    )
    upload = SimpleUploadedFile("b.json", services.dumps(bundle).encode(), "application/json")
    response = client_for(staff).post("/console/bundle/", {"file": upload})
    assert b"Nowhere" in response.content and b'id="apply"' not in response.content


def test_the_page_has_a_fixed_query_budget(
    desk: Desk, staff: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(staff)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get("/console/bundle/").status_code == 200
