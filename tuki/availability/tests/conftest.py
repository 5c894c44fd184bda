"""A small catalogue for the availability tests: E-mail and VPN as business services in the
CMDB (VPN supported by Network Helsinki), an office-hours calendar, Acme's agreement covering
VPN with a 99.5 % target, and Globex's covering E-mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from tuki.availability.models import AvailabilityTarget
from tuki.calendars.models import Calendar
from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.conftest import Desk
from tuki.sla.models import Agreement, Service


@dataclass
class Catalogue:
    email: Service
    vpn: Service
    vpn_ci: ConfigurationItem
    email_ci: ConfigurationItem
    office: Calendar
    acme_agreement: Agreement
    globex_agreement: Agreement


@pytest.fixture
def catalogue(desk: Desk) -> Catalogue:
    email = Service.objects.create(name="E-mail")
    vpn = Service.objects.create(name="VPN")
    # get_or_create: a browser test's flush removes the classes migration 0002 wrote
    business, _new = CIClass.objects.get_or_create(
        key="business_service", defaults={"name": "Business service", "layer": "business"}
    )
    vpn_ci = cmdb.create_item(
        desk.admin, name="VPN service", ci_class=business, service=vpn,
        support_group=desk.network_hel,
    )  # fmt: skip
    email_ci = cmdb.create_item(
        desk.admin, name="E-mail service", ci_class=business, service=email,
        support_group=desk.apps,
    )  # fmt: skip
    office = Calendar.objects.create(
        name="Office",
        time_zone="UTC",
        week={d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    acme_agreement = Agreement.objects.create(
        name="Acme SLA", organisation=desk.acme, calendar=office, valid_from=date(2020, 1, 1)
    )
    acme_agreement.services.add(vpn)
    AvailabilityTarget.objects.create(agreement=acme_agreement, percent=Decimal("99.5"))
    globex_agreement = Agreement.objects.create(
        name="Globex SLA", organisation=desk.globex, valid_from=date(2020, 1, 1)
    )
    globex_agreement.services.add(email)
    return Catalogue(email, vpn, vpn_ci, email_ci, office, acme_agreement, globex_agreement)
