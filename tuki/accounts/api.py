"""People, organisations and support groups over REST (read only); the caller's API tokens."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router

from tuki.accounts import access, directory, services, signin
from tuki.accounts.models import ApiToken, Organisation, SupportGroup, User
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


@router.get(
    "/users",
    response=list[UserOut],
    summary="Find people (agents; external agents only their groups and tickets' people)",
)
def list_users(request: ApiRequest, filters: Query[UserFilters]) -> QuerySet[User]:
    _agents_only(request.auth)
    qs = directory.people_visible_to(request.auth).select_related("organisation")
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


# --- the caller's personal API tokens -----------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The first characters, to recognise the token")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = Field(description="None: never expires")


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, never stored")


class TokenIn(Schema):
    name: str = Field("", max_length=100, description="What the token is for")
    expires_in_days: int | None = Field(
        None,
        ge=0,
        le=100_000,
        description="Lifetime in days; omitted: the desk's default; 0: never (if allowed)",
    )


class TokenPath(Schema):
    token_id: int = Field(..., ge=1, le=2**63 - 1)


@router.get("/me/tokens", response=list[TokenOut], summary="My API tokens")
def list_my_tokens(request: ApiRequest) -> QuerySet[ApiToken]:
    return services.tokens_of(request.auth)


@router.post("/me/tokens", response={201: NewTokenOut}, summary="Create an API token")
def create_my_token(request: ApiRequest, payload: TokenIn) -> tuple[int, dict[str, object]]:
    if getattr(request, "api_token", None) is not None:
        # A stolen token must not outlive its expiry by minting its successors.
        raise PermissionDenied(_("Create tokens from a signed-in session, not with a token."))
    if signin.needs_step_up(request):
        raise PermissionDenied(
            _("Prove your second factor again on the API tokens page, then retry.")
        )
    token, raw = services.create_api_token(
        request.auth, request.auth, name=payload.name, days=payload.expires_in_days
    )
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/me/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def revoke_my_token(request: ApiRequest, path: Path[TokenPath]) -> tuple[int, None]:
    services.revoke_api_token(request.auth, access.own_token(request.auth, path.token_id))
    return 204, None


# --- administrators: anyone's tokens ------------------------------------------------------


class UserTokenPath(Schema):
    user_id: int = Field(..., ge=1, le=2**63 - 1)


class UserTokenItemPath(UserTokenPath):
    token_id: int = Field(..., ge=1, le=2**63 - 1)


def _administrators_only(user: User) -> None:
    if not (user.is_staff or user.is_superuser):
        raise PermissionDenied(_("Only administrators may do this."))


@router.get(
    "/users/{user_id}/tokens", response=list[TokenOut], summary="A person's API tokens (admins)"
)
def list_user_tokens(request: ApiRequest, path: Path[UserTokenPath]) -> QuerySet[ApiToken]:
    _administrators_only(request.auth)
    owner = get_object_or_404(User, pk=path.user_id)
    return services.tokens_of(owner)


@router.delete(
    "/users/{user_id}/tokens/{token_id}",
    response={204: None},
    summary="Revoke a person's API token (admins)",
)
def revoke_user_token(request: ApiRequest, path: Path[UserTokenItemPath]) -> tuple[int, None]:
    _administrators_only(request.auth)
    token = get_object_or_404(
        ApiToken.objects.select_related("user"), pk=path.token_id, user_id=path.user_id
    )
    services.revoke_api_token(request.auth, token)
    return 204, None
