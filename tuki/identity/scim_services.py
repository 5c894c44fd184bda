"""SCIM 2.0 (RFC 7643, 7644) provisioning: what a provider's calls do to Tuki's people.

Users: userName and emails give the email address, name/displayName the full name,
phoneNumbers the phone, `active` the account's state (false: deactivated at once, sessions
and API tokens gone). Groups: members get the roles and the support group an administrator
mapped to the group, granted under the source "scim:<provider id>".
Errors are `ScimError`s carrying the HTTP status and scimType to answer with.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuki.accounts import services as accounts
from tuki.accounts.models import User
from tuki.identity.models import ScimGroup, ScimProvider, ScimUser

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


# --- representation ------------------------------------------------------------------------


def _stamp(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def user_resource(scim_user: ScimUser, location: str) -> dict[str, Any]:
    user = scim_user.user
    parts = user.full_name.split(" ", 1)
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": str(scim_user.pk),
        "userName": scim_user.user_name,
        "name": {
            "formatted": user.full_name,
            "givenName": parts[0],
            "familyName": parts[1] if len(parts) > 1 else "",
        },
        "displayName": user.full_name,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": user.is_active,
        "groups": [{"value": str(g.pk), "display": g.display_name} for g in scim_user.groups.all()],
        "meta": {
            "resourceType": "User",
            "created": _stamp(scim_user.created_at),
            "lastModified": _stamp(scim_user.updated_at),
            "location": location,
        },
    }
    if scim_user.external_id:
        resource["externalId"] = scim_user.external_id
    if user.phone:
        resource["phoneNumbers"] = [{"value": user.phone, "type": "work"}]
    return resource


def group_resource(group: ScimGroup, location: str, members: bool = True) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": _stamp(group.created_at),
            "lastModified": _stamp(group.updated_at),
            "location": location,
        },
    }
    if members:
        resource["members"] = [
            {"value": str(m.pk), "display": m.user_name} for m in group.members.all()
        ]
    if group.external_id:
        resource["externalId"] = group.external_id
    return resource


# --- filters ---------------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*([A-Za-z.:0-9]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str) -> tuple[str, str] | None:
    """`attribute eq "value"`, the one filter Entra ID and Okta send; else a 400."""
    if not text:
        return None
    match = _FILTER.match(text)
    if not match:
        raise ScimError(
            400, 'Only filters of the form attribute eq "value" are supported.', "invalidFilter"
        )
    return match.group(1).lower(), match.group(2).replace('\\"', '"').replace("\\\\", "\\")


# --- users -----------------------------------------------------------------------------------


def _email_of(data: dict[str, Any]) -> str:
    emails = data.get("emails") or []
    chosen = ""
    if isinstance(emails, list):
        for item in emails:
            if isinstance(item, dict) and item.get("value"):
                if item.get("primary") or not chosen:
                    chosen = str(item["value"])
    user_name = str(data.get("userName") or "")
    if not chosen and "@" in user_name:
        chosen = user_name
    return chosen.strip().lower()


def _name_of(data: dict[str, Any]) -> str:
    name = data.get("name") if isinstance(data.get("name"), dict) else {}
    assert isinstance(name, dict)
    formatted = (name.get("formatted") or "").strip()
    given = " ".join(str(name.get(k) or "").strip() for k in ("givenName", "familyName")).strip()
    return (str(data.get("displayName") or "").strip() or formatted or given)[:200]


def _phone_of(data: dict[str, Any]) -> str | None:
    phones = data.get("phoneNumbers")
    if not isinstance(phones, list):
        return None
    for item in phones:
        if isinstance(item, dict) and item.get("value"):
            return str(item["value"])[:50]
    return ""


def _active_of(value: Any) -> bool:
    # Entra ID sends "False" as a string in PATCH operations.
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no")
    return bool(value)


def find_users(provider: ScimProvider, filter_text: str) -> list[ScimUser]:
    queryset = ScimUser.objects.filter(provider=provider).select_related("user").order_by("pk")
    found = parse_filter(filter_text)
    if found is None:
        return list(queryset)
    attribute, value = found
    if attribute == "username":
        return list(queryset.filter(user_name__iexact=value))
    if attribute == "externalid":
        return list(queryset.filter(external_id=value))
    if attribute in ("emails.value", "emails"):
        return list(queryset.filter(user__email__iexact=value))
    if attribute == "id":
        return list(queryset.filter(pk=int(value))) if value.isdigit() else []
    raise ScimError(400, f"Cannot filter on {attribute}.", "invalidFilter")


def create_user(provider: ScimProvider, data: dict[str, Any]) -> ScimUser:
    user_name = str(data.get("userName") or "").strip()
    if not user_name:
        raise ScimError(400, "userName is required.", "invalidValue")
    email = _email_of(data)
    if not email or "@" not in email:
        raise ScimError(
            400, "An email address (emails or an email userName) is required.", "invalidValue"
        )
    if ScimUser.objects.filter(provider=provider, user_name__iexact=user_name).exists():
        raise ScimError(409, f"{user_name} exists already.", "uniqueness")
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and ScimUser.objects.filter(provider=provider, user=user).exists():
            raise ScimError(409, f"{email} exists already.", "uniqueness")
        if user is None:
            user = User(email=email, full_name=_name_of(data) or email, phone=_phone_of(data) or "")
            user.organisation = provider.organisation
            user.is_active = _active_of(data.get("active", True))
            user.set_unusable_password()
            user.save()
        scim_user = ScimUser.objects.create(
            provider=provider,
            user=user,
            user_name=user_name[:300],
            external_id=str(data.get("externalId") or "")[:200],
        )
        if "active" in data:
            _set_active(provider, user, _active_of(data["active"]))
    return scim_user


def _set_active(provider: ScimProvider, user: User, active: bool) -> None:
    if active and not user.is_active:
        accounts.reactivate_user(user, provider.source)
    elif not active and user.is_active:
        accounts.deactivate_user(user, provider.source)


def replace_user(provider: ScimProvider, scim_user: ScimUser, data: dict[str, Any]) -> ScimUser:
    """PUT: the resource as sent (attributes not sent keep Tuki's values where Tuki has no
    empty default: name and email always come with a PUT)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=scim_user.user_id)
        if data.get("userName"):
            scim_user.user_name = str(data["userName"]).strip()[:300]
        if "externalId" in data:
            scim_user.external_id = str(data.get("externalId") or "")[:200]
        _update_person(user, email=_email_of(data), name=_name_of(data), phone=_phone_of(data))
        scim_user.updated_at = timezone.now()
        scim_user.save()
        if "active" in data:
            _set_active(provider, user, _active_of(data["active"]))
    scim_user.user = user
    return scim_user


