"""What an identity provider grants, recorded as the provider's own membership source.

The directory helper's `tuki.accounts.services.grant_from_source` keeps each source's grants
apart, so a sign-in never wipes what LDAP, SCIM or an administrator gave (GLPI #21077). It is
looked up at call time; without it (a branch before it was merged) this module only adds
what the provider grants and never takes anything back.
"""

from __future__ import annotations

import logging
from typing import Any

from tuki.accounts import services as account_services
from tuki.accounts.models import SupportGroup, User

logger = logging.getLogger(__name__)

ROLE_FIELDS = {"agent": "is_agent", "admin": "is_staff"}


def grant(user: User, source: str, roles: list[str], groups: list[SupportGroup]) -> Any:
    real = getattr(account_services, "grant_from_source", None)
    if real is not None:
        return real(user, source, roles=roles, groups=groups)
    return _add_only(user, roles, groups)


def _add_only(user: User, roles: list[str], groups: list[SupportGroup]) -> bool:
    changed = []
    for role in roles:
        field = ROLE_FIELDS[role]
        if not getattr(user, field):
            setattr(user, field, True)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    current = set(user.support_groups.values_list("pk", flat=True))
    new = [group for group in groups if group.pk not in current]
    if new:
        user.support_groups.add(*new)
    return bool(changed or new)
