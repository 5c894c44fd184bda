"""Routing and assignment: which group a new ticket's work goes to, and who in it takes it.

Routing rules are read in (position, id) order; the first active rule whose every set
criterion matches the ticket names the group (services.route). The service desk keeps
ownership (docs/development/architecture.md, SPOC): routing moves the work, never the owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.tickets.models import Kind

if TYPE_CHECKING:
    from tuki.tickets.models import Ticket

# tickets.models.Category.save joins paths with this.
PATH_SEP = " › "


class RoutingRule(models.Model):
    """If a new ticket matches every criterion set here, its work goes to `group`.

    An empty criterion matches anything; a category matches its subcategories too, and a
    service matches the tickets whose category lies under one of the service's categories.
    """

    position = models.PositiveIntegerField(_("position"), default=100)
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Subcategories match too."),
    )
    service = models.ForeignKey(
        "sla.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The requester's organisation."),
    )
    location = models.ForeignKey(
        "accounts.Location",
        verbose_name=_("location"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The requester's office."),
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("route to group"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    use_assist = models.BooleanField(
        _("Assist's suggested group first"),
        default=False,
        help_text=_(
            "When Assist's suggested group is at least as confident as the threshold set "
            "for Assist, the work goes there; otherwise to the group above."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def matches(self, ticket: Ticket, service_paths: tuple[str, ...] = ()) -> bool:
        """Every set criterion holds. `service_paths`: the paths of the rule's service's
        categories (loaded once per pass by the caller, so matching runs no queries)."""
        if self.kind and ticket.kind != self.kind:
            return False
        if self.organisation_id and ticket.organisation_id != self.organisation_id:
            return False
        if self.location_id and ticket.location_id != self.location_id:
            return False
        path = category.path if (category := ticket.category) else ""
        if self.category is not None and not under(path, (self.category.path,)):
            return False
        return not (self.service_id and not under(path, service_paths))


def under(path: str, roots: tuple[str, ...]) -> bool:
    """`path` is one of `roots` or below one of them."""
    return bool(path) and any(path == r or path.startswith(r + PATH_SEP) for r in roots)


class AssignmentCursor(models.Model):
    """Where round robin stands in a group: the member who got the last ticket.

    Read and written only while the group's row is locked (services.pick_agent), so two
    workers never hand out the same turn.
    """

    group = models.OneToOneField(
        "accounts.SupportGroup",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="assignment_cursor",
    )
    last_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assignment cursor")
        verbose_name_plural = _("assignment cursors")

    def __str__(self) -> str:
        return f"{self.group_id} → {self.last_agent_id}"
