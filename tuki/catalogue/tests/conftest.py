from dataclasses import dataclass

import pytest

from tuki.catalogue import services
from tuki.catalogue.models import CatalogueCategory, CatalogueItem
from tuki.tickets.models import Category, CustomField


@dataclass
class Laptop:
    item: CatalogueItem
    model: CustomField
    dock: CustomField
    monitors: CustomField
    category: Category


def make_field(key, type, category, **extra):
    field = CustomField.objects.create(
        key=key,
        label=key.replace("_", " ").capitalize(),
        type=type,
        kinds=["request"],
        visible_to_requester=True,
        editable_by_requester=True,
        **extra,
    )
    field.categories.add(category)
    return field


@pytest.fixture
def laptop(desk):
    """A laptop to order: a model, a docking station and, only with one, a monitor count."""
    hardware = Category.objects.create(name="Hardware")
    shelf = CatalogueCategory.objects.create(name="Devices", icon="laptop")
    model = make_field(
        "laptop_model",
        "choice",
        hardware,
        choices=[{"value": "x1", "label": "ThinkPad X1"}, {"value": "mac", "label": "MacBook"}],
    )
    dock = make_field("docking", "checkbox", hardware)
    monitors = make_field("monitor_count", "number", hardware, validation={"min": 1, "max": 3})
    item = services.save_item(
        desk.admin,
        None,
        {
            "name": "New laptop",
            "category": shelf,
            "kind": "request",
            "ticket_category": hardware,
            "fulfilment_group": desk.network_hel,
        },
    )
    services.set_form(
        desk.admin,
        item,
        [
            {"field": model, "section": "Laptop", "required": True},
            {"field": dock, "section": "Desk"},
            {
                "field": monitors,
                "section": "Desk",
                "required": True,
                "condition": {
                    "effect": "show",
                    "all": [{"field": "docking", "op": "eq", "value": True}],
                },
            },
        ],
    )
    services.set_tasks(
        desk.admin,
        item,
        [{"title": "Prepare the laptop", "group": desk.network_hel}, {"title": "Hand it over"}],
    )
    return Laptop(item, model, dock, monitors, hardware)
