"""Demo data for the service catalogue (called by tuki/demo/loader.py after the knowledge
base): six ready-made items in English, Romanian and Finnish, with their custom fields,
sections, conditions and fulfilment checklists, written through tuki.catalogue.services.
"""

from __future__ import annotations

from typing import Any

from tuki.approvals import services as approvals
from tuki.catalogue import services
from tuki.catalogue.models import CatalogueCategory, CatalogueItem
from tuki.demo.cast import Cast
from tuki.tickets.models import Category, CustomField

SHELVES = [
    ("Devices", {"ro": "Dispozitive", "fi": "Laitteet"}, "laptop"),
    ("Access", {"ro": "Acces", "fi": "Käyttöoikeudet"}, "key"),
    ("Software", {"ro": "Software", "fi": "Ohjelmistot"}, "box-seam"),
    ("People", {"ro": "Oameni", "fi": "Henkilöt"}, "person-badge"),
]


def _choices(*rows: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    return [{"value": v, "label": en, "labels": {"ro": ro, "fi": fi}} for v, en, ro, fi in rows]


def _field(
    key: str, label: str, ro: str, fi: str, type: str, category: Category, kind: str, **extra: Any
) -> CustomField:
    field, created = CustomField.objects.get_or_create(
        key=key,
        defaults={
            "label": label,
            "labels": {"ro": ro, "fi": fi},
            "type": type,
            "kinds": [kind],
            "visible_to_requester": True,
            "editable_by_requester": True,
            **extra,
        },
    )
    if created:
        field.categories.add(category)
    return field


def _tr(ro: tuple[str, str], fi: tuple[str, str]) -> dict[str, dict[str, str]]:
    return {
        "ro": {"name": ro[0], "short_description": ro[1]},
        "fi": {"name": fi[0], "short_description": fi[1]},
    }


def _show_if(key: str, value: Any) -> dict[str, Any]:
    return {"effect": "show", "all": [{"field": key, "op": "eq", "value": value}]}


def seed(cast: Cast) -> dict[str, int]:
    """The catalogue (idempotent: once only)."""
    if CatalogueItem.objects.exists():
        return {"items": CatalogueItem.objects.count()}
    admin = cast.admin
    shelves = {
        name: services.save_category(
            admin, None, {"name": name, "translations": tr, "icon": icon, "position": i}
        )
        for i, (name, tr, icon) in enumerate(SHELVES)
    }
    groups = cast.groups
    laptop_cat = cast.categories[("Workplace", "Laptop")]
    access_cat = cast.categories[("Accounts", "Access request")]
    vpn_cat = cast.categories[("Network", "VPN")]
    apps_cat = cast.categories[("Applications", "Email")].parent or laptop_cat
    password_cat = cast.categories[("Accounts", "Password reset")]
    workplace_cat = laptop_cat.parent or laptop_cat
    _laptop(admin, shelves["Devices"], laptop_cat, groups)
    _access(admin, shelves["Access"], access_cat, groups, cast)
    _vpn(admin, shelves["Access"], vpn_cat, groups)
    _software(admin, shelves["Software"], apps_cat, groups)
    _password(admin, shelves["Access"], password_cat, groups)
    _employee(admin, shelves["People"], workplace_cat, groups, cast)
    return {"items": CatalogueItem.objects.count()}


def _item(admin: Any, shelf: CatalogueCategory, **data: Any) -> CatalogueItem:
    return services.save_item(admin, None, {"category": shelf, **data})


def _laptop(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any) -> None:
    item = _item(
        admin,
        shelf,
        name="New laptop",
        short_description="A new or replacement work laptop.",
        translations=_tr(
            ("Laptop nou", "Un laptop de serviciu nou sau de schimb."),
            ("Uusi kannettava", "Uusi tai vaihtokone työkäyttöön."),
        ),
        kind="request",
        ticket_category=cat,
        fulfilment_group=groups["Workplace Bucharest"],
        position=1,
    )
    model = _field(
        "laptop_model", "Model", "Model", "Malli", "choice", cat, "request",
        choices=_choices(
            ("standard", "Standard 14-inch", "Standard 14 inch", "Perusmalli 14 tuumaa"),
            ("performance", "Performance 16-inch", "Performant 16 inch", "Tehomalli 16 tuumaa"),
            ("mac", "MacBook", "MacBook", "MacBook"),
        ),
    )  # fmt: skip
    dock = _field(
        "needs_docking", "Needs a docking station", "Necesită stație de andocare",
        "Tarvitsee telakan", "checkbox", cat, "request",
    )  # fmt: skip
    monitors = _field(
        "monitor_count", "Monitor count", "Număr de monitoare", "Näyttöjen määrä",
        "number", cat, "request", validation={"min": 1, "max": 3},
    )  # fmt: skip
    section = {"section": "Laptop", "section_translations": {"ro": "Laptop", "fi": "Kannettava"}}
    desk = {"section": "Desk", "section_translations": {"ro": "Birou", "fi": "Työpiste"}}
    services.set_form(
        admin,
        item,
        [
            {"field": model, "required": True, **section},
            {"field": dock, **desk},
            {
                "field": monitors,
                "required": True,
                "condition": _show_if("needs_docking", True),
                **desk,
            },
        ],
    )
    services.set_tasks(
        admin,
        item,
        [
            {"title": "Prepare and image the laptop", "group": groups["Workplace Bucharest"]},
            {"title": "Hand the laptop over", "group": groups["Service Desk"]},
        ],
    )


def _access(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any, cast: Cast) -> None:
    manager = groups["Service Desk"].manager
    template = approvals.create_template(
        admin,
        name="Catalogue: application owner",
        kinds=["request"],
        description="The service desk manager approves access to an application.",
        steps=[{"rule": "any", "users": [manager.pk] if manager else [admin.pk]}],
    )
    item = _item(
        admin,
        shelf,
        name="Access to an application",
        short_description="Ask for access to a business application.",
        translations=_tr(
            ("Acces la o aplicație", "Cereți acces la o aplicație de business."),
            ("Pääsy sovellukseen", "Pyydä käyttöoikeutta liiketoimintasovellukseen."),
        ),
        kind="request",
        ticket_category=cat,
        fulfilment_group=groups["Workplace Bucharest"],
        approval_template=template,
        position=1,
    )
    app = _field(
        "application", "Application", "Aplicație", "Sovellus", "choice", cat, "request",
        choices=_choices(
            ("erp", "ERP", "ERP", "ERP"),
            ("crm", "CRM", "CRM", "CRM"),
            ("hr", "HR portal", "Portal HR", "HR-portaali"),
        ),
    )  # fmt: skip
    level = _field(
        "access_level", "Access level", "Nivel de acces", "Käyttötaso", "choice", cat, "request",
        choices=_choices(
            ("read", "Read only", "Doar citire", "Vain luku"),
            ("write", "Read and write", "Citire și scriere", "Luku ja kirjoitus"),
            ("admin", "Administrator", "Administrator", "Ylläpitäjä"),
        ),
    )  # fmt: skip
    why = _field(
        "justification", "Justification", "Justificare", "Perustelu", "long_text", cat, "request"
    )
    services.set_form(
        admin,
        item,
        [
            {"field": app, "required": True},
            {"field": level, "required": True},
            {
                "field": why,
                "condition": {
                    "effect": "require",
                    "all": [{"field": "access_level", "op": "in", "value": ["write", "admin"]}],
                },
            },
        ],
    )
    services.set_tasks(
        admin, item, [{"title": "Grant the access", "group": groups["Workplace Bucharest"]}]
    )


def _vpn(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any) -> None:
    item = _item(
        admin,
        shelf,
        name="VPN access",
        short_description="Work from home or on the road through the VPN.",
        translations=_tr(
            ("Acces VPN", "Lucrați de acasă sau pe drum prin VPN."),
            ("VPN-yhteys", "Etätyö kotoa tai matkoilta VPN:n kautta."),
        ),
        kind="request",
        ticket_category=cat,
        fulfilment_group=groups["Network Helsinki"],
        position=2,
    )
    until = _field(
        "vpn_until", "Needed until", "Necesar până la", "Tarvitaan asti", "date", cat, "request"
    )
    services.set_form(admin, item, [{"field": until}])
    services.set_tasks(
        admin, item, [{"title": "Create the VPN profile", "group": groups["Network Helsinki"]}]
    )


def _software(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any) -> None:
    item = _item(
        admin,
        shelf,
        name="Software install",
        short_description="Install a program on your computer.",
        translations=_tr(
            ("Instalare software", "Instalarea unui program pe calculatorul dvs."),
            ("Ohjelmiston asennus", "Ohjelman asennus tietokoneellesi."),
        ),
        kind="request",
        ticket_category=cat,
        fulfilment_group=groups["Workplace Bucharest"],
        position=1,
    )
    name = _field("software_name", "Software", "Software", "Ohjelmisto", "text", cat, "request")
    licence = _field(
        "licence_needed", "A licence must be bought", "Trebuie cumpărată o licență",
        "Lisenssi on ostettava", "checkbox", cat, "request",
    )  # fmt: skip
    centre = _field(
        "cost_centre", "Cost centre", "Centru de cost", "Kustannuspaikka", "text", cat, "request"
    )
    services.set_form(
        admin,
        item,
        [
            {"field": name, "required": True},
            {"field": licence},
            {"field": centre, "required": True, "condition": _show_if("licence_needed", True)},
        ],
    )
    services.set_tasks(
        admin, item, [{"title": "Install the software", "group": groups["Workplace Bucharest"]}]
    )


def _password(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any) -> None:
    item = _item(
        admin,
        shelf,
        name="Password reset",
        short_description="Locked out or forgot your password? We reset it.",
        translations=_tr(
            ("Resetare parolă", "Blocat sau ați uitat parola? O resetăm."),
            ("Salasanan nollaus", "Tunnus lukossa tai salasana unohtunut? Nollaamme sen."),
        ),
        kind="incident",
        ticket_category=cat,
        fulfilment_group=groups["Service Desk"],
        position=3,
    )
    system = _field(
        "locked_system", "Which account", "Care cont", "Mikä tunnus", "choice", cat, "incident",
        choices=_choices(
            ("windows", "Windows sign-in", "Autentificare Windows", "Windows-kirjautuminen"),
            ("email", "Email", "Email", "Sähköposti"),
            ("erp", "ERP", "ERP", "ERP"),
        ),
    )  # fmt: skip
    services.set_form(admin, item, [{"field": system, "required": True}])


def _employee(admin: Any, shelf: CatalogueCategory, cat: Category, groups: Any, cast: Cast) -> None:
    item = _item(
        admin,
        shelf,
        name="New employee",
        short_description="Everything a new colleague needs on their first day.",
        translations=_tr(
            ("Angajat nou", "Tot ce îi trebuie unui coleg nou din prima zi."),
            ("Uusi työntekijä", "Kaikki mitä uusi kollega tarvitsee ensimmäisenä päivänä."),
        ),
        kind="request",
        ticket_category=cat,
        fulfilment_group=groups["Service Desk"],
        position=1,
    )
    start = _field(
        "start_date", "Start date", "Data începerii", "Aloituspäivä", "date", cat, "request"
    )
    department = _field(
        "department", "Department", "Departament", "Osasto", "choice", cat, "request",
        choices=_choices(
            ("sales", "Sales", "Vânzări", "Myynti"),
            ("finance", "Finance", "Financiar", "Talous"),
            ("it", "IT", "IT", "IT"),
        ),
    )  # fmt: skip
    laptop = _field(
        "needs_laptop",
        "Needs a laptop",
        "Necesită laptop",
        "Tarvitsee kannettavan",
        "checkbox",
        cat,
        "request",
    )
    phone = _field(
        "needs_phone",
        "Needs a phone",
        "Necesită telefon",
        "Tarvitsee puhelimen",
        "checkbox",
        cat,
        "request",
    )
    manager = _field("line_manager", "Manager", "Manager", "Esihenkilö", "user", cat, "request")
    services.set_form(
        admin,
        item,
        [
            {"field": start, "required": True},
            {"field": department, "required": True},
            {"field": manager},
            {
                "field": laptop,
                "section": "Equipment",
                "section_translations": {"ro": "Echipament", "fi": "Laitteet"},
            },
            {
                "field": phone,
                "section": "Equipment",
                "section_translations": {"ro": "Echipament", "fi": "Laitteet"},
            },
        ],
    )
    services.set_tasks(
        admin,
        item,
        [
            {"title": "Create the accounts", "group": groups["Service Desk"]},
            {"title": "Prepare the laptop and phone", "group": groups["Workplace Bucharest"]},
            {"title": "Open the network and VPN access", "group": groups["Network Helsinki"]},
            {"title": "ERP user and roles", "group": groups["Nordic ERP Partner"]},
        ],
    )
