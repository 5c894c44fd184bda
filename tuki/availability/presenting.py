"""Figures as pages read them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tuki.availability.compute import Figures, ServiceReport
from tuki.sla.models import Service


def duration(minutes: float | None) -> str:
    """Business time as hours and minutes ("2 h 5 min"); whole hours from a day on."""
    if minutes is None:
        return "—"
    total = round(minutes)
    hours, rest = divmod(total, 60)
    if hours >= 24:  # business hours: days of 24 hours would mislead
        return _("%(hours)d h") % {"hours": hours + (1 if rest >= 30 else 0)}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    return _("%(minutes)d min") % {"minutes": rest}


def percent(value: float | Decimal | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    return _("%(value)s %%") % {"value": number_format(round(float(value), digits), digits)}


@dataclass(frozen=True)
class Row:
    """One service's line of the report."""

    line: ServiceReport

    @property
    def service(self) -> Service:
        return self.line.service

    @property
    def figures(self) -> Figures:
        return self.line.figures

    @property
    def availability(self) -> str:
        return percent(self.figures.availability)

    @property
    def target(self) -> str:
        return percent(self.line.target) if self.line.target is not None else ""

    @property
    def met(self) -> bool | None:
        return self.line.met

    @property
    def downtime(self) -> str:
        return duration(self.figures.downtime_minutes)

    @property
    def ast(self) -> str:
        return duration(self.figures.ast_minutes)

    @property
    def mtrs(self) -> str:
        return duration(self.figures.mtrs_minutes)

    @property
    def mtbf(self) -> str:
        return duration(self.figures.mtbf_minutes)
