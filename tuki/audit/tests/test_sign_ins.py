"""Sign-ins, sign-outs and failed sign-ins are recorded with IP and user agent, never the
attempted password."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tuki.audit.models import Action, AuditEntry, Via
from tuki.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) pytest"


def sign_in(client, email, password):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )


def test_a_failed_sign_in_is_recorded_without_the_password(desk):
    response = sign_in(Client(), desk.operator.email, "wrong-guess-4711")
    assert response.status_code == 200  # the form again, with its error
    entry = AuditEntry.objects.get(action=Action.SIGN_IN_FAILED)
    assert (entry.actor, entry.actor_label, entry.object_repr) == (
        None,
        desk.operator.email,
        desk.operator.email,
    )
    assert entry.object_id == str(desk.operator.pk)  # the account that was tried
    assert (entry.ip, entry.user_agent, entry.via) == ("203.0.113.7", BROWSER, Via.WEB)
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "wrong-guess-4711" not in stored


def test_a_failed_sign_in_for_an_unknown_address(desk):
    sign_in(Client(), "nobody@example.test", "whatever-1234")
    entry = AuditEntry.objects.get(action=Action.SIGN_IN_FAILED)
    assert (entry.object_repr, entry.content_type, entry.object_id) == (
        "nobody@example.test",
        None,
        "",
    )


def test_sign_in_and_sign_out_are_recorded(desk):
    client = Client()
    response = sign_in(client, desk.operator.email, PASSWORD)
    assert response.status_code == 302
    client.post(reverse("logout"), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    signed_in, signed_out = AuditEntry.objects.filter(
        action__in=(Action.SIGN_IN, Action.SIGN_OUT)
    ).order_by("id")
    for entry in (signed_in, signed_out):
        assert (entry.actor, entry.actor_label) == (desk.operator, desk.operator.email)
        assert (entry.ip, entry.user_agent) == ("203.0.113.7", BROWSER)
    assert (signed_in.action, signed_out.action) == (Action.SIGN_IN, Action.SIGN_OUT)
