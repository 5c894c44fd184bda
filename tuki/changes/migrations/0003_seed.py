"""Standard changes go to Scheduled without approval (new/assigned -> scheduled), the risk
questionnaire, and the detail row of every change ticket made before this app."""

from django.db import migrations

from tuki.changes import seed as seeding


def seed(apps, schema_editor):
    seeding.seed_transitions(
        apps.get_model("tickets", "Status"), apps.get_model("tickets", "StatusTransition")
    )
    seeding.seed_questions(apps.get_model("changes", "RiskQuestion"))
    Ticket = apps.get_model("tickets", "Ticket")
    Change = apps.get_model("changes", "Change")
    have = set(Change.objects.values_list("ticket_id", flat=True))
    missing = Ticket.objects.filter(kind="change").exclude(pk__in=have).values_list("pk", flat=True)
    Change.objects.bulk_create(
        [Change(ticket_id=pk, change_type="normal") for pk in missing], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_settings_and_risk_questions"),
        ("tickets", "0006_ticketevent_survey_answered"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
