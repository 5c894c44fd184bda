"""The console's own sections, registered into tuki/lib/console.py, and the headings' labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuki.console.access import is_admin
from tuki.lib import console

HEADING_LABELS = {
    "people": _("People"),
    "service_levels": _("Service levels"),
    "tickets": _("Tickets"),
    "catalogue": _("Service catalogue"),
    "channels": _("Channels"),
    "integrations": _("Integrations"),
}

HEADING_ICONS = {
    "people": "bi-people",
    "service_levels": "bi-stopwatch",
    "tickets": "bi-ticket-detailed",
    "catalogue": "bi-grid",
    "channels": "bi-envelope",
    "integrations": "bi-plug",
}


def register_all() -> None:
    for section in (
        console.Section(
            key="groups",
            label=_("Support groups"),
            description=_("Teams that work tickets: tier, manager, members."),
            url_name="console:groups",
            heading="people",
            allowed=is_admin,
            position=10,
        ),
        console.Section(
            key="users",
            label=_("People and roles"),
            description=_("Agents, requesters and administrators; deactivate who left."),
            url_name="console:users",
            heading="people",
            allowed=is_admin,
            position=20,
        ),
        console.Section(
            key="organisations",
            label=_("Organisations and offices"),
            description=_("Client companies or departments, and the offices people work at."),
            url_name="console:organisations",
            heading="people",
            allowed=is_admin,
            position=30,
        ),
        console.Section(
            key="sso",
            label=_("Single sign-on"),
            description=_("OpenID Connect and SAML providers, per organisation or desk-wide."),
            url_name="console:sso_providers",
            heading="people",
            allowed=is_admin,
            position=40,
        ),
        console.Section(
            key="sla_policies",
            label=_("SLA policies"),
            description=_("Targets per priority in business hours, which tickets they cover."),
            url_name="console:policies",
            heading="service_levels",
            allowed=is_admin,
            position=10,
        ),
        console.Section(
            key="sla_agreements",
            label=_("Agreements"),
            description=_("Service level agreements with clients: their policy, calendar, dates."),
            url_name="console:agreements",
            heading="service_levels",
            allowed=is_admin,
            position=20,
        ),
        console.Section(
            key="calendars",
            label=_("Business calendars"),
            description=_("Working hours, time zone and holidays the SLA clocks count by."),
            url_name="console:calendars",
            heading="service_levels",
            allowed=is_admin,
            position=30,
        ),
        console.Section(
            key="services",
            label=_("Services"),
            description=_("The services you run, and which categories are about them."),
            url_name="console:services",
            heading="service_levels",
            allowed=is_admin,
            position=40,
        ),
        console.Section(
            key="ola_targets",
            label=_("OLA targets"),
            description=_("How long each support group may hold a ticket, per policy."),
            url_name="console:olas",
            heading="service_levels",
            allowed=is_admin,
            position=50,
        ),
        console.Section(
            key="mailboxes",
            label=_("Mailboxes"),
            description=_("Addresses the desk receives mail at: IMAP, policies, last poll."),
            url_name="console:mailboxes",
            heading="channels",
            allowed=is_admin,
            position=10,
        ),
        console.Section(
            key="identity",
            label=_("Directories and SCIM"),
            description=_(
                "LDAP and Active Directory sign-in and sync; SCIM provisioning from Entra ID, Okta."
            ),
            url_name="console:identity",
            heading="people",
            allowed=is_admin,
            position=40,
        ),
    ):
        console.register(section)