def _update_person(user: User, *, email: str | None, name: str | None, phone: str | None) -> None:
    changed = []
    if email and email != user.email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ScimError(409, f"{email} belongs to someone else.", "uniqueness")
        user.email = email
        changed.append("email")
    if name and name != user.full_name:
        user.full_name = name
        changed.append("full_name")
    if phone is not None and phone != user.phone:
        user.phone = phone
        changed.append("phone")
    if changed:
        user.save(update_fields=changed)


def patch_user(provider: ScimProvider, scim_user: ScimUser, data: dict[str, Any]) -> ScimUser:
    """PATCH with the operations Entra ID and Okta send: replace/add of active, userName,
    name.*, displayName, emails, phoneNumbers, externalId, with or without a path."""
    operations = _operations(data)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=scim_user.user_id)
        for op, path, value in operations:
            if op == "remove":
                if path.lower().startswith("phonenumbers"):
                    _update_person(user, email=None, name=None, phone="")
                continue
            changes = {path: value} if path else (value if isinstance(value, dict) else {})
            if not isinstance(changes, dict):
                raise ScimError(
                    400, "A patch without a path needs an object value.", "invalidValue"
                )
            for key, item in changes.items():
                _patch_user_attribute(provider, scim_user, user, key, item)
        scim_user.updated_at = timezone.now()
        scim_user.save()
    scim_user.user = user
    return scim_user


