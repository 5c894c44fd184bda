"""Every write of second factors: enrolment, verification, recovery codes, remembered
browsers, the policy and an administrator's reset (docs/identity.md, Second factors).

Codes are checked here and nowhere else: a TOTP code is accepted once (the device keeps the
last time step used), a recovery code once (claimed by a conditional update).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tuki.accounts.models import User
from tuki.lib import taskqueue
from tuki.lib.errors import ServiceError
from tuki.twofactor import tasks
from tuki.twofactor.models import Passkey, Policy, RecoveryCode, TotpDevice, TrustedBrowser, digest

ISSUER = "Tuki"
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code copied from paper reads one way.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# A code of the step before or after counts too (clocks drift, people type slowly).
TOTP_WINDOW = 1


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


# --- what a person has ---------------------------------------------------------------------


def has_factor(user: User) -> bool:
    """Whether `user` has an authenticator app or a passkey (one query)."""
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(TotpDevice.objects.filter(user=OuterRef("pk")))
            | Exists(Passkey.objects.filter(user=OuterRef("pk")))
        )
        .exists()
    )


@dataclass(frozen=True)
class Factors:
    totp: list[TotpDevice]
    passkeys: list[Passkey]
    recovery_left: int

    @property
    def any(self) -> bool:
        return bool(self.totp or self.passkeys)


def factors_of(user: User) -> Factors:
    return Factors(
        totp=list(TotpDevice.objects.filter(user=user)),
        passkeys=list(Passkey.objects.filter(user=user)),
        recovery_left=RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
    )


# --- authenticator apps (TOTP) -------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG element (no XML declaration), drawn here."""
    qr = segno.make(uri, error="m")
    svg: str = qr.svg_inline(scale=4, border=2, dark="#212529", light="#ffffff")
    return svg


def _clean_code(code: str) -> str:
    return "".join(ch for ch in str(code) if ch.isalnum()).lower()


def _matching_step(secret: str, code: str, after_step: int) -> int | None:
    """The time step (RFC 6238's T) at which `code` is right, within the window, and later
    than `after_step`; None if none."""
    code = _clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    current = totp.timecode(now)
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        step = current + offset
        if step > after_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def add_totp(user: User, *, secret: str, code: str, name: str) -> tuple[TotpDevice, list[str]]:
    """Keep an authenticator app once a first code from it is right. Returns the device and
    the new recovery codes when this is the person's first factor (else an empty list)."""
    name = (name or "").strip() or _("Authenticator app")
    if len(name) > 100:
        raise ServiceError(_("The name is too long."), field="name", code="too_long")
    try:
        pyotp.TOTP(secret).now()
    except Exception:
        raise ServiceError(_("Start again: the secret is not valid."), code="secret") from None
    step = _matching_step(secret, code, 0)
    if step is None:
        raise ServiceError(
            _("That code is not right. Check the time on your phone and try the next code."),
            field="code",
            code="wrong_code",
        )
    with transaction.atomic():
        first = not has_factor(user)
        device = TotpDevice.objects.create(
            user=user, name=name, secret=secret, last_step=step, last_used_at=timezone.now()
        )
        codes = _new_recovery_codes(user) if first else []
    return device, codes


def verify_totp(user: User, code: str) -> TotpDevice | None:
    """The device whose code this is, each code accepted once; None if no device's."""
    for device in TotpDevice.objects.filter(user=user):
        step = _matching_step(device.secret, code, device.last_step)
        if step is None:
            continue
        claimed = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
            last_step=step, last_used_at=timezone.now()
        )
        if claimed:
            return device
    return None


def remove_totp(actor: User, device: TotpDevice) -> None:
    if device.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        device.delete()
        _after_removal(actor)


# --- recovery codes ------------------------------------------------------------------------


def _code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _new_recovery_codes(user: User) -> list[str]:
    codes = [_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=digest(_clean_code(code))) for code in codes
    )
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new codes, shown once; the old ones stop working. Only with a second factor."""
    with transaction.atomic():
        if not has_factor(user):
            raise ServiceError(_("Add an authenticator app or a passkey first."), code="no_factor")
        return _new_recovery_codes(user)


def use_recovery_code(user: User, code: str) -> bool:
    """Whether `code` is one of the person's unused recovery codes; it is used up now."""
    cleaned = _clean_code(code)
    if len(cleaned) != 10:
        return False
    claimed = RecoveryCode.objects.filter(
        user=user, digest=digest(cleaned), used_at__isnull=True
    ).update(used_at=timezone.now())
    return claimed == 1


def verify_code(user: User, code: str) -> str | None:
    """A code typed at the second-factor step: an authenticator's, or a recovery code.
    Returns "totp" or "recovery", or None when it is neither."""
    if verify_totp(user, code) is not None:
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


