"""`tuki api_token EMAIL`: a token printed once, stored as a digest."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tuki.__main__ import main
from tuki.accounts.models import ApiToken


def test_prints_a_working_token_and_stores_only_its_digest(desk):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "Operator@Tuki.test", "--name", "monitoring", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("tuki_")
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.digest) == (
        desk.operator,
        "monitoring",
        ApiToken.hash(raw),
    )
    assert raw not in {token.digest, token.hint}
    assert "cannot be shown again" in err.getvalue()
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/users/me")
    assert response.json()["email"] == "operator@tuki.test"


def test_each_run_makes_a_new_token(desk):
    call_command("api_token", "maija@acme.fi", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("api_token", "maija@acme.fi", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiToken.objects.filter(user=desk.requester).count() == 2


def test_an_unknown_email_is_a_clear_error(desk):
    with pytest.raises(CommandError, match="nobody@example.com"):
        call_command("api_token", "nobody@example.com")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(desk):
    desk.requester.is_active = False
    desk.requester.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("api_token", "maija@acme.fi")


def test_the_command_line_exits_non_zero(desk, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["tuki", "api_token", "nobody@example.com"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code != 0
    assert "nobody@example.com" in capsys.readouterr().err
