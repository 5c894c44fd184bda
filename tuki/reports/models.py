"""What reports read: one row of figures per ticket, kept current from its events.

`TicketFact` is derived data: `tuki/reports/facts.py` (`refresh`) is its single definition,
computed from the ticket's events, SLA clocks and survey answers; `tuki reports rebuild`
recomputes every row. docs/reports.md defines each figure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.tickets.models import Channel, Kind, Priority, StatusCategory


def _fk(to: str, name: Any, *, null: bool = True) -> Any:
    """A denormalised key: no database constraint (the ticket's own keys hold the rule), kept
    when the row it names goes (SET_NULL would write every fact of a deleted group)."""
    return models.ForeignKey(
        to,
        verbose_name=name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=null,
        blank=null,
        related_name="+",
    )


class TicketFact(models.Model):
    """One ticket's figures for reports (docs/reports.md): its dimensions as they are now,
    and what its history measures (first response, resolution, reopens, hops, pending
    time, SLA outcomes, satisfaction). Times in minutes; `*_business` by the ticket's
    calendar (its SLA clock's, else the default calendar)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fact",
    )
    # Dimensions (the ticket's current values).
    created_at = models.DateTimeField(_("created"))
    created_day = models.DateField(_("created on"), help_text=_("In the desk's time zone."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    category = _fk("tickets.Category", _("category"))
    service = _fk("sla.Service", _("service"))
    organisation = _fk("accounts.Organisation", _("organisation"))
    agreement = _fk("sla.Agreement", _("agreement"))
    owner_group = _fk("accounts.SupportGroup", _("owner group"), null=False)
    owner = _fk(settings.AUTH_USER_MODEL, _("owner"))
    group = _fk("accounts.SupportGroup", _("assigned group"), null=False)
    assignee = _fk(settings.AUTH_USER_MODEL, _("assignee"))
    requester = _fk(settings.AUTH_USER_MODEL, _("requester"), null=False)
    restricted = models.BooleanField(_("restricted"), default=False)
    status_category = models.CharField(
        _("status category"), max_length=10, choices=StatusCategory.choices
    )
    # Measures.
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_minutes = models.FloatField(_("first response (minutes)"), null=True)
    first_response_business = models.FloatField(_("first response (business minutes)"), null=True)
    first_resolved_at = models.DateTimeField(_("first resolved"), null=True, blank=True)
    resolved_at = models.DateTimeField(
        _("resolved"), null=True, blank=True, help_text=_("The last resolution; empty while open.")
    )
    resolved_day = models.DateField(_("resolved on"), null=True, blank=True)
    resolve_minutes = models.FloatField(_("time to resolve (minutes)"), null=True)
    resolve_business = models.FloatField(_("time to resolve (business minutes)"), null=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    hops = models.PositiveIntegerField(_("reassignments"), default=0)
    escalated = models.BooleanField(_("escalated to second line"), default=False)
    pending_minutes = models.FloatField(_("pending (minutes)"), default=0)
    first_contact = models.BooleanField(_("resolved at first contact"), default=False)
    sla_response_met = models.BooleanField(_("response target met"), null=True)
    sla_resolution_met = models.BooleanField(_("resolution target met"), null=True)
    ola_met = models.BooleanField(_("group targets met"), null=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"), default=timezone.now)

    class Meta:
        ordering = ["-ticket_id"]
        verbose_name = _("ticket figures")
        verbose_name_plural = _("ticket figures")
        permissions = [("view_reports", _("Can view reports"))]
        indexes = [
            models.Index(fields=["created_day"], name="fact_created_day"),
            models.Index(fields=["resolved_day"], name="fact_resolved_day"),
            models.Index(fields=["group", "created_day"], name="fact_group_created"),
            models.Index(fields=["organisation", "created_day"], name="fact_org_created"),
            models.Index(fields=["assignee", "status_category"], name="fact_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}"