# --- passkeys (WebAuthn) --------------------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    """Who asks the authenticator: the RP ID (a domain) and the origins pages come from."""

    id: str
    origins: list[str]
    name: str = ISSUER


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for key in Passkey.objects.filter(user=user):
        transports = []
        for name in key.transports or []:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue
        out.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(key.credential_id), transports=transports or None
            )
        )
    return out


def passkey_registration_options(user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """The options for navigator.credentials.create() as JSON, and their challenge (kept in
    the session until the answer comes)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=str(user.pk).encode(),
        user_display_name=user.full_name or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options), options.challenge


def add_passkey(
    user: User, *, credential: str, challenge: bytes, rp: RelyingParty, name: str
) -> tuple[Passkey, list[str]]:
    """Keep a passkey whose registration answers `challenge`; returns it and the new
    recovery codes when it is the person's first factor."""
    name = (name or "").strip() or _("Passkey")
    if len(name) > 100:
        raise ServiceError(_("The name is too long."), field="name", code="too_long")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origins,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise ServiceError(
            _("The passkey could not be registered: %(reason)s") % {"reason": exc},
            code="invalid_passkey",
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    try:
        transports = json.loads(credential).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        transports = []
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise ServiceError(_("This passkey is registered already."), code="duplicate")
        first = not has_factor(user)
        key = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports][:10],
        )
        codes = _new_recovery_codes(user) if first else []
    return key, codes


def passkey_authentication_options(user: User, rp: RelyingParty) -> tuple[str, bytes]:
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def verify_passkey(user: User, *, credential: str, challenge: bytes, rp: RelyingParty) -> Passkey:
    """The person's passkey that signed `challenge`; ServiceError if none did."""
    refused = ServiceError(_("The passkey was not accepted."), code="wrong_passkey")
    try:
        raw_id = str(json.loads(credential).get("rawId") or json.loads(credential).get("id"))
    except (ValueError, AttributeError):
        raise refused from None
    key = Passkey.objects.filter(user=user, credential_id=raw_id).first()
    if key is None:
        raise refused
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origins,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        raise refused from None
    Passkey.objects.filter(pk=key.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return key


def remove_passkey(actor: User, key: Passkey) -> None:
    if key.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        key.delete()
        _after_removal(actor)


def _after_removal(user: User) -> None:
    """A factor is gone: remembered browsers are forgotten; without any factor left, the
    recovery codes go too (they would open nothing)."""
    TrustedBrowser.objects.filter(user=user).delete()
    if not has_factor(user):
        RecoveryCode.objects.filter(user=user).delete()


# --- remembered browsers --------------------------------------------------------------------


def remember_browser(user: User) -> str:
    """A token for the cookie that skips the second factor on this browser for
    TUKI_TWOFACTOR_REMEMBER_DAYS; only its digest is kept."""
    raw = secrets.token_urlsafe(32)
    TrustedBrowser.objects.create(
        user=user,
        digest=digest(raw),
        expires_at=timezone.now() + timedelta(days=settings.TWOFACTOR_REMEMBER_DAYS),
    )
    return raw


def is_remembered(user: User, raw: str) -> bool:
    if not raw or settings.TWOFACTOR_REMEMBER_DAYS <= 0:
        return False
    return TrustedBrowser.objects.filter(
        user=user, digest=digest(raw), expires_at__gt=timezone.now()
    ).exists()


def forget_browsers(user: User) -> int:
    deleted, _rows = TrustedBrowser.objects.filter(user=user).delete()
    return deleted


# --- the policy and an administrator's reset ------------------------------------------------


def save_policy(
    actor: User, *, for_administrators: bool, for_agents: bool, for_requesters: bool
) -> Policy:
    _check_admin(actor)
    policy = Policy.load()
    policy.for_administrators = for_administrators
    policy.for_agents = for_agents
    policy.for_requesters = for_requesters
    with transaction.atomic():
        policy.save()  # save(), not update(): the audit trail records the change
    return policy


def reset_factors(actor: User, person: User) -> int:
    """An administrator removes every second factor of `person` (a lost phone): their
    authenticator apps, passkeys, recovery codes and remembered browsers. Each deletion is in
    the audit trail under the administrator's name; the person is told by email. Returns the
    number of factors removed."""
    _check_admin(actor)
    if person.pk == actor.pk:
        raise ServiceError(_("Remove your own factors on your own page, not here."), code="self")
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may reset a superuser's second factors."))
    with transaction.atomic():
        removed = 0
        # One by one with delete(): each removal is an entry of the audit trail.
        for row in [*TotpDevice.objects.filter(user=person), *Passkey.objects.filter(user=person)]:
            row.delete()
            removed += 1
        RecoveryCode.objects.filter(user=person).delete()
        TrustedBrowser.objects.filter(user=person).delete()
        if removed:
            taskqueue.enqueue_with_change(tasks.tell_factors_reset, person.pk, actor.pk)
    return removed
