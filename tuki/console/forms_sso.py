"""The console's form of an identity provider (tuki/sso): one form for both protocols, the
page shows the fields of the provider's kind."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation
from tuki.console.forms import ConsoleForm
from tuki.sso.models import IdentityProvider


class IdentityProviderForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Protocol"), choices=IdentityProvider.Kind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Shown on the sign-in button.")
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Empty: desk-wide, its button is on the sign-in page."),
    )
    email_domains = forms.CharField(
        label=_("Email domains"),
        max_length=500,
        required=False,
        help_text=_(
            "Comma-separated. Addresses of these domains are sent here from the sign-in page, "
            "and only they may sign in through it (empty: any, desk-wide only)."
        ),
    )
    issuer = forms.URLField(
        label=_("Issuer or discovery URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The issuer, or its /.well-known/openid-configuration address."),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown; leave empty to keep the current secret."),
    )
    scopes = forms.CharField(label=_("Scopes"), max_length=255, initial="openid email profile")
    metadata_url = forms.URLField(
        label=_("IdP metadata URL"), max_length=500, required=False, assume_scheme="https"
    )
    metadata_xml = forms.CharField(
        label=_("IdP metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Instead of the URL: the metadata file's content."),
    )
    entity_id = forms.CharField(
        label=_("IdP entity ID"),
        max_length=500,
        required=False,
        help_text=_("Empty: the first identity provider in the metadata."),
    )
    certificate = forms.CharField(
        label=_("IdP signing certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("PEM. Empty: the certificates of the metadata are trusted."),
    )
    email_attribute = forms.CharField(
        label=_("Email claim or attribute"), max_length=255, initial="email"
    )
    name_attribute = forms.CharField(
        label=_("Name claim or attribute"), max_length=255, initial="name"
    )
    groups_attribute = forms.CharField(
        label=_("Groups claim or attribute"), max_length=255, initial="groups"
    )
    mappings = forms.CharField(
        label=_("Group mappings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line: a provider group, “->”, then agent, admin or the name of a support "
            "group. Example: tuki-agents -> agent"
        ),
    )
    create_users = forms.BooleanField(
        label=_("Create requesters on first sign-in"), required=False, initial=True
    )
    asserts_second_factor = forms.BooleanField(
        label=_("The provider's multi-factor sign-in counts as Tuki's second factor"),
        required=False,
        initial=True,
    )

    SECTIONS = (
        (_("Provider"), ("kind", "name", "enabled", "organisation", "email_domains")),
        (_("OpenID Connect"), ("issuer", "client_id", "client_secret", "scopes")),
        (_("SAML 2.0"), ("metadata_url", "metadata_xml", "entity_id", "certificate")),
        (
            _("Accounts and roles"),
            (
                "email_attribute",
                "name_attribute",
                "groups_attribute",
                "mappings",
                "create_users",
                "asserts_second_factor",
            ),
        ),
    )

    def sections(self) -> list[tuple[Any, list[Any]]]:
        """The sections of the provider's protocol (both while it is not chosen yet); the
        fields of the other protocol stay in the form, hidden, so saving keeps them."""
        kind = self.data.get("kind") or self.initial.get("kind")
        other = {"oidc": 2, "saml": 1}.get(str(kind))
        return [
            (title, [self[name] for name in names])
            for number, (title, names) in enumerate(self.SECTIONS)
            if number != other
        ]

    def hidden_protocol_fields(self) -> list[Any]:
        kind = self.data.get("kind") or self.initial.get("kind")
        other = {"oidc": 2, "saml": 1}.get(str(kind))
        if other is None:
            return []
        return [self[name] for name in self.SECTIONS[other][1] if name != "client_secret"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["organisation"] = data["organisation"].pk if data["organisation"] else None
        return data

    @staticmethod
    def initial_for(provider: IdentityProvider) -> dict[str, Any]:
        names = [n for _title, fields in IdentityProviderForm.SECTIONS for n in fields]
        initial = {n: getattr(provider, n) for n in names if n != "client_secret"}
        initial["organisation"] = provider.organisation_id
        return initial
