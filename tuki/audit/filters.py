"""The filters of the audit page and the API: object type, actor, action, object, dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.audit import registry
from tuki.audit.models import SIGN_IN_ACTIONS, AuditEntry

SIGN_INS = "sign_ins"


def type_choices() -> list[tuple[str, str]]:
    """ "app.model" of each audited model by its name, and sign-ins; sorted by name."""
    found = [
        (f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name_plural).capitalize())
        for m in registry.audited_models()
    ]
    return [(SIGN_INS, str(_("Sign-ins and sign-outs"))), *sorted(found, key=lambda c: c[1])]


def content_type(value: str) -> ContentType | None:
    app_label, _dot, model = value.partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    actor_id: int | None = None
    actor: str | None = None  # part of the actor's email or label
    action: str | None = None
    object_id: str | None = None
    since: date | None = None  # days in the reader's time zone, both included
    until: date | None = None

    def apply(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        if self.type == SIGN_INS:
            qs = qs.filter(action__in=SIGN_IN_ACTIONS)
        elif self.type:
            ct = content_type(self.type)
            qs = qs.filter(content_type=ct) if ct is not None else qs.none()
        if self.actor_id is not None:
            qs = qs.filter(actor_id=self.actor_id)
        if self.actor:
            qs = qs.filter(
                Q(actor_label__icontains=self.actor) | Q(actor__full_name__icontains=self.actor)
            )
        if self.action:
            qs = qs.filter(action=self.action)
        if self.object_id:
            qs = qs.filter(object_id=self.object_id)
        # Days at the ends of the calendar bound nothing (and would overflow in UTC).
        if self.since and self.since.year > 1:
            qs = qs.filter(created_at__gte=_start_of(self.since))
        if self.until and self.until.year < 9999:
            qs = qs.filter(created_at__lt=_start_of(self.until + timedelta(days=1)))
        return qs
