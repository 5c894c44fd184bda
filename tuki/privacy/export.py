"""Everything Tuki holds about one person, as a ZIP of JSON files and their attachments.

The records are found through the models, not a hand-kept list: every table with a column
pointing at the person (a foreign key, or a many-to-many table such as watchers or group
members) contributes the rows that name them, so a model added later is exported without a
change here. Columns holding secrets (password hashes, token digests, webhook secrets) are
left out. On top of the rows:

- `person.json`: the profile;
- `tickets/<number>.json`: each ticket they requested or watch, with its public replies
  (internal notes are the desk's working notes about the case and may name other people:
  they are listed in `records/` only where the person wrote them);
- `attachments/<id>-<name>`: the files they uploaded;
- `mail/inbound-<id>.eml`: the messages they sent, while their bytes are kept (retention).

An export goes through the one visibility rule like every other door: made by someone who
is not a superuser, it leaves out every row that belongs to a ticket they may not see (a
restricted HR case of the person's stays with its two groups), and `person.json` says how
many of the person's tickets were left out, so a superuser can make the complete export.
The command (`tuki personal_data export`) is the machine's operator's: complete.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tuki.accounts.models import User
from tuki.mail.models import InboundMessage
from tuki.tickets.models import Attachment, Ticket

SECRET = re.compile(r"(password|secret|digest|token|key)", re.IGNORECASE)
PROFILE = (
    "id",
    "email",
    "full_name",
    "phone",
    "language",
    "time_zone",
    "is_agent",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "last_login",
)


def person_links() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every (model, column) that points at a user, apart from the user table itself."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model is User or model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.local_concrete_fields:
            if field.is_relation and field.related_model is User:
                found.append((model, field))
    return found


def row(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in obj._meta.local_concrete_fields:
        if SECRET.search(field.attname):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name
        elif isinstance(field, models.BinaryField):
            continue  # raw mail: exported as .eml files below
        out[field.attname] = value
    return out


def bounded(
    model: type[models.Model], rows: models.QuerySet[Any], viewer: User | None
) -> models.QuerySet[Any]:
    """`rows` without those of tickets `viewer` may not see (None or a superuser: all)."""
    if viewer is None or viewer.is_superuser:
        return rows
    visible = Ticket.objects.visible_to(viewer).values("pk")
    if model is Ticket:
        return rows.filter(pk__in=visible)
    for field in model._meta.local_concrete_fields:
        if field.is_relation and field.related_model is Ticket:
            rows = rows.filter(
                Q(**{f"{field.attname}__isnull": True}) | Q(**{f"{field.attname}__in": visible})
            )
    return rows


def records(person: User, viewer: User | None = None) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for model, field in person_links():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        named = model._base_manager.filter(**{field.attname: person.pk})
        rows = [row(o) for o in bounded(model, named, viewer)]
        if rows:
            found.setdefault(label, []).extend(rows)
    return found


def counts(person: User) -> dict[str, int]:
    """How many rows name the person, per kind of record (the page's summary)."""
    found: dict[str, int] = {}
    for model, field in person_links():
        label = str(model._meta.verbose_name_plural).capitalize()
        n = model._base_manager.filter(**{field.attname: person.pk}).count()
        if n:
            found[label] = found.get(label, 0) + n
    return found


def their_tickets(person: User) -> models.QuerySet[Ticket]:
    return Ticket.objects.filter(Q(requester=person) | Q(watchers=person)).distinct()


def ticket_document(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "status": ticket.status.name,
        "created_at": ticket.created_at,
        "resolved_at": ticket.resolved_at,
        "resolution": ticket.resolution,
        "replies": [
            {"author": str(c.author) if c.author else None, "at": c.created_at, "text": c.body}
            for c in ticket.comments.filter(is_internal=False).select_related("author")
        ],
    }


def export_zip(person: User, viewer: User | None = None) -> bytes:
    """The person's data as the bytes of a ZIP (built in memory: one person's data is small),
    as far as `viewer` may see it (module docstring)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: Any) -> None:
            body = json.dumps(data, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False)
            archive.writestr(name, body)

        profile = {name: getattr(person, name) for name in PROFILE}
        profile["organisation"] = str(person.organisation) if person.organisation else None
        profile["location"] = str(person.location) if person.location else None
        profile["exported_at"] = timezone.now()
        tickets = bounded(Ticket, their_tickets(person), viewer)
        profile["tickets_left_out"] = their_tickets(person).count() - tickets.count()
        put("person.json", profile)
        for label, rows in sorted(records(person, viewer).items()):
            put(f"records/{label}.json", rows)
        for ticket in tickets.select_related("status"):
            put(f"tickets/{ticket.number}.json", ticket_document(ticket))
        for attachment in bounded(
            Attachment, Attachment.objects.filter(uploaded_by=person), viewer
        ):
            try:
                with attachment.file.open("rb") as stream:
                    archive.writestr(
                        f"attachments/{attachment.pk}-{attachment.filename}", stream.read()
                    )
            except OSError:
                continue  # the row outlived its file: the row is in records/
        sent = InboundMessage.objects.filter(from_address__iexact=person.email)
        for message in bounded(InboundMessage, sent, viewer):
            if message.raw:
                archive.writestr(f"mail/inbound-{message.pk}.eml", bytes(message.raw))
    return buffer.getvalue()