def _patch_user_attribute(
    provider: ScimProvider, scim_user: ScimUser, user: User, key: str, value: Any
) -> None:
    path = key.lower()
    if path.startswith(ENTERPRISE_SCHEMA.lower()):
        return  # manager, department...: not kept
    if path == "active":
        _set_active(provider, user, _active_of(value))
    elif path == "username":
        scim_user.user_name = str(value).strip()[:300]
    elif path == "externalid":
        scim_user.external_id = str(value or "")[:200]
    elif path == "displayname":
        _update_person(user, email=None, name=str(value).strip()[:200], phone=None)
    elif path in ("name.formatted",):
        _update_person(user, email=None, name=str(value).strip()[:200], phone=None)
    elif path in ("name.givenname", "name.familyname"):
        parts = user.full_name.split(" ", 1) + [""]
        given, family = parts[0], parts[1]
        if path == "name.givenname":
            given = str(value).strip()
        else:
            family = str(value).strip()
        _update_person(user, email=None, name=f"{given} {family}".strip()[:200], phone=None)
    elif path == "name" and isinstance(value, dict):
        _update_person(user, email=None, name=_name_of({"name": value}), phone=None)
    elif path.startswith("emails"):
        email = (
            value
            if isinstance(value, str)
            else _email_of({"emails": value if isinstance(value, list) else [value]})
        )
        _update_person(user, email=str(email).strip().lower(), name=None, phone=None)
    elif path.startswith("phonenumbers"):
        phone = (
            value
            if isinstance(value, str)
            else _phone_of({"phoneNumbers": value if isinstance(value, list) else [value]})
        )
        _update_person(user, email=None, name=None, phone=str(phone or "")[:50])
    # Other attributes (title, locale, addresses...) are not kept by Tuki.


