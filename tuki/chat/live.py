"""The chat's events on the live layer (tuki/live): one place that names topics and kinds.

Data is ids only: a page re-fetches what changed through its own access-checked view.
"""

from __future__ import annotations

from typing import Any

from tuki.live import bus


def publish(topic: str, kind: str, data: dict[str, Any] | None = None) -> None:
    """Delivered after the change's commit (bus.publish)."""
    bus.publish(topic, kind, data)


def conversation_topic(pk: int) -> str:
    return f"chat.{pk}"


def queue_topic(group_id: int) -> str:
    return f"chatqueue.{group_id}"


def on_conversation(pk: int, kind: str, **data: Any) -> None:
    publish(conversation_topic(pk), kind, {"id": pk, **data})


def on_queue(group_id: int, kind: str, **data: Any) -> None:
    publish(queue_topic(group_id), kind, data)
