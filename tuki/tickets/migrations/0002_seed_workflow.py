"""Default statuses, per-kind workflows and the ITIL priority matrix. Admins may change them."""

from django.db import migrations
from django.utils.translation import gettext_noop

STATUSES = [
    # key, name (in the translation catalog), category, order
    ("new", gettext_noop("New"), "new", 10),
    ("assigned", gettext_noop("Assigned"), "open", 20),
    ("in_progress", gettext_noop("In progress"), "open", 30),
    ("awaiting_approval", gettext_noop("Awaiting approval"), "pending", 35),
    ("scheduled", gettext_noop("Scheduled"), "open", 36),
    ("pending_customer", gettext_noop("Waiting for customer"), "pending", 40),
    ("pending_supplier", gettext_noop("Waiting for supplier"), "pending", 50),
    ("resolved", gettext_noop("Resolved"), "resolved", 60),
    ("closed", gettext_noop("Closed"), "closed", 70),
    ("cancelled", gettext_noop("Cancelled"), "closed", 80),
]

SUPPORT_FLOW = {
    "new": ["assigned", "in_progress", "pending_customer", "resolved", "cancelled"],
    "assigned": ["in_progress", "pending_customer", "pending_supplier", "resolved", "cancelled"],
    "in_progress": ["assigned", "pending_customer", "pending_supplier", "resolved", "cancelled"],
    "pending_customer": ["in_progress", "assigned", "resolved", "cancelled"],
    "pending_supplier": ["in_progress", "assigned", "resolved"],
    "resolved": ["closed", "in_progress", "assigned"],
}
PROBLEM_FLOW = {
    "new": ["assigned", "in_progress", "cancelled"],
    "assigned": ["in_progress", "pending_supplier", "cancelled"],
    "in_progress": ["assigned", "pending_supplier", "resolved", "cancelled"],
    "pending_supplier": ["in_progress", "resolved"],
    "resolved": ["closed", "in_progress"],
}
CHANGE_FLOW = {
    "new": ["assigned", "awaiting_approval", "cancelled"],
    "assigned": ["awaiting_approval", "cancelled"],
    "awaiting_approval": ["scheduled", "cancelled", "assigned"],
    "scheduled": ["in_progress", "cancelled"],
    "in_progress": ["resolved", "scheduled"],
    "resolved": ["closed", "in_progress"],
}
FLOWS = {
    "incident": SUPPORT_FLOW,
    "request": SUPPORT_FLOW,
    "problem": PROBLEM_FLOW,
    "change": CHANGE_FLOW,
    "release": CHANGE_FLOW,
}

# ITIL's usual matrix: impact (rows) × urgency (columns) → priority 1..5.
MATRIX = {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): 2, (2, 2): 3, (2, 3): 4, (3, 1): 3,
          (3, 2): 4, (3, 3): 5}


def seed(apps, schema_editor):
    seed_models(
        apps.get_model("tickets", "Status"),
        apps.get_model("tickets", "StatusTransition"),
        apps.get_model("tickets", "PriorityRule"),
    )


def seed_models(Status, Transition, PriorityRule):
    """Idempotent: also restores the defaults in tests after a database flush. Adds only
    what is missing, in a few queries (a transactional test's next fixture runs this)."""
    have = set(Status.objects.values_list("key", flat=True))
    Status.objects.bulk_create(
        Status(key=key, name=name, category=category, order=order)
        for key, name, category, order in STATUSES
        if key not in have
    )
    by_key = {s.key: s for s in Status.objects.filter(key__in=[row[0] for row in STATUSES])}
    have = set(Transition.objects.values_list("kind", "from_status_id", "to_status_id"))
    Transition.objects.bulk_create(
        Transition(kind=kind, from_status=by_key[source], to_status=by_key[target])
        for kind, flow in FLOWS.items()
        for source, targets in flow.items()
        for target in targets
        if (kind, by_key[source].pk, by_key[target].pk) not in have
    )
    have = set(PriorityRule.objects.values_list("impact", "urgency"))
    PriorityRule.objects.bulk_create(
        PriorityRule(impact=impact, urgency=urgency, priority=priority)
        for (impact, urgency), priority in MATRIX.items()
        if (impact, urgency) not in have
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
