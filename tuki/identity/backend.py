"""Sign-in with a directory password: Django's authentication backend for the active
directories that allow it. The person is looked up with the directory's service account,
their password checked by a bind as them, and their Tuki account brought up to date (as the
sync would) before they are let in: a person disabled or removed in the directory cannot
sign in even before the next sync."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tuki.accounts.models import User
from tuki.identity import ldap, sync
from tuki.identity.models import Directory, DirectoryAccount

logger = logging.getLogger(__name__)


def authenticate_with(directory: Directory, login: str, password: str) -> User | None:
    """The Tuki user of `login` if `password` is theirs in `directory`, else None."""
    if not login or not password:
        return None  # an empty password would be an anonymous bind, which always succeeds
    try:
        conn = ldap.connect(directory)
        try:
            entries = list(
                ldap.search(
                    conn,
                    directory.user_base,
                    ldap.user_filter(directory, login.strip()),
                    ldap.user_attributes(directory),
                )
            )
            memberships = sync.read_memberships(directory, conn) if entries else {}
        finally:
            conn.unbind()
        if len(entries) != 1:
            return None
        entry = entries[0]
        if ldap.is_disabled(directory, entry):
            return None
        try:
            ldap.connect(directory, bind_dn=entry.dn, password=password).unbind()
        except ldap.DirectoryError as exc:
            if exc.code != "bind_refused":
                logger.warning("directory %s: %s", directory.name, exc)
            return None
    except ldap.DirectoryError as exc:
        logger.warning("directory %s: sign-in lookup failed: %s", directory.name, exc)
        return None
    report = sync.SyncReport()
    account = (
        DirectoryAccount.objects.select_related("user")
        .filter(directory=directory, external_id=ldap.external_id(directory, entry))
        .first()
    )
    return sync.apply_entry(directory, entry, memberships.get(entry.dn.lower()), report, account)


class DirectoryBackend(ModelBackend):
    """Tries each active directory with sign-in on, in name order."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        for directory in Directory.objects.filter(is_active=True, sign_in=True):
            user = authenticate_with(directory, username, password)
            if user is not None and self.user_can_authenticate(user):
                return user
        return None
