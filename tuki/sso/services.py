"""Every write of single sign-on: identity providers (the console) and the people who sign
in through them (just-in-time requesters, the roles and groups their provider maps)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts import services as account_services
from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.sso import membership
from tuki.sso.models import IdentityProvider, SamlRequest

logger = logging.getLogger(__name__)

ROLES = ("agent", "admin")
PLAIN_FIELDS = (
    "kind",
    "name",
    "enabled",
    "email_domains",
    "issuer",
    "client_id",
    "scopes",
    "metadata_url",
    "metadata_xml",
    "entity_id",
    "certificate",
    "email_attribute",
    "name_attribute",
    "groups_attribute",
    "mappings",
    "create_users",
    "asserts_second_factor",
)


def _check_admin(actor: User) -> None:
    if not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied


# --- providers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    value: str  # the provider's group (a claim or attribute value)
    role: str | None  # "agent" | "admin"
    group: SupportGroup | None


def parse_mappings(text: str) -> list[Mapping]:
    """`provider group -> agent|admin|<support group name>`, one a line; `#` starts a comment.
    The last `->` splits (a DN such as CN=Agents,OU=IT has no arrow but may have `=`)."""
    result = []
    groups = {g.name.casefold(): g for g in SupportGroup.objects.all()}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "->" not in line:
            raise ServiceError(
                _("Line %(number)d: write “provider group -> agent, admin or a support group”.")
                % {"number": number},
                field="mappings",
            )
        value, _arrow, target = line.rpartition("->")
        value, target = value.strip(), target.strip()
        if not value or not target:
            raise ServiceError(
                _("Line %(number)d: write “provider group -> agent, admin or a support group”.")
                % {"number": number},
                field="mappings",
            )
        if target.lower() in ROLES:
            result.append(Mapping(value, target.lower(), None))
            continue
        group = groups.get(target.casefold())
        if group is None:
            raise ServiceError(
                _("Line %(number)d: there is no support group “%(name)s”.")
                % {"number": number, "name": target},
                field="mappings",
            )
        result.append(Mapping(value, None, group))
    return result


def save_provider(
    actor: User, provider: IdentityProvider, data: dict[str, Any]
) -> IdentityProvider:
    """Create (unsaved `provider`) or change a provider from `data`; only its keys change. An
    empty or absent `client_secret` keeps the stored one; `organisation` is an id or None."""
    _check_admin(actor)
    for key in PLAIN_FIELDS:
        if key in data:
            value = data[key]
            setattr(provider, key, value.strip() if isinstance(value, str) else value)
    if "organisation" in data:
        pk = data["organisation"]
        found = Organisation.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and found is None:
            raise ServiceError(_("Unknown or not allowed."), field="organisation")
        provider.organisation = found
    if data.get("client_secret"):
        provider.client_secret = str(data["client_secret"])
    provider.email_domains = ", ".join(provider.domain_list())
    _validate(provider)
    with transaction.atomic():
        provider.save()
    return provider


def _validate(provider: IdentityProvider) -> None:
    if not provider.name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if provider.kind == IdentityProvider.Kind.OIDC:
        if not provider.issuer:
            raise ServiceError(_("The issuer is required."), field="issuer", code="required")
        if not provider.client_id:
            raise ServiceError(_("The client ID is required."), field="client_id", code="required")
        if "openid" not in provider.scopes.split():
            raise ServiceError(_("The scopes must include openid."), field="scopes")
    elif provider.kind == IdentityProvider.Kind.SAML:
        if not (provider.metadata_url or provider.metadata_xml):
            raise ServiceError(
                _("Give the metadata URL or paste the metadata XML."),
                field="metadata_url",
                code="required",
            )
    if provider.organisation_id is not None and not provider.domain_list():
        raise ServiceError(
            _("A provider of an organisation needs its email domains."),
            field="email_domains",
            code="required",
        )
    parse_mappings(provider.mappings)
    try:
        provider.full_clean(exclude=["client_secret"], validate_unique=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(" ".join(messages), field=name) from exc


def delete_provider(actor: User, provider: IdentityProvider) -> None:
    """Removes the provider and takes back the roles and groups it granted (its source)."""
    _check_admin(actor)
    source = provider.source
    revoke = getattr(account_services, "revoke_source", None)
    with transaction.atomic():
        if revoke is not None:
            for user in _users_granted_by(source):
                revoke(user, source)
        provider.delete()


def _users_granted_by(source: str) -> list[User]:
    label = "accounts.MembershipGrant"  # helper "directory"'s model, once merged
    try:
        grant = apps.get_model(label)
    except LookupError:
        return []
    ids = grant._default_manager.filter(source=source).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=set(ids)))


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider whose email domains include this address's domain."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for provider in IdentityProvider.objects.filter(enabled=True).exclude(email_domains=""):
        if domain in provider.domain_list():
            return provider
    return None


# --- SAML requests in flight ------------------------------------------------------------------

SAML_REQUEST_LIFETIME = timedelta(minutes=10)


def remember_saml_request(provider: IdentityProvider, request_id: str, next_url: str) -> None:
    """Records an AuthnRequest (and where to go after it); forgets those too old to answer."""
    SamlRequest.objects.filter(created_at__lt=timezone.now() - SAML_REQUEST_LIFETIME).delete()
    SamlRequest.objects.create(
        request_id=request_id[:100], provider=provider, next_url=next_url[:1000]
    )


def consume_saml_request(provider: IdentityProvider, request_id: str) -> SamlRequest | None:
    """The recorded request a Response answers, removed (a Response is accepted once); None
    for an unknown, reused, expired or other provider's request."""
    if not request_id:
        return None
    with transaction.atomic():
        found = (
            SamlRequest.objects.select_for_update()
            .filter(
                request_id=request_id,
                provider=provider,
                created_at__gte=timezone.now() - SAML_REQUEST_LIFETIME,
            )
            .first()
        )
        if found is not None:
            SamlRequest.objects.filter(pk=found.pk).delete()
    return found


