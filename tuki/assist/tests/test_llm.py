"""The local language model for reply drafts (tuki/assist/llm.py), against a real HTTP server on
this machine that answers as an OpenAI-compatible chat completions endpoint does: what is
sent (only what the asking agent may see), what comes back, and each way it can fail."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client, override_settings

from tuki.assist.tests.test_drafts import FIX, SECRET, current  # noqa: F401  # the fixture
from tuki.conftest import Desk
from tuki.tickets.models import Ticket

ANSWER = "Hello,\n\nplease renew the client certificate, then restart the tunnel."


@dataclass
class ModelServer:
    """A chat completions endpoint: `reply` is its body (or `status`, or a `delay` first)."""

    url: str = ""
    reply: Any = field(
        default_factory=lambda: {"choices": [{"message": {"role": "assistant", "content": ANSWER}}]}
    )
    status: int = 200
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def model() -> Iterator[ModelServer]:
    state = ModelServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(json.loads(self.rfile.read(length)))
            state.headers.append(dict(self.headers))
            if state.delay:
                time.sleep(state.delay)
            body = state.reply if isinstance(state.reply, bytes) else json.dumps(state.reply)
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"
    with override_settings(ASSIST_LLM_URL=state.url, ASSIST_LLM_TIMEOUT=5.0):
        yield state
    server.shutdown()
    server.server_close()


def _ask(client: Client, ticket: Ticket) -> Any:
    return client.post(f"/assist/tickets/{ticket.number}/drafts/model/")


def test_the_model_writes_from_the_drafts_the_agent_may_see(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    response = _ask(desk.client_for(desk.other_agent), current)
    html = response.content.decode()
    assert response.status_code == 200
    assert "please renew the client certificate" in html and "data-kb-insert=" in html
    assert len(model.received) == 1
    sent = json.dumps(model.received[0])
    # The ticket and the extractive drafts, and nothing from a ticket the agent may not see.
    assert current.title in sent and FIX in sent
    assert SECRET not in sent and "hourly" not in sent
    assert model.received[0]["model"] == "local" and model.received[0]["stream"] is False
    assert "Authorization" not in model.headers[0]


def test_the_operator_who_may_see_more_sends_more(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    assert _ask(desk.client_for(desk.operator), current).status_code == 200
    assert SECRET in json.dumps(model.received[0])


def test_a_finnish_requester_gets_a_draft_asked_for_in_finnish(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    desk.requester.language = "fi"
    desk.requester.save(update_fields=["language"])
    _ask(desk.client_for(desk.other_agent), current)
    assert "in Finnish" in model.received[0]["messages"][0]["content"]


@override_settings(ASSIST_LLM_KEY="s3cret-key")
def test_the_key_goes_as_a_bearer_token(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    _ask(desk.client_for(desk.other_agent), current)
    assert model.headers[0]["Authorization"] == "Bearer s3cret-key"
    assert "s3cret-key" not in json.dumps(model.received[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": 503}, "refused the request (HTTP 503)"),
        ({"reply": b"<html>not json</html>"}, "was not a chat completion"),
        ({"reply": {"choices": []}}, "was not a chat completion"),
        ({"reply": {"choices": [{"message": {"content": "  "}}]}}, "gave an empty answer"),
        ({"delay": 2.0}, "did not answer within 0.5 seconds"),
    ],
    ids=["refused", "not-json", "no-choice", "empty", "slow"],
)
def test_a_failing_model_gets_a_clear_message_and_the_drafts_stay(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
    change: dict[str, Any],
    message: str,
) -> None:
    for name, value in change.items():
        setattr(model, name, value)
    with override_settings(ASSIST_LLM_TIMEOUT=0.5):
        response = _ask(desk.client_for(desk.other_agent), current)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="model-draft-error"' in html and message in html
    assert "data-kb-insert" not in html


def test_an_unreachable_model_gets_a_clear_message(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
) -> None:
    with override_settings(ASSIST_LLM_URL="http://127.0.0.1:9/v1/chat/completions"):
        html = _ask(desk.client_for(desk.other_agent), current).content.decode()
    assert "could not be reached" in html


def test_nothing_is_sent_without_a_source(desk: Desk, model: ModelServer) -> None:
    """With no similar resolved ticket or article, the model would only make a reply up."""
    from tuki.assist.tests.test_drafts import _ticket

    lone = _ticket(desk, "Coffee machine speaks Latin", desk.apps)
    html = _ask(desk.client_for(desk.other_agent), lone).content.decode()
    assert "nothing was sent" in html and model.received == []


def test_the_section_offers_the_model_only_when_it_is_set_up(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    client = desk.client_for(desk.other_agent)
    drafts = f"/assist/tickets/{current.number}/drafts/"
    assert "/drafts/model/" in client.get(drafts).content.decode()
    with override_settings(ASSIST_LLM_URL=""):
        assert "/drafts/model/" not in client.get(drafts).content.decode()
        assert _ask(client, current).status_code == 404
    assert model.received == []


@pytest.mark.parametrize("role", ["requester", "outsider"])
def test_requesters_get_a_404_and_nothing_is_sent(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
    role: str,
) -> None:
    assert _ask(desk.client_for(getattr(desk, role)), current).status_code == 404
    assert model.received == []


def test_an_agent_who_may_not_see_the_ticket_gets_a_404(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    hidden = Ticket.objects.get(title__endswith="hourly")
    assert _ask(desk.client_for(desk.other_agent), hidden).status_code == 404
    assert model.received == []


def test_anonymous_visitors_and_get_requests_are_refused(
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,
) -> None:
    assert _ask(Client(), current).status_code == 302
    client = desk.client_for(desk.other_agent)
    assert client.get(f"/assist/tickets/{current.number}/drafts/model/").status_code == 405
    assert model.received == []


def test_the_accuracy_page_shows_the_payload_the_call_sends(desk: Desk, model: ModelServer):
    html = desk.client_for(desk.admin).get("/assist/accuracy/").content.decode()
    assert model.url in html and "&quot;max_tokens&quot;: 600" in html
    assert "TUKI_ASSIST_LLM_TIMEOUT" in html and "Not called yet" not in html
