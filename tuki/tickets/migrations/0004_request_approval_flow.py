"""Service requests may wait for approval too (new hardware, access rights), as changes do.

From new, assigned or in progress a request may go to "Awaiting approval"; from there it
goes on (assigned, in progress) when approved, or is cancelled when rejected.
"""

from django.db import migrations

REQUEST_APPROVAL = {
    "new": ["awaiting_approval"],
    "assigned": ["awaiting_approval"],
    "in_progress": ["awaiting_approval"],
    "awaiting_approval": ["assigned", "in_progress", "cancelled"],
}


def seed(apps, schema_editor):
    seed_models(apps.get_model("tickets", "Status"), apps.get_model("tickets", "StatusTransition"))


def seed_models(Status, Transition):
    """Idempotent: also restores the transitions in tests after a database flush."""
    by_key = {s.key: s for s in Status.objects.filter(key__in=_keys())}
    for source, targets in REQUEST_APPROVAL.items():
        for target in targets:
            if source in by_key and target in by_key:
                Transition.objects.get_or_create(
                    kind="request", from_status=by_key[source], to_status=by_key[target]
                )


def _keys():
    return set(REQUEST_APPROVAL) | {t for targets in REQUEST_APPROVAL.values() for t in targets}


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_event_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