def _operations(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    if PATCH_SCHEMA not in (data.get("schemas") or []):
        raise ScimError(400, "A PATCH needs the PatchOp schema.", "invalidSyntax")
    found = []
    for item in data.get("Operations") or []:
        if not isinstance(item, dict):
            raise ScimError(400, "Operations must be objects.", "invalidSyntax")
        op = str(item.get("op") or "").lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown operation {op!r}.", "invalidSyntax")
        found.append((op, str(item.get("path") or ""), item.get("value")))
    return found


def delete_user(provider: ScimProvider, scim_user: ScimUser) -> None:
    """DELETE: Tuki never deletes a person (their tickets stay): deactivated, unlinked."""
    with transaction.atomic():
        user = scim_user.user
        groups = list(scim_user.groups.all())
        scim_user.delete()
        accounts.revoke_source(user, provider.source)
        accounts.deactivate_user(user, provider.source)
        for group in groups:
            ScimGroup.objects.filter(pk=group.pk).update(updated_at=timezone.now())


# --- groups ----------------------------------------------------------------------------------


def find_groups(provider: ScimProvider, filter_text: str) -> list[ScimGroup]:
    queryset = ScimGroup.objects.filter(provider=provider).order_by("pk")
    found = parse_filter(filter_text)
    if found is None:
        return list(queryset)
    attribute, value = found
    if attribute == "displayname":
        return list(queryset.filter(display_name__iexact=value))
    if attribute == "externalid":
        return list(queryset.filter(external_id=value))
    if attribute == "id":
        return list(queryset.filter(pk=int(value))) if value.isdigit() else []
    raise ScimError(400, f"Cannot filter on {attribute}.", "invalidFilter")


def _member_ids(provider: ScimProvider, members: Any) -> set[int]:
    if not isinstance(members, list):
        members = [members] if members else []
    ids = set()
    for item in members:
        value = item.get("value") if isinstance(item, dict) else item
        if str(value).isdigit():
            ids.add(int(str(value)))
    return set(ScimUser.objects.filter(provider=provider, pk__in=ids).values_list("pk", flat=True))


def create_group(provider: ScimProvider, data: dict[str, Any]) -> ScimGroup:
    name = str(data.get("displayName") or "").strip()
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    if ScimGroup.objects.filter(provider=provider, display_name__iexact=name).exists():
        raise ScimError(409, f"{name} exists already.", "uniqueness")
    with transaction.atomic():
        group = ScimGroup.objects.create(
            provider=provider,
            display_name=name[:200],
            external_id=str(data.get("externalId") or "")[:200],
        )
        _set_members(group, _member_ids(provider, data.get("members")))
    return group


def replace_group(provider: ScimProvider, group: ScimGroup, data: dict[str, Any]) -> ScimGroup:
    with transaction.atomic():
        if data.get("displayName"):
            group.display_name = str(data["displayName"]).strip()[:200]
        if "externalId" in data:
            group.external_id = str(data.get("externalId") or "")[:200]
        group.updated_at = timezone.now()
        group.save()
        _set_members(group, _member_ids(provider, data.get("members")))
    return group


_MEMBER_PATH = re.compile(r'^members\[value eq "([^"]*)"\]$', re.IGNORECASE)


def patch_group(provider: ScimProvider, group: ScimGroup, data: dict[str, Any]) -> ScimGroup:
    operations = _operations(data)
    with transaction.atomic():
        members = set(group.members.values_list("pk", flat=True))
        for op, path, value in operations:
            lower = path.lower()
            if lower == "members":
                ids = _member_ids(provider, value)
                if op == "add":
                    members |= ids
                elif op == "replace":
                    members = ids
                else:
                    members = members - ids if value else set()
            elif (match := _MEMBER_PATH.match(path)) and op == "remove":
                if match.group(1).isdigit():
                    members.discard(int(match.group(1)))
            elif not path and isinstance(value, dict):
                if "displayName" in value:
                    group.display_name = str(value["displayName"]).strip()[:200]
                if "externalId" in value:
                    group.external_id = str(value["externalId"] or "")[:200]
                if "members" in value:
                    ids = _member_ids(provider, value["members"])
                    members = members | ids if op == "add" else ids
            elif lower == "displayname":
                group.display_name = str(value).strip()[:200]
            elif lower == "externalid":
                group.external_id = str(value or "")[:200]
        group.updated_at = timezone.now()
        group.save()
        _set_members(group, members)
    return group


def delete_group(provider: ScimProvider, group: ScimGroup) -> None:
    with transaction.atomic():
        members = list(group.members.select_related("user"))
        group.delete()
        for member in members:
            regrant(provider, member)


def _set_members(group: ScimGroup, ids: set[int]) -> None:
    before = set(group.members.values_list("pk", flat=True))
    if before == ids:
        return
    group.members.set(ids)
    for member in ScimUser.objects.filter(pk__in=before ^ ids).select_related("user"):
        regrant(group.provider, member)


def regrant(provider: ScimProvider, scim_user: ScimUser) -> None:
    """Grant a user exactly what their groups of this provider map to."""
    roles: set[str] = set()
    groups: set[int] = set()
    for group in ScimGroup.objects.filter(provider=provider, members=scim_user):
        roles.update(r for r in group.role_list() if r in accounts.ROLE_FLAGS)
        if group.support_group_id:
            groups.add(group.support_group_id)
    accounts.grant_from_source(scim_user.user, provider.source, roles=roles, groups=groups)


def regrant_members(group: ScimGroup) -> None:
    for member in group.members.select_related("user"):
        regrant(group.provider, member)


def touch(provider: ScimProvider) -> None:
    now = timezone.now()
    if provider.last_used_at is None or (now - provider.last_used_at).total_seconds() > 60:
        ScimProvider.objects.filter(pk=provider.pk).update(last_used_at=now)
