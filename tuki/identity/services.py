"""Writes to directories and SCIM providers (the console calls these), the connection test
and a sync on demand. Only administrators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuki.accounts import services as accounts
from tuki.accounts.models import SupportGroup, User
from tuki.identity import ldap, scim_services, sync
from tuki.identity.models import Directory, DirectoryGroupMap, ScimGroup, ScimProvider
from tuki.lib.errors import ServiceError


def is_admin(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def _check_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators may do this."))


def _refuse(message: str, field_name: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, field=field_name, code=code)


DIRECTORY_FIELDS = (
    "kind",
    "urls",
    "security",
    "ca_certificate",
    "bind_dn",
    "user_base",
    "user_filter",
    "login_attribute",
    "email_attribute",
    "name_attribute",
    "phone_attribute",
    "organisation_attribute",
    "id_attribute",
    "group_base",
    "group_filter",
    "member_attribute",
    "sign_in",
    "sync_enabled",
    "deactivate_missing",
    "is_active",
)


def save_directory(actor: User, directory: Directory, data: dict[str, Any]) -> Directory:
    """Create (unsaved `directory`) or change one; an empty `bind_password` keeps the stored."""
    _check_admin(actor)
    if "name" in data or directory.pk is None:
        name = (data.get("name") or "").strip()
        if not name:
            raise _refuse(_("A name is required."), "name", "required")
        if Directory.objects.filter(name__iexact=name).exclude(pk=directory.pk).exists():
            raise _refuse(_("%(name)s exists already.") % {"name": name}, "name", "duplicate")
        directory.name = name
    for key in DIRECTORY_FIELDS:
        if key in data:
            value = data[key]
            setattr(directory, key, value.strip() if isinstance(value, str) else value)
    if data.get("bind_password"):
        directory.bind_password = str(data["bind_password"])
    urls = directory.url_list()
    if not urls:
        raise _refuse(_("At least one server URL is required."), "urls", "required")
    for url in urls:
        if not url.lower().startswith(("ldap://", "ldaps://")):
            raise _refuse(
                _("%(url)s is not an ldap:// or ldaps:// URL.") % {"url": url}, "urls", "invalid"
            )
    if directory.security == Directory.Security.LDAPS and any(
        u.lower().startswith("ldap://") for u in urls
    ):
        raise _refuse(_("LDAPS needs ldaps:// URLs."), "urls", "invalid")
    pem = (directory.ca_certificate or "").strip()
    if pem and "-----BEGIN CERTIFICATE-----" not in pem:
        raise _refuse(_("Paste a PEM certificate (-----BEGIN CERTIFICATE-----)."), "ca_certificate")
    for name in ("user_filter", "group_filter"):
        value = getattr(directory, name)
        if value and value.count("(") != value.count(")"):
            raise _refuse(_("The parentheses of this filter do not match."), name)
    try:
        directory.full_clean(exclude=["bind_password"], validate_unique=False)
    except ValidationError as exc:
        key, messages = next(iter(exc.message_dict.items()))
        raise _refuse(messages[0], "" if key == "__all__" else key) from None
    with transaction.atomic():
        directory.save()
    return directory


def _roles(text: str) -> str:
    names = [r.strip() for r in (text or "").replace(";", ",").split(",") if r.strip()]
    unknown = [r for r in names if r not in accounts.ROLE_FLAGS]
    if unknown:
        raise _refuse(
            _("Unknown roles: %(roles)s. Use %(known)s.")
            % {"roles": ", ".join(unknown), "known": ", ".join(accounts.ROLE_FLAGS)},
            "roles",
        )
    return ", ".join(dict.fromkeys(names))


def add_group_map(
    actor: User,
    directory: Directory,
    *,
    group_dn: str,
    roles: str = "",
    support_group: SupportGroup | None = None,
) -> DirectoryGroupMap:
    _check_admin(actor)
    group_dn = (group_dn or "").strip()
    if not group_dn or "=" not in group_dn:
        raise _refuse(
            _("Enter the group's DN, e.g. cn=helpdesk,ou=groups,dc=example,dc=com."),
            "group_dn",
            "required",
        )
    roles = _roles(roles)
    if not roles and support_group is None:
        raise _refuse(_("Give roles, a support group or both."), "roles", "required")
    with transaction.atomic():
        return DirectoryGroupMap.objects.create(
            directory=directory, group_dn=group_dn, roles=roles, support_group=support_group
        )


def remove_group_map(actor: User, group_map: DirectoryGroupMap) -> None:
    _check_admin(actor)
    with transaction.atomic():
        group_map.delete()


@dataclass
class ConnectionCheck:
    ok: bool
    message: str
    details: list[str] = field(default_factory=list)


def check_connection(actor: User, directory: Directory) -> ConnectionCheck:
    """Connect, bind with the service account, find people and read their attributes, find
    the groups: every failure comes back as a sentence, never as an exception."""
    _check_admin(actor)
    details: list[str] = []
    try:
        conn = ldap.connect(directory)
    except ldap.DirectoryError as exc:
        return ConnectionCheck(False, str(exc))
    try:
        details.append(
            _("Connected and signed in as %(dn)s.") % {"dn": directory.bind_dn or _("anonymous")}
        )
        people = []
        for entry in ldap.search(
            conn, directory.user_base, ldap.user_filter(directory), ldap.user_attributes(directory)
        ):
            people.append(entry)
            if len(people) >= 50:
                break
        if not people:
            return ConnectionCheck(
                False,
                _("The search under %(base)s with %(filter)s found nobody.")
                % {"base": directory.user_base, "filter": ldap.user_filter(directory)},
                details,
            )
        details.append(_("Found people, for example %(dn)s.") % {"dn": people[0].dn})
        for attribute in (
            directory.email_attribute,
            directory.name_attribute,
            directory.login_attribute,
        ):
            if not any(p.first(attribute) for p in people):
                return ConnectionCheck(
                    False,
                    _("None of the first people found has the attribute %(attribute)s.")
                    % {"attribute": attribute},
                    details,
                )
        without_mail = sum(1 for p in people if not p.first(directory.email_attribute))
        if without_mail:
            details.append(
                _("%(count)d of the first %(total)d have no %(attribute)s and will be skipped.")
                % {
                    "count": without_mail,
                    "total": len(people),
                    "attribute": directory.email_attribute,
                }
            )
        for optional in (
            directory.phone_attribute,
            directory.organisation_attribute,
            directory.id_attribute,
        ):
            if optional and not any(p.first(optional) for p in people):
                details.append(
                    _("None of the first people found has the attribute %(attribute)s.")
                    % {"attribute": optional}
                )
        if directory.group_base:
            groups = []
            for entry in ldap.search(
                conn, directory.group_base, directory.group_filter or "(objectClass=*)", []
            ):
                groups.append(entry.dn)
                if len(groups) >= 20:
                    break
            if groups:
                details.append(_("Groups found: %(groups)s") % {"groups": "; ".join(groups)})
            else:
                details.append(
                    _("No groups found under %(base)s.") % {"base": directory.group_base}
                )
        for group_map in directory.group_maps.all():
            if not list(ldap.search(conn, group_map.group_dn, "(objectClass=*)", [], scope="base")):
                details.append(
                    _("The mapped group %(dn)s was not found.") % {"dn": group_map.group_dn}
                )
    except ldap.DirectoryError as exc:
        if exc.code == "no_base":
            return ConnectionCheck(False, str(exc), details)
        return ConnectionCheck(False, str(exc), details)
    finally:
        conn.unbind()
    return ConnectionCheck(True, _("The directory answers and the settings find people."), details)


def sync_now(actor: User, directory: Directory) -> sync.SyncReport:
    _check_admin(actor)
    return sync.sync_directory(directory)


def delete_directory(actor: User, directory: Directory) -> None:
    """Forget a directory: what it granted is taken back; its people stay as they are."""
    _check_admin(actor)
    with transaction.atomic():
        for account in directory.accounts.select_related("user"):
            accounts.revoke_source(account.user, directory.source)
        directory.delete()


# --- SCIM providers -------------------------------------------------------------------------


def create_scim_provider(actor: User, data: dict[str, Any]) -> tuple[ScimProvider, str]:
    """A new provider and its bearer token, returned once (only a digest is kept)."""
    _check_admin(actor)
    name = (data.get("name") or "").strip()
    if not name:
        raise _refuse(_("A name is required."), "name", "required")
    if len(name) > 100:
        raise _refuse(_("Keep the name under 100 characters."), "name", "too_long")
    if ScimProvider.objects.filter(name__iexact=name).exists():
        raise _refuse(_("%(name)s exists already.") % {"name": name}, "name", "duplicate")
    raw = ScimProvider.new_secret()
    with transaction.atomic():
        provider = ScimProvider.objects.create(
            name=name,
            organisation=data.get("organisation"),
            digest=ScimProvider.hash(raw),
            hint=raw[:14],
        )
    return provider, raw


def new_scim_token(actor: User, provider: ScimProvider) -> str:
    """Replace the provider's token (the old one stops working at once)."""
    _check_admin(actor)
    raw = ScimProvider.new_secret()
    with transaction.atomic():
        provider.digest = ScimProvider.hash(raw)
        provider.hint = raw[:14]
        provider.save(update_fields=["digest", "hint"])
    return raw


def set_scim_provider_active(actor: User, provider: ScimProvider, active: bool) -> None:
    _check_admin(actor)
    with transaction.atomic():
        provider.is_active = active
        provider.save(update_fields=["is_active"])


def delete_scim_provider(actor: User, provider: ScimProvider) -> None:
    """Forget a provider: what it granted is taken back; its people stay as they are."""
    _check_admin(actor)
    with transaction.atomic():
        for scim_user in provider.users.select_related("user"):
            accounts.revoke_source(scim_user.user, provider.source)
        provider.delete()


def map_scim_group(
    actor: User, group: ScimGroup, *, roles: str = "", support_group: SupportGroup | None = None
) -> ScimGroup:
    """What members of a group the provider pushed get in Tuki."""
    _check_admin(actor)
    with transaction.atomic():
        group.roles = _roles(roles)
        group.support_group = support_group
        group.save(update_fields=["roles", "support_group"])
        scim_services.regrant_members(group)
    return group
