"""Second factors: authenticator apps (TOTP), passkeys (WebAuthn), recovery codes, browsers
remembered after a second factor, and the desk's policy of who must have one."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.lib.crypto import EncryptedTextField


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238: 6 digits, 30-second steps, SHA-1), confirmed by a
    first code before it counts. `last_step` refuses a code used once from being used again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices"
    )
    name = models.CharField(_("name"), max_length=100)
    secret = EncryptedTextField(_("secret"))
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class Passkey(models.Model):
    """A WebAuthn credential (a security key or a passkey) with the name its owner gave it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    name = models.CharField(_("name"), max_length=100)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class RecoveryCode(models.Model):
    """One of a person's ten one-time recovery codes; only a SHA-256 digest is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="twofactor_recovery_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class TrustedBrowser(models.Model):
    """A browser whose owner asked to be remembered after a second factor: its cookie holds a
    random token whose digest is kept here until `expires_at`. Removing a factor, resetting
    them or "forget remembered browsers" deletes these rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_browsers"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("remembered browser")
        verbose_name_plural = _("remembered browsers")

    def __str__(self) -> str:
        return f"remembered browser of {self.user}"


class Policy(models.Model):
    """Who must have a second factor, one row (`Policy.load()`). People covered who have none
    are sent to enrol right after signing in and can do nothing else until they have."""

    for_administrators = models.BooleanField(_("required for administrators"), default=False)
    for_agents = models.BooleanField(_("required for agents"), default=False)
    for_requesters = models.BooleanField(_("required for requesters"), default=False)

    class Meta:
        verbose_name = _("second factor policy")
        verbose_name_plural = _("second factor policy")

    def __str__(self) -> str:
        return "second factor policy"

    @classmethod
    def load(cls) -> Policy:
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)

    def covers(self, user: object) -> bool:
        if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
            return self.for_administrators
        if getattr(user, "is_agent", False):
            return self.for_agents
        return self.for_requesters
