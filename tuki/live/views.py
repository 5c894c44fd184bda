"""The live doors: the event stream (PostgreSQL), polling (SQLite) and the browser's own
signals (typing, viewing). Each topic asked for passes `bus.may_subscribe`; topics refused
are left out (and named in the stream's first message), nothing else is said about them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.live import bus
from tuki.live.hub import hub
from tuki.live.models import LiveEvent

MAX_TOPICS = 20
HEARTBEAT = 15.0  # seconds between keep-alive comments: a closed tab is noticed by then
POLL_BATCH = 200


def _topics(request: HttpRequest) -> tuple[list[str], list[str]] | HttpResponse:
    """(allowed, refused) topics of the request, or the error to answer."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in to receive live updates.")}, status=403)
    raw = request.GET.get("topics", "")
    asked = list(dict.fromkeys(t for t in raw.split(",") if t))
    if not asked or len(asked) > MAX_TOPICS:
        return JsonResponse(
            {"detail": _("Name between 1 and %(max)d topics.") % {"max": MAX_TOPICS}}, status=400
        )
    allowed = [t for t in asked if bus.may_subscribe(request.user, t)]
    return allowed, [t for t in asked if t not in allowed]


def _sse(message: dict[str, object], event_id: int | None = None) -> str:
    lines = f"id: {event_id}\n" if event_id else ""
    return f"{lines}data: {json.dumps(message, separators=(',', ':'), default=str)}\n\n"


@require_GET
def events(request: HttpRequest) -> HttpResponseBase:
    """Server-sent events for the topics named in `?topics=a,b`, for a few minutes; the
    browser's EventSource connects again by itself (after `retry` ms)."""
    found = _topics(request)
    if isinstance(found, HttpResponse):
        return found
    allowed, refused = found
    if connection.vendor != "postgresql":
        return JsonResponse({"detail": _("Live updates are polled on this database.")}, status=409)
    if hub.count >= settings.LIVE_STREAMS:
        full = JsonResponse({"detail": _("Too many live connections; try again.")}, status=503)
        full["Retry-After"] = "10"
        return full
    reader = bus.Reader.of(request.user)  # type: ignore[arg-type]  # signed in: _topics checked
    subscription = hub.subscribe(reader, frozenset(allowed))
    # The stream holds no database connection: it only waits on its queue.
    connection.close()

    def stream() -> Iterator[str]:
        try:
            # The middleware may have used the database after the view; the stream must not
            # hold a connection for minutes (the server iterates it in the request's thread).
            connection.close()
            hub.connected.wait(3.0)
            yield "retry: 2000\n\n"
            yield _sse({"kind": "hello", "topics": allowed, "refused": refused})
            deadline = time.monotonic() + settings.LIVE_STREAM_SECONDS
            while (left := deadline - time.monotonic()) > 0:
                try:
                    message = subscription.queue.get(timeout=min(HEARTBEAT, left))
                except Exception:  # queue.Empty
                    yield ": keep-alive\n\n"
                    continue
                yield _sse(message.for_browser())
        finally:
            hub.unsubscribe(subscription)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    return response


@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    """`?topics=a,b&after=<id>`: the messages since `after` (SQLite's live updates, and a
    fallback anywhere). Without `after`, only where to start."""
    found = _topics(request)
    if isinstance(found, HttpResponse):
        return found
    allowed, refused = found
    after = request.GET.get("after", "")
    try:
        return _poll(request, allowed, refused, after)
    except OperationalError:
        # SQLite busy with a write at this instant: nothing lost, the page asks again.
        return JsonResponse(
            {"last": int(after) if after.isdigit() else 0, "messages": [], "refused": refused}
        )


def _poll(request: HttpRequest, allowed: list[str], refused: list[str], after: str) -> HttpResponse:
    # The newest row first: rows written while this poll reads are the next poll's.
    newest = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if not after.isdigit():
        return JsonResponse({"last": newest, "messages": [], "refused": refused})
    reader = bus.Reader.of(request.user)  # type: ignore[arg-type]  # signed in: _topics checked
    rows = list(
        LiveEvent.objects.filter(id__gt=int(after), id__lte=newest, topic__in=allowed).order_by(
            "id"
        )[:POLL_BATCH]
    )
    last = rows[-1].id if len(rows) == POLL_BATCH else max(newest, int(after))
    messages = [
        bus.Message(
            r.topic,
            r.kind,
            r.data,
            r.created_at.isoformat(),
            bus.Audience.from_json(r.audience),
            r.id,
        )
        for r in rows
    ]
    return JsonResponse(
        {
            "last": last,
            "messages": [m.for_browser() for m in messages if reader.may_receive(m)],
            "refused": refused,
        }
    )


SIGNALS_PER_MINUTE = 60


@require_POST
def signal(request: HttpRequest) -> HttpResponse:
    """A browser says its user is typing, viewing, writing or has left (`topic`, `kind`):
    told to the topic's other subscribers, stored nowhere."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in to receive live updates.")}, status=403)
    topic, kind = request.POST.get("topic", ""), request.POST.get("kind", "")
    if kind not in bus.SIGNALS:
        return JsonResponse({"kind": [_("Not a signal a page may send.")]}, status=400)
    if not bus.may_subscribe(request.user, topic):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    if bus.prefix_of(topic) == "ticket" and not (
        request.user.is_agent or request.user.is_superuser
    ):
        # Who is viewing a ticket's page is the agents' business only.
        return JsonResponse({"detail": _("Not found.")}, status=404)
    key = f"tuki-live-signals:{request.user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    if cache.incr(key) > SIGNALS_PER_MINUTE:
        return JsonResponse({"detail": _("Too many signals; slow down.")}, status=429)
    user = request.user
    bus.publish(
        topic,
        kind,
        {"user": user.pk, "name": user.get_full_name() or user.get_username()},
    )
    return HttpResponse(status=204)