# --- signing in --------------------------------------------------------------------------------


@dataclass
class Identity:
    """What a provider asserted about the person, whichever protocol brought it."""

    email: str
    name: str = ""
    groups: list[str] | None = None  # None: the claim or attribute did not arrive
    mfa: bool = False
    email_verified: bool = True  # False only when the provider says so (OIDC email_verified)
    arrived: dict[str, Any] = field(default_factory=dict)  # every claim, for error messages


def _arrived(identity: Identity) -> str:
    return ", ".join(sorted(identity.arrived)) or "-"


def sign_in(provider: IdentityProvider, identity: Identity) -> User:
    """The user this identity signs in as: found by email or created (a requester of the
    provider's organisation, or of the organisation whose domain the address has); then the
    provider's group mappings granted as its own source. Refusals are ServiceErrors."""
    email = (identity.email or "").strip().lower()
    if not email or "@" not in email:
        raise ServiceError(
            _("The provider sent no email address in “%(claim)s”. What arrived: %(arrived)s.")
            % {"claim": provider.email_attribute, "arrived": _arrived(identity)},
            code="missing_claim",
        )
    if not identity.email_verified:
        raise ServiceError(
            _("The provider has not verified the email address %(email)s.") % {"email": email},
            code="unverified_email",
        )
    domain = email.rpartition("@")[2]
    domains = provider.domain_list()
    if domains and domain not in domains:
        raise ServiceError(
            _("%(provider)s may not sign in addresses of %(domain)s.")
            % {"provider": provider.name, "domain": domain},
            code="wrong_domain",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            if not provider.create_users:
                raise ServiceError(
                    _("There is no account for %(email)s. Ask the service desk for one.")
                    % {"email": email},
                    code="no_account",
                )
            user = User.objects.create_user(
                email,
                full_name=identity.name.strip()[:200] or email.partition("@")[0],
                organisation=provider.organisation or _organisation_of(domain),
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            logger.info("sso: created %s through provider %s", user.pk, provider.pk)
        else:
            if not user.is_active:
                raise ServiceError(_("This account is deactivated."), code="inactive")
            if provider.organisation_id is not None and (
                user.is_superuser or user.organisation_id != provider.organisation_id
            ):
                raise ServiceError(
                    _("%(provider)s may not sign in this account.") % {"provider": provider.name},
                    code="wrong_organisation",
                )
            if not user.full_name and identity.name:
                user.full_name = identity.name.strip()[:200]
                user.save(update_fields=["full_name"])
        apply_mappings(provider, user, identity.groups)
    return user


def _organisation_of(domain: str) -> Organisation | None:
    for organisation in Organisation.objects.filter(is_active=True).exclude(domains=""):
        if domain in [d.strip().lower().lstrip("@") for d in organisation.domains.split(",")]:
            return organisation
    return None


def apply_mappings(provider: IdentityProvider, user: User, groups: list[str] | None) -> Any:
    """Grants what the provider's groups map to, as source `sso:<pk>`. Nothing happens when
    the provider maps nothing or the groups did not arrive (absent is not "none")."""
    mappings = parse_mappings(provider.mappings)
    if not mappings or groups is None:
        return None
    have = set(groups)
    roles = sorted({m.role for m in mappings if m.role and m.value in have})
    support = [m.group for m in mappings if m.group is not None and m.value in have]
    unique = list({g.pk: g for g in support}.values())
    return membership.grant(user, provider.source, roles=roles, groups=unique)
