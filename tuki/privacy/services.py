"""Erasure: a person's personal data anonymised for good, the desk's records kept.

What happens (docs/security/backup-and-personal-data.md gives the reasons):

- the user row stays, so every ticket, event, SLA record and statistic keeps its counts
  and timings, but becomes "Erased user #id" with a placeholder address, no phone, no
  manager, no password, no groups, and cannot sign in;
- the texts of the desk's records (ticket titles, descriptions, resolutions, replies and
  notes) are kept, with the person's name, address and phone number replaced by
  "[erased]" wherever they appear (GDPR art. 17(3)(b) and (e): the desk's record of the
  service it gave; the identifying strings go);
- their satisfaction survey comments are cleared (the scores stay, as the desk's figures);
- the files they uploaded are removed, the raw mail they sent and the raw mail sent to them
  cleared, their notifications, preferences, API tokens, searches and watches deleted;
- an `Erasure` row records who did it and when. There is no way back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tuki.accounts.models import ApiToken, SupportGroup, User
from tuki.assist import embeddings, tasks as assist_tasks
from tuki.lib import taskqueue
from tuki.lib.errors import ServiceError
from tuki.mail.models import InboundMessage, OutboundMessage
from tuki.notifications.models import Notification, NotificationPreference
from tuki.privacy import access
from tuki.privacy.models import Erasure
from tuki.search import tasks as search_tasks
from tuki.search.models import SearchQuery
from tuki.surveys import services as surveys
from tuki.tickets.models import Attachment, Comment, Ticket

PLACEHOLDER = "[erased]"


def erased_email(person: User) -> str:
    return f"erased-{person.pk}@erased.invalid"


def erase_person(actor: User, person: User, *, confirm: str) -> Erasure:
    """Anonymise `person`. `confirm` must be their email address as it is now."""
    if not access.may_act_on(actor, person):
        raise PermissionDenied(_("You may not erase this person."))
    if Erasure.objects.filter(person=person).exists():
        raise ServiceError(_("This person has already been erased."), field="confirm")
    if confirm.strip().lower() != person.email.lower():
        raise ServiceError(
            _("Type the person's email address to confirm."), field="confirm", code="confirm"
        )
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if person.is_superuser and _last_superuser(person):
            raise ServiceError(
                _("The last administrator cannot be erased."), field="confirm", code="last_admin"
            )
        secrets = _identifying_strings(person)
        counts = {
            "texts": _redact_texts(person, secrets),
            "attachments": _remove_attachments(person),
            "mail": _clear_mail(person, secrets),
            "notifications": Notification.objects.filter(recipient=person).delete()[0],
            "preferences": NotificationPreference.objects.filter(user=person).delete()[0],
            "api_tokens": ApiToken.objects.filter(user=person).delete()[0],
            "searches": SearchQuery.objects.filter(user=person).delete()[0],
            "watching": Ticket.watchers.through.objects.filter(user=person).delete()[0],
            "survey_comments": surveys.forget_comments(person),
        }
        _anonymise(person)
        return Erasure.objects.create(person=person, erased_by=actor, counts=counts)


def _last_superuser(person: User) -> bool:
    others = User.objects.filter(is_superuser=True, is_active=True).exclude(pk=person.pk)
    return not others.exists()


def _identifying_strings(person: User) -> list[str]:
    found = [person.email]
    if len(person.full_name.strip()) >= 3:
        found.append(person.full_name.strip())
    if len(re.sub(r"\D", "", person.phone)) >= 5:
        found.append(person.phone.strip())
    return found


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = re.sub(re.escape(secret), PLACEHOLDER, text, flags=re.IGNORECASE)
    return text


def _redact_texts(person: User, secrets: list[str]) -> int:
    """Replace the person's name, address and phone in the texts that may hold them."""
    changed = 0
    pattern = Q()
    for secret in secrets:
        pattern |= Q(title__icontains=secret) | Q(description__icontains=secret)
        pattern |= Q(resolution__icontains=secret)
    tickets = set()
    for ticket in Ticket.objects.filter(pattern | Q(requester=person)).only(
        "pk", "title", "description", "resolution"
    ):
        fields: dict[str, Any] = {
            name: _redact(getattr(ticket, name), secrets)
            for name in ("title", "description", "resolution")
        }
        if any(fields[name] != getattr(ticket, name) for name in fields):
            Ticket.objects.filter(pk=ticket.pk).update(**fields)
            changed += 1
        tickets.add(ticket.pk)
    body = Q()
    for secret in secrets:
        body |= Q(body__icontains=secret)
    for comment in Comment.objects.filter(body | Q(author=person)).only("pk", "ticket_id", "body"):
        redacted = _redact(comment.body, secrets)
        if redacted != comment.body:
            Comment.objects.filter(pk=comment.pk).update(body=redacted)
            changed += 1
            tickets.add(comment.ticket_id)
    for ticket_id in sorted(tickets):  # the search index holds the old texts
        taskqueue.enqueue_with_change(search_tasks.index_ticket, ticket_id)
    if embeddings.available():  # and the semantic vectors were computed from them
        for ticket_id in sorted(tickets):
            taskqueue.enqueue_with_change(assist_tasks.embed_ticket, ticket_id)
    return changed


def _remove_attachments(person: User) -> int:
    attachments = list(Attachment.objects.filter(uploaded_by=person))
    names = {a.file.name for a in attachments}
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    still_used = set(
        Attachment.objects.filter(file__in=names).values_list("file", flat=True)
    )  # files are stored by their hash: another upload of the same bytes keeps the file

    def delete_files() -> None:
        for attachment in attachments:
            name = attachment.file.name
            if name and name not in still_used:
                attachment.file.storage.delete(name)

    transaction.on_commit(delete_files)
    return len(attachments)


def _clear_mail(person: User, secrets: list[str]) -> int:
    placeholder = erased_email(person)
    cleared = InboundMessage.objects.filter(from_address__iexact=person.email).update(
        raw=b"", from_address=placeholder
    )
    cleared += OutboundMessage.objects.filter(to_address__iexact=person.email).update(
        raw=b"", to_address=placeholder
    )
    for message in OutboundMessage.objects.filter(cc__icontains=person.email).only("pk", "cc"):
        OutboundMessage.objects.filter(pk=message.pk).update(
            cc=_redact(message.cc, [person.email]), raw=b""
        )
        cleared += 1
    return cleared


def _anonymise(person: User) -> None:
    person.full_name = f"Erased user #{person.pk}"  # stored, so in English like every stored name
    person.email = erased_email(person)
    person.phone = ""
    person.manager = None
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.sees_all_tickets = False
    person.sees_organisation_tickets = False
    person.last_login = None
    person.set_unusable_password()
    person.date_joined = person.date_joined.replace(hour=0, minute=0, second=0, microsecond=0)
    person.save()
    person.support_groups.clear()
    person.groups.clear()
    person.user_permissions.clear()
    User.objects.filter(manager=person).update(manager=None)
    SupportGroup.objects.filter(manager=person).update(manager=None)
