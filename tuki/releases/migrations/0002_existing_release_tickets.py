"""A Release row for every release ticket made before this app kept them; its stage follows
the ticket's status (docs/releases.md, "Stages and the ticket status")."""

from django.db import migrations

STAGE_OF_STATUS = {
    "awaiting_approval": "approve",
    "scheduled": "deploy",
    "in_progress": "deploy",
    "resolved": "review",
    "closed": "done",
}


def forwards(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Release = apps.get_model("releases", "Release")
    for ticket_id, status_key in Ticket.objects.filter(kind="release").values_list(
        "pk", "status__key"
    ):
        Release.objects.get_or_create(
            ticket_id=ticket_id, defaults={"stage": STAGE_OF_STATUS.get(status_key, "build")}
        )


class Migration(migrations.Migration):
    dependencies = [("releases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
