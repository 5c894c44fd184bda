"""Two agents taking one chat at the same moment (PostgreSQL: real threads, real rows): one
wins, the other is told who did."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tuki.chat import services
from tuki.chat.models import Conversation, ConversationStatus, Message
from tuki.lib.errors import ServiceError


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_at_once_make_one_winner(desk, chat, second_operator) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    barrier = threading.Barrier(2)
    won: list[int] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def take(user) -> None:
        try:
            barrier.wait()
            services.accept(user, Conversation.objects.get(pk=chat.pk))
            won.append(user.pk)
        except ServiceError as exc:
            lost.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(u,)) for u in (desk.operator, second_operator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(won) == 1 and lost == ["taken"]
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ACTIVE and chat.agent_id == won[0]
    assert Message.objects.filter(conversation=chat, kind="system").count() == 1
