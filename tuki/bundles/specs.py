"""What a configuration bundle holds, model by model (docs/customisation.md, Bundles).

A bundle names every row by a *natural key* (a status by its key, a category by its path, a
group by its name), never by a database id: ids differ between installs. A foreign key is
written as the natural key of the row it points to, a many-to-many field as the sorted list
of such keys. JSON fields that hold ids (automation rules' conditions and actions, approval
steps) are translated by the spec's `to_bundle`/`from_bundle` hooks.

Specs are listed in the order an import writes them: a row's foreign keys point to rows of
earlier specs (or of its own spec, written parents first). Many-to-many fields are written
after every row exists, so two models may point at each other that way (SLA policies and
agreements). Apps above this one (the catalogue, scripts) register their own specs.

Not in a bundle: people (users, group members), secrets (mailbox passwords, webhook secrets,
alert sources' tokens), and dated operational rows (blackout periods, thresholds on single
configuration items).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

# JSON hook: (value of the field, translator) -> translated value.
Hook = Callable[[Any, "Refs"], Any]


@dataclass(frozen=True)
class Spec:
    """How one model goes into a bundle."""

    label: str  # "app_label.ModelName"
    key: tuple[str, ...]  # the natural key's fields (a foreign key is its target's key)
    exclude: tuple[str, ...] = ()  # fields left out besides ids and the always-excluded
    # Rows that belong in a bundle (e.g. macros that are not someone's own).
    scope: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] | None = None
    to_bundle: dict[str, Hook] = field(default_factory=dict)  # field -> id-holding JSON out
    from_bundle: dict[str, Hook] = field(default_factory=dict)  # field -> back to this install
    # Fields set when a row is created that are not in the bundle (required, not portable).
    singleton: bool = False  # one row, no key (settings)
    people: bool = False  # personal data: left out when exporting without people
    # Called on a row the import creates, before validation (e.g. an unusable password).
    on_create: Callable[[models.Model], None] | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


# Never in a bundle, on any model: when and by whom a row was made is this install's history.
ALWAYS_EXCLUDED = frozenset(
    {"created_at", "updated_at", "created_by", "updated_by", "approved_by", "approved_at"}
)
# Rows of models without a spec are named by these fields when something points at them.
FOREIGN_KEYS = {
    "accounts.User": ("email",),
    "cmdb.ConfigurationItem": ("name",),
}

_specs: dict[str, Spec] = {}


def register(spec: Spec, *, after: str | None = None) -> None:
    """Add a spec; `after` places it right after another (so its foreign keys resolve)."""
    if after is None or after not in _specs:
        _specs[spec.label] = spec
        return
    items = list(_specs.items())
    index = [label for label, _ in items].index(after) + 1
    items.insert(index, (spec.label, spec))
    _specs.clear()
    _specs.update(items)


def specs() -> list[Spec]:
    return list(_specs.values())


def spec_for(label: str) -> Spec | None:
    return _specs.get(label)


def key_fields(label: str) -> tuple[str, ...] | None:
    spec = _specs.get(label)
    if spec is not None:
        return spec.key
    return FOREIGN_KEYS.get(label)


class Refs:
    """Translates ids to natural keys and back, for JSON hooks (one lookup per value)."""

    def __init__(self, exporting: bool) -> None:
        self.exporting = exporting
        self.missing: list[str] = []
        self.dropped: list[str] = []

    def out(self, label: str, pk: Any) -> Any:
        from tuki.bundles.naming import natural_key_of_pk

        return natural_key_of_pk(label, pk)

    def back(self, label: str, key: Any) -> Any:
        from tuki.bundles.naming import pk_of_natural_key

        pk = pk_of_natural_key(label, key)
        if pk is None:
            # A person who is not in this install is left out (a warning); anything else
            # missing stops the import.
            (self.dropped if label == "accounts.User" else self.missing).append(f"{key}")
        return pk

    def convert(self, label: str, value: Any) -> Any:
        if value is None or value == "":
            return value
        if isinstance(value, list):
            converted = [self.convert(label, item) for item in value]
            return [item for item in converted if item is not None]
        return self.out(label, value) if self.exporting else self.back(label, value)


# --- JSON hooks -----------------------------------------------------------------------------

# Automation's parameter and condition types that hold ids, and the model they name.
ID_TYPES = {
    "group": "accounts.SupportGroup",
    "user": "accounts.User",
    "category": "tickets.Category",
    "organisation": "accounts.Organisation",
    "location": "accounts.Location",
    "macro": "macros.Macro",
    "approval_template": "approvals.ApprovalTemplate",
    "webhook": "webhooks.Webhook",
    "ci": "cmdb.ConfigurationItem",  # a custom field's value
}


def _condition_types() -> dict[str, str]:
    from tuki.automation.catalogue import condition_fields

    return {key: spec.type for key, spec in condition_fields().items()}  # custom.<key> too


def _action_types() -> dict[str, dict[str, str]]:
    from tuki.automation.catalogue import ACTIONS

    return {
        name: {param.key: param.type for param in (action.params or ())}
        for name, action in ACTIONS.items()
    }


def conditions_hook(value: Any, refs: Refs) -> Any:
    """Rule conditions: {"match", "items": [{"field", "op", "value"} or a nested group]}."""
    types = _condition_types()

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "field" in node and "value" in node:
            label = ID_TYPES.get(types.get(node["field"], ""))
            if label is not None and node.get("op") not in ("changed",):
                return {**node, "value": refs.convert(label, node["value"])}
            return node
        return {key: walk(item) for key, item in node.items()}

    return walk(value)


def actions_hook(value: Any, refs: Refs) -> Any:
    """Rule and macro actions: [{"type": ..., param: value}]."""
    types = _action_types()
    out = []
    for action in value or []:
        if not isinstance(action, dict):
            out.append(action)
            continue
        params = types.get(action.get("type", ""), {})
        converted = dict(action)
        for name, kind in params.items():
            if kind == "custom_value":  # set_custom_field: the type of the field it names
                kind = _condition_types().get(f"custom.{action.get('field')}", "")
            label = ID_TYPES.get(kind)
            if label is not None and name in converted:
                converted[name] = refs.convert(label, converted[name])
        out.append(converted)
    return out


def steps_hook(value: Any, refs: Refs) -> Any:
    """Approval steps: [{"rule", "users": [ids], "group": id or null}]."""
    out = []
    for step in value or []:
        if not isinstance(step, dict):
            out.append(step)
            continue
        out.append(
            {
                **step,
                "users": refs.convert("accounts.User", step.get("users") or []),
                "group": refs.convert("accounts.SupportGroup", step.get("group")),
            }
        )
    return out


def _agents(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.filter(models.Q(is_agent=True) | models.Q(is_staff=True))


def _unusable_password(user: models.Model) -> None:
    user.set_unusable_password()  # type: ignore[attr-defined]


def _shared_macros(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.exclude(scope="personal")


def _class_level_thresholds(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.filter(ci=None)


def tree_hook(value: Any, refs: Refs) -> Any:
    """A script's tree: escalations name a group, catalogue outcomes an item. A knowledge
    article is content, not configuration: its reference is left out (docs/scripts.md)."""
    if not isinstance(value, dict) or not isinstance(value.get("nodes"), dict):
        return value
    nodes = {}
    for node_id, node in value["nodes"].items():
        if isinstance(node, dict):
            node = dict(node)
            if node.get("type") == "escalate" and "group" in node:
                node["group"] = refs.convert("accounts.SupportGroup", node["group"])
            if node.get("type") == "catalogue" and "item" in node:
                node["item"] = refs.convert("catalogue.CatalogueItem", node["item"])
            if node.get("type") == "resolve" and node.get("article"):
                node["article"] = None
        nodes[node_id] = node
    return {**value, "nodes": nodes}


def items_hook(value: Any, refs: Refs) -> Any:
    return refs.convert("catalogue.CatalogueItem", list(value or []))


RULE_HOOKS: dict[str, Hook] = {"conditions": conditions_hook, "actions": actions_hook}

for _spec in (
    Spec("calendars.Calendar", ("name",)),
    Spec("accounts.Organisation", ("name",)),
    Spec("accounts.Location", ("name",)),
    # The desk's staff (agents and administrators; never requesters, passwords or sign-ins).
    Spec(
        "accounts.User",
        ("email",),
        exclude=(
            "password",
            "last_login",
            "date_joined",
            "is_superuser",
            "groups",
            "user_permissions",
            "password_reset_mailed_at",
            "organisation",
            "manager",
        ),
        scope=_agents,
        people=True,
        on_create=_unusable_password,
    ),
    Spec("accounts.SupportGroup", ("name",)),
    Spec("tickets.Status", ("key",)),
    Spec("tickets.StatusTransition", ("kind", "from_status", "to_status")),
    Spec("tickets.PriorityRule", ("impact", "urgency")),
    Spec("tickets.Category", ("path",)),
    Spec("tickets.CustomField", ("key",)),
    Spec("knowledge.ArticleCategory", ("slug",)),
    Spec("cmdb.CIClass", ("key",)),
    Spec("cmdb.CIAttribute", ("ci_class", "key")),
    Spec("cmdb.DataSource", ("key",)),
    Spec("sla.Service", ("name",)),
    Spec("sla.SlaPolicy", ("name",)),
    Spec("sla.SlaTarget", ("policy", "priority")),
    Spec("sla.OlaTarget", ("policy", "group", "priority")),
    Spec("sla.Agreement", ("name", "organisation")),
    Spec("availability.AvailabilityTarget", ("agreement", "service")),
    Spec("availability.PublicService", ("service",)),
    Spec("routing.RoutingRule", ("name",)),
    Spec(
        "approvals.ApprovalTemplate",
        ("name",),
        to_bundle={"steps": steps_hook},
        from_bundle={"steps": steps_hook},
    ),
    Spec(
        "macros.Macro",
        ("name", "scope", "group"),
        exclude=("owner",),
        scope=_shared_macros,
        to_bundle={"actions": actions_hook},
        from_bundle={"actions": actions_hook},
    ),
    # Without its secret: the importing install makes its own (new_secret).
    Spec("webhooks.Webhook", ("name",), exclude=("secret",)),
    Spec("automation.Rule", ("name",), to_bundle=RULE_HOOKS, from_bundle=RULE_HOOKS),
    Spec(
        "capacity.Threshold", ("ci_class", "metric"), exclude=("ci",), scope=_class_level_thresholds
    ),
    Spec("changes.RiskQuestion", ("key",)),
    Spec("changes.ChangeTemplate", ("name",)),
    Spec("changes.ChangeSettings", (), singleton=True),
    # The service catalogue: its categories, items, their forms and fulfilment checklists.
    Spec("catalogue.CatalogueCategory", ("name",)),
    Spec("catalogue.CatalogueItem", ("category", "name")),
    Spec("catalogue.ItemField", ("item", "field")),
    Spec("catalogue.FulfilmentTaskTemplate", ("item", "title")),
    # Guided scripts and their versions (runs are ticket data).
    Spec(
        "scripts.Script",
        ("name",),
        to_bundle={"catalogue_items": items_hook},
        from_bundle={"catalogue_items": items_hook},
    ),
    Spec(
        "scripts.ScriptVersion",
        ("script", "number"),
        exclude=("published_by",),
        to_bundle={"tree": tree_hook},
        from_bundle={"tree": tree_hook},
    ),
):
    register(_spec)
