"""Forms of the console's directory (LDAP, Active Directory) and SCIM pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation, SupportGroup
from tuki.console.forms import ConsoleForm
from tuki.identity.models import Directory

ROLES_HELP = _("Comma-separated: agent, admin, sees_all_tickets, sees_organisation_tickets.")


class DirectoryForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Directory.Kind.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    urls = forms.CharField(
        label=_("Server URLs"),
        max_length=500,
        help_text=_(
            "Separated by spaces, tried in order: ldaps://dc1.example.com ldaps://dc2.example.com"
        ),
    )
    security = forms.ChoiceField(label=_("Security"), choices=Directory.Security.choices)
    ca_certificate = forms.CharField(
        label=_("CA certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "PEM of the authority that signed the server's certificate. Empty: the system's."
        ),
    )
    bind_dn = forms.CharField(
        label=_("Bind DN"),
        max_length=300,
        required=False,
        help_text=_(
            "The service account that reads people: cn=tuki,ou=service,dc=example,dc=com or tuki@example.com."
        ),
    )
    bind_password = forms.CharField(
        label=_("Bind password"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown; leave empty to keep the current password."),
    )
    user_base = forms.CharField(label=_("User search base"), max_length=300)
    user_filter = forms.CharField(label=_("User filter"), max_length=500)
    login_attribute = forms.CharField(
        label=_("Sign-in attribute"),
        max_length=50,
        help_text=_("What people type to sign in: mail, uid, sAMAccountName, userPrincipalName."),
    )
    email_attribute = forms.CharField(label=_("Email attribute"), max_length=50)
    name_attribute = forms.CharField(label=_("Full name attribute"), max_length=50)
    phone_attribute = forms.CharField(label=_("Phone attribute"), max_length=50, required=False)
    organisation_attribute = forms.CharField(
        label=_("Organisation attribute"),
        max_length=50,
        required=False,
        help_text=_("Its value names a Tuki organisation (o, company, department)."),
    )
    id_attribute = forms.CharField(
        label=_("Unique id attribute"),
        max_length=50,
        help_text=_("Stays when a person is renamed or moved: entryUUID, objectGUID."),
    )
    group_base = forms.CharField(label=_("Group search base"), max_length=300, required=False)
    group_filter = forms.CharField(label=_("Group filter"), max_length=500, required=False)
    member_attribute = forms.CharField(
        label=_("Group member attribute"), max_length=50, required=False
    )
    sign_in = forms.BooleanField(
        label=_("People sign in with their directory password"), required=False
    )
    sync_enabled = forms.BooleanField(label=_("Sync people and group memberships"), required=False)
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate people gone from the directory or disabled there"), required=False
    )

    SECTIONS = (
        (
            _("Directory"),
            ("name", "kind", "is_active", "sign_in", "sync_enabled", "deactivate_missing"),
        ),
        (_("Connection"), ("urls", "security", "ca_certificate", "bind_dn", "bind_password")),
        (
            _("People"),
            (
                "user_base",
                "user_filter",
                "login_attribute",
                "email_attribute",
                "name_attribute",
                "phone_attribute",
                "organisation_attribute",
                "id_attribute",
            ),
        ),
        (_("Groups"), ("group_base", "group_filter", "member_attribute")),
    )

    def sections(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @staticmethod
    def initial_for(directory: Directory | None) -> dict[str, Any]:
        if directory is None:
            fresh = Directory()
            values = {
                name: getattr(fresh, name)
                for name in DirectoryForm.base_fields
                if name != "bind_password"
            }
            values["name"] = ""
            values["urls"] = ""
            return values
        return {
            name: getattr(directory, name)
            for name in DirectoryForm.base_fields
            if name != "bind_password"
        }


class GroupMapForm(ConsoleForm):
    group_dn = forms.CharField(label=_("Directory group DN"), max_length=300)
    roles = forms.CharField(label=_("Roles"), max_length=200, required=False, help_text=ROLES_HELP)
    support_group = forms.ModelChoiceField(
        label=_("Support group"), queryset=SupportGroup.objects.all(), required=False
    )


class ScimProviderForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Entra ID, Okta, ..."))
    organisation = forms.ModelChoiceField(
        label=_("Organisation of the people it creates"),
        queryset=Organisation.objects.all(),
        required=False,
    )


class ScimGroupForm(ConsoleForm):
    roles = forms.CharField(label=_("Roles"), max_length=200, required=False, help_text=ROLES_HELP)
    support_group = forms.ModelChoiceField(
        label=_("Support group"), queryset=SupportGroup.objects.all(), required=False
    )
