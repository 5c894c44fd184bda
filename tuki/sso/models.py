"""Identity providers people sign in through: OpenID Connect or SAML 2.0, desk-wide or for
one organisation (a client company signing its people in through its own provider)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation
from tuki.lib.crypto import EncryptedTextField


class IdentityProvider(models.Model):
    class Kind(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    kind = models.CharField(_("protocol"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("Shown on the sign-in button."))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="identity_providers",
        help_text=_("Empty: desk-wide, its button is on the sign-in page."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_(
            "Comma-separated. An email address of these domains signs in here; only these "
            "addresses may sign in through this provider (empty: any, desk-wide only)."
        ),
    )
    # OpenID Connect
    issuer = models.URLField(
        _("issuer or discovery URL"),
        max_length=500,
        blank=True,
        help_text=_("The issuer, or its /.well-known/openid-configuration address."),
    )
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret = EncryptedTextField(_("client secret"), blank=True)
    scopes = models.CharField(_("scopes"), max_length=255, default="openid email profile")
    # SAML 2.0
    metadata_url = models.URLField(_("IdP metadata URL"), max_length=500, blank=True)
    metadata_xml = models.TextField(_("IdP metadata XML"), blank=True)
    entity_id = models.CharField(
        _("IdP entity ID"),
        max_length=500,
        blank=True,
        help_text=_("Empty: the first identity provider in the metadata."),
    )
    certificate = models.TextField(
        _("IdP signing certificate"),
        blank=True,
        help_text=_("PEM. Empty: the certificates of the metadata are trusted."),
    )
    # What arrives
    email_attribute = models.CharField(
        _("email claim or attribute"), max_length=255, default="email"
    )
    name_attribute = models.CharField(_("name claim or attribute"), max_length=255, default="name")
    groups_attribute = models.CharField(
        _("groups claim or attribute"), max_length=255, default="groups"
    )
    mappings = models.TextField(
        _("group mappings"),
        blank=True,
        help_text=_(
            "One a line: a provider group, “->”, then agent, admin or the name of a support "
            "group. Example: tuki-agents -> agent"
        ),
    )
    create_users = models.BooleanField(_("create requesters on first sign-in"), default=True)
    asserts_second_factor = models.BooleanField(
        _("the provider's multi-factor sign-in counts as Tuki's second factor"),
        default=True,
        help_text=_("When it asserts one (OIDC amr such as mfa, otp, hwk; SAML AuthnContext)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """The membership source of what this provider grants (accounts.grant_from_source)."""
        return f"sso:{self.pk}"

    def domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    def discovery_url(self) -> str:
        url = self.issuer.strip()
        if "/.well-known/" in url:
            return url
        return url.rstrip("/") + "/.well-known/openid-configuration"


class SamlRequest(models.Model):
    """An AuthnRequest Tuki sent, until its Response comes back (InResponseTo), used once.

    Kept in the database, not the session: the IdP POSTs the Response from its own site, and
    browsers do not send a SameSite=Lax session cookie with a cross-site POST."""

    request_id = models.CharField(max_length=100, unique=True)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    next_url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.request_id
