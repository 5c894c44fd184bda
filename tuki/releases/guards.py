"""The release kind's workflow guard (tuki/tickets/guards.py), registered from
ReleasesConfig.ready(): whichever door moves a release ticket's status (its page, the API, a
bulk action, a rule, an approval), the stage rules hold.

- Into "Scheduled" (deploying): the deploy rules (rules.deploy_blockers).
- Into "In progress" from anything but "Scheduled" or a reopened release: refused, the
  deployment starts from "Scheduled".
- Into a resolved status: only after the deployment (`deployed_at`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tuki.lib.errors import ServiceError
from tuki.releases import rules
from tuki.tickets.guards import Guard
from tuki.tickets.models import StatusCategory

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Status, Ticket


def check(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    if new.key == "scheduled" and old.key != "in_progress":
        release = rules.release_of(ticket)
        blockers = rules.deploy_blockers(release, rules.grouped_changes(release))
        if blockers:
            raise ServiceError("; ".join(blockers), field="status", code="deploy_blocked")
    elif new.key == "in_progress" and old.key not in ("scheduled", "resolved", "closed"):
        raise ServiceError(
            _("A release is deployed from Scheduled: move it to its deploy stage first."),
            field="status",
            code="deploy_blocked",
        )
    elif new.category == StatusCategory.RESOLVED:
        release = rules.release_of(ticket)
        if release.deployed_at is None:
            raise ServiceError(
                _("A release is resolved after its deployment: record the deployment first."),
                field="status",
                code="not_deployed",
            )


GUARD = Guard(key="releases.stages", kinds=("release",), check=check)
