"""Directories Tuki reads people from (LDAP, Active Directory) and SCIM providers that push
them. Who came from where is kept here; roles and groups they grant are recorded in
accounts' MembershipGrant (source "ldap:<id>" or "scim:<id>")."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.lib.crypto import EncryptedTextField


class Directory(models.Model):
    """An LDAP server or Active Directory domain: sign-in by its passwords, and a sync."""

    class Kind(models.TextChoices):
        OPENLDAP = "openldap", _("LDAP (OpenLDAP and others)")
        ACTIVE_DIRECTORY = "ad", _("Active Directory")

    class Security(models.TextChoices):
        LDAPS = "ldaps", _("LDAPS (TLS from the start, port 636)")
        STARTTLS = "starttls", _("StartTLS (port 389, then TLS)")
        NONE = "none", _("None (plain LDAP; tests only)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OPENLDAP)
    urls = models.CharField(
        _("server URLs"),
        max_length=500,
        help_text=_("One or more, separated by spaces, tried in order: ldaps://dc1.example.com"),
    )
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.LDAPS
    )
    ca_certificate = models.TextField(
        _("CA certificate"),
        blank=True,
        help_text=_("PEM. Empty: the system's trusted certificates."),
    )
    bind_dn = models.CharField(_("bind DN"), max_length=300, blank=True)
    # Encrypted at rest (tuki/lib/crypto.py); the form never shows it back.
    bind_password = EncryptedTextField(_("bind password"), blank=True)
    user_base = models.CharField(_("user search base"), max_length=300)
    user_filter = models.CharField(
        _("user filter"), max_length=500, default="(objectClass=inetOrgPerson)"
    )
    login_attribute = models.CharField(
        _("sign-in attribute"),
        max_length=50,
        default="mail",
        help_text=_("What people type to sign in: mail, uid, sAMAccountName, userPrincipalName."),
    )
    email_attribute = models.CharField(_("email attribute"), max_length=50, default="mail")
    name_attribute = models.CharField(_("full name attribute"), max_length=50, default="cn")
    phone_attribute = models.CharField(
        _("phone attribute"), max_length=50, blank=True, default="telephoneNumber"
    )
    organisation_attribute = models.CharField(
        _("organisation attribute"),
        max_length=50,
        blank=True,
        help_text=_("Its value names a Tuki organisation (o, company, department)."),
    )
    id_attribute = models.CharField(
        _("unique id attribute"),
        max_length=50,
        default="entryUUID",
        help_text=_("Stays when a person is renamed or moved: entryUUID, objectGUID."),
    )
    group_base = models.CharField(_("group search base"), max_length=300, blank=True)
    group_filter = models.CharField(
        _("group filter"), max_length=500, default="(objectClass=groupOfNames)", blank=True
    )
    member_attribute = models.CharField(
        _("group member attribute"), max_length=50, default="member", blank=True
    )
    sign_in = models.BooleanField(_("sign-in with directory passwords"), default=True)
    sync_enabled = models.BooleanField(_("sync people"), default=True)
    deactivate_missing = models.BooleanField(
        _("deactivate who left"),
        default=True,
        help_text=_("People gone from the directory or disabled there are deactivated in Tuki."),
    )
    is_active = models.BooleanField(_("active"), default=False)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_sync_ok = models.BooleanField(default=False)
    last_sync_report = models.TextField(_("last sync report"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory")
        verbose_name_plural = _("directories")

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        return f"ldap:{self.pk}"

    def url_list(self) -> list[str]:
        return [u for u in (self.urls or "").split() if u]


class DirectoryGroupMap(models.Model):
    """A directory group's members get these roles and this support group."""

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="group_maps")
    group_dn = models.CharField(_("directory group DN"), max_length=300)
    roles = models.CharField(
        _("roles"), max_length=200, blank=True, help_text=_("agent, admin, sees_all_tickets")
    )
    support_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("support group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["group_dn", "id"]
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")

    def __str__(self) -> str:
        return self.group_dn

    def role_list(self) -> list[str]:
        return [r.strip() for r in self.roles.replace(";", ",").split(",") if r.strip()]


class DirectoryAccount(models.Model):
    """A Tuki user found in a directory: its entry's id and DN at the last sync."""

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="accounts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="directory_accounts")
    external_id = models.CharField(max_length=200)
    dn = models.CharField(max_length=500)
    seen_at = models.DateTimeField(default=timezone.now)
    # False once the entry is gone or disabled (the user was then deactivated by the sync).
    present = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["directory", "external_id"], name="directory_account_once"
            ),
            models.UniqueConstraint(fields=["directory", "user"], name="directory_user_once"),
        ]

    def __str__(self) -> str:
        return self.dn


class ScimProvider(models.Model):
    """An identity provider that pushes people by SCIM 2.0 (Entra ID, Okta). Its bearer
    token is shown once; only a SHA-256 digest is kept (as personal API tokens)."""

    PREFIX = "tukiscim_"

    name = models.CharField(_("name"), max_length=100, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=16)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("People it creates belong here (a client company's own provider)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SCIM provider")
        verbose_name_plural = _("SCIM providers")

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        return f"scim:{self.pk}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class ScimUser(models.Model):
    """A user a SCIM provider manages: the provider's externalId and userName for them."""

    provider = models.ForeignKey(ScimProvider, on_delete=models.CASCADE, related_name="users")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scim_accounts")
    external_id = models.CharField(max_length=200, blank=True)
    user_name = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "user"], name="scim_user_once"),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group a SCIM provider pushed; its members get the roles and support group mapped."""

    provider = models.ForeignKey(ScimProvider, on_delete=models.CASCADE, related_name="groups")
    display_name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(ScimUser, related_name="groups", blank=True)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    support_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("support group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def role_list(self) -> list[str]:
        return [r.strip() for r in self.roles.replace(";", ",").split(",") if r.strip()]
