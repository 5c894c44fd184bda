"""People, organisations and support groups over REST (read only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.lib.bounds import Schema
from tuki.lib.http import ApiRequest

router = Router(tags=["people"])


class OrganisationOut(Schema):
    id: int
    name: str


class GroupOut(Schema):
    id: int
    name: str
    tier: int
    may_write_to_requesters: bool
    location_id: int | None
    manager_id: int | None


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    phone: str
    organisation: OrganisationOut | None
    is_agent: bool
    role: str


class MeOut(UserOut):
    language: str
    time_zone: str
    may_write_to_requesters: bool
    groups: list[GroupOut]

    @staticmethod
    def resolve_groups(obj: User) -> list[SupportGroup]:
        return list(obj.support_groups.all())

    @staticmethod
    def resolve_may_write_to_requesters(obj: User) -> bool:
        return bool(obj.is_agent or obj.is_superuser) and obj.may_write_to_requesters


class UserFilters(Schema):
    q: str | None = Field(
        None, pattern=r"^[^\x00]*$", description="Part of a name, email or phone number"
    )
    organisation: int | None = None
    is_agent: bool | None = None
    limit: int = Field(50, ge=1, le=200)


def _agents_only(user: User) -> None:
    if not (user.is_agent or user.is_superuser):
        raise PermissionDenied(_("Only agents may look people up."))


@router.get("/users", response=list[UserOut], summary="Find people (agents)")
def list_users(request: ApiRequest, filters: Query[UserFilters]) -> QuerySet[User]:
    _agents_only(request.auth)
    qs = User.objects.filter(is_active=True).select_related("organisation")
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        qs = qs.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
        )
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.is_agent is not None:
        qs = qs.filter(is_agent=filters.is_agent)
    return qs[: filters.limit]


@router.get("/users/me", response=MeOut, summary="Who am I")
def me(request: ApiRequest) -> User:
    return request.auth


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations")
def list_organisations(request: ApiRequest) -> QuerySet[Organisation]:
    user = request.auth
    qs = Organisation.objects.filter(is_active=True)
    if user.is_agent or user.is_superuser:
        return qs
    # Requesters learn nothing about other clients of the provider.
    return qs.filter(pk=user.organisation_id or 0)


@router.get("/groups", response=list[GroupOut], summary="Support groups")
def list_groups(request: ApiRequest) -> QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(is_active=True)
