"""Helpers shared by the API tests: clients that sign in the way real callers do."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tuki.accounts.models import User
from tuki.accounts.tokens import issue_token

API = "/api/v1"

# Everyone the access rules tell apart, plus the two ways of not being signed in.
ROLES = [
    "anonymous",
    "bad_token",
    "requester",
    "colleague",
    "outsider",
    "operator",
    "specialist",
    "other_agent",
    "admin",
]


def token_client(user: User) -> Client:
    """A client sending a fresh personal token, as a script would."""
    return Client(headers={"authorization": f"Bearer {issue_token(user)}"})


def client_as(desk: Any, role: str) -> Client:
    if role == "anonymous":
        return Client()
    if role == "bad_token":
        return Client(headers={"authorization": "Bearer tuki_not-a-real-token"})
    return token_client(getattr(desk, role))


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(API + path, data=data or {}, content_type="application/json")


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(API + path, data=data, content_type="application/json")


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(API + path, params)


def error_fields(response: Any) -> list[str]:
    """The fields a 422 names: the last part of each error's `loc`."""
    assert response.status_code == 422, response.content
    return [str(e["loc"][-1]) for e in response.json()["detail"]]
