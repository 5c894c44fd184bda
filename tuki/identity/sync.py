"""Directory sync: people and their group memberships read from LDAP / Active Directory into
Tuki, idempotently. Who is gone from the directory or disabled there is deactivated (never
deleted); roles and support groups from the directory's group mappings are granted under the
source "ldap:<id>" (accounts' MembershipGrant), so nothing given by hand or by another
provider is taken away."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import ldap3
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts import services as accounts
from tuki.accounts.models import Organisation, User
from tuki.identity import ldap
from tuki.identity.models import Directory, DirectoryAccount, DirectoryGroupMap

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def text(self) -> str:
        if self.error:
            return self.error
        line = _(
            "%(created)d created, %(updated)d updated, %(deactivated)d deactivated, "
            "%(reactivated)d reactivated."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "reactivated": self.reactivated,
        }
        if self.skipped:
            line += " " + _("Skipped: %(entries)s") % {"entries": "; ".join(self.skipped[:20])}
        return line


@dataclass
class Mapping:
    roles: set[str]
    groups: set[int]


def read_memberships(directory: Directory, conn: ldap3.Connection) -> dict[str, Mapping]:
    """Member DN (lower case) -> the roles and support groups its mapped groups give."""
    by_member: dict[str, Mapping] = {}
    maps = list(DirectoryGroupMap.objects.filter(directory=directory))
    attr = directory.member_attribute or "member"
    for group_map in maps:
        try:
            entries = list(
                ldap.search(conn, group_map.group_dn, "(objectClass=*)", [attr], scope="base")
            )
        except ldap.DirectoryError as exc:
            if exc.code == "no_base":
                continue  # a mapped group deleted from the directory gives nothing
            raise
        for entry in entries:
            for member in entry.all(attr):
                found = by_member.setdefault(member.lower(), Mapping(set(), set()))
                found.roles.update(r for r in group_map.role_list() if r in accounts.ROLE_FLAGS)
                if group_map.support_group_id:
                    found.groups.add(group_map.support_group_id)
    return by_member


def _organisation(directory: Directory, entry: ldap.Entry) -> Organisation | None:
    name = entry.first(directory.organisation_attribute)
    if not name:
        return None
    return Organisation.objects.filter(name__iexact=name.strip()).first()


def apply_entry(
    directory: Directory,
    entry: ldap.Entry,
    mapping: Mapping | None,
    report: SyncReport,
    account: DirectoryAccount | None = None,
) -> User | None:
    """Create or update the Tuki user of one directory entry; grants and active state."""
    email = entry.first(directory.email_attribute).strip().lower()
    if not email or "@" not in email:
        report.skipped.append(
            _("%(dn)s has no %(attribute)s")
            % {"dn": entry.dn, "attribute": directory.email_attribute}
        )
        return None
    ext_id = ldap.external_id(directory, entry)
    full_name = entry.first(directory.name_attribute).strip() or email
    phone = entry.first(directory.phone_attribute).strip()[:50]
    disabled = ldap.is_disabled(directory, entry)
    with transaction.atomic():
        if account is None:
            account = (
                DirectoryAccount.objects.select_related("user")
                .filter(directory=directory, external_id=ext_id)
                .first()
            )
        user = account.user if account is not None else None
        if user is None:
            user = User.objects.filter(email__iexact=email).first()
            if user is not None and user.is_superuser:
                # A directory entry never takes over a superuser's account by its address.
                report.skipped.append(
                    _("%(dn)s: %(email)s is a superuser's") % {"dn": entry.dn, "email": email}
                )
                return None
            if (
                user is not None
                and DirectoryAccount.objects.filter(directory=directory, user=user).exists()
            ):
                report.skipped.append(
                    _("%(dn)s: %(email)s is another entry's") % {"dn": entry.dn, "email": email}
                )
                return None
        if user is None:
            if disabled:
                return None  # never create an account only to disable it
            user = User(email=email, full_name=full_name[:200], phone=phone)
            user.organisation = _organisation(directory, entry)
            user.set_unusable_password()
            user.save()
            report.created += 1
        else:
            changed = []
            if user.full_name != full_name[:200]:
                user.full_name = full_name[:200]
                changed.append("full_name")
            if directory.phone_attribute and user.phone != phone:
                user.phone = phone
                changed.append("phone")
            if (
                user.email != email
                and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
            ):
                user.email = email
                changed.append("email")
            if directory.organisation_attribute:
                organisation = _organisation(directory, entry)
                if organisation is not None and user.organisation_id != organisation.pk:
                    user.organisation = organisation
                    changed.append("organisation")
            if changed:
                user.save(update_fields=changed)
                report.updated += 1
        if account is None:
            account = DirectoryAccount(
                directory=directory, user=user, external_id=ext_id, dn=entry.dn
            )
        was_present = account.present
        account.external_id, account.dn, account.seen_at = ext_id, entry.dn, timezone.now()
        account.present = not disabled
        account.save()
        if disabled:
            if user.is_active and accounts.deactivate_user(user, directory.source):
                report.deactivated += 1
        elif not was_present and not user.is_active:
            # The sync deactivated them; the directory has them back.
            accounts.reactivate_user(user, directory.source)
            report.reactivated += 1
        found = mapping or Mapping(set(), set())
        accounts.grant_from_source(user, directory.source, roles=found.roles, groups=found.groups)
    return user


def sync_directory(directory: Directory) -> SyncReport:
    """Read every person of the directory; safe to run twice, and at any time."""
    report = SyncReport()
    try:
        conn = ldap.connect(directory)
    except ldap.DirectoryError as exc:
        report.error = str(exc)
        return _finish(directory, report)
    try:
        memberships = read_memberships(directory, conn)
        entries = list(
            ldap.search(
                conn,
                directory.user_base,
                ldap.user_filter(directory),
                ldap.user_attributes(directory),
            )
        )
    except ldap.DirectoryError as exc:
        report.error = str(exc)
        return _finish(directory, report)
    finally:
        conn.unbind()
    known = {
        a.external_id: a
        for a in DirectoryAccount.objects.filter(directory=directory).select_related("user")
    }
    if not entries and known:
        # A broken filter or an emptied base must not deactivate everyone.
        report.error = _("The search found nobody: nothing was changed.")
        return _finish(directory, report)
    seen: set[int] = set()
    for entry in entries:
        ext_id = ldap.external_id(directory, entry)
        user = apply_entry(
            directory, entry, memberships.get(entry.dn.lower()), report, known.get(ext_id)
        )
        if user is not None:
            seen.add(user.pk)
    if directory.deactivate_missing:
        for account in known.values():
            if account.user_id in seen or not account.present:
                continue
            with transaction.atomic():
                account.present = False
                account.save(update_fields=["present"])
                accounts.revoke_source(account.user, directory.source)
                if accounts.deactivate_user(account.user, directory.source):
                    report.deactivated += 1
    return _finish(directory, report)


def _finish(directory: Directory, report: SyncReport) -> SyncReport:
    if report.error:
        logger.warning("directory %s: sync failed: %s", directory.name, report.error)
    Directory.objects.filter(pk=directory.pk).update(
        last_sync_at=timezone.now(), last_sync_ok=report.ok, last_sync_report=report.text()[:4000]
    )
    return report


def due_directories() -> list[Directory]:
    """Active directories whose period has come (TUKI_DIRECTORY_SYNC_SECONDS since the last
    sync, a few seconds' slack for the job's own timing)."""
    period = timedelta(seconds=max(1, int(getattr(settings, "DIRECTORY_SYNC_SECONDS", 60))) - 5)
    return list(
        Directory.objects.filter(is_active=True, sync_enabled=True).exclude(
            last_sync_at__gt=timezone.now() - period
        )
    )
