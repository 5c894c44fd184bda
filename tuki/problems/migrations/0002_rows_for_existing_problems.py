"""A detail row for every problem ticket registered before problem management existed."""

from django.db import migrations


def add_rows(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Problem = apps.get_model("problems", "Problem")
    have = Problem.objects.values("ticket_id")
    missing = Ticket.objects.filter(kind="problem").exclude(pk__in=have).values_list("pk", flat=True)
    Problem.objects.bulk_create([Problem(ticket_id=pk) for pk in missing.iterator()], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_problem_details")]

    operations = [migrations.RunPython(add_rows, migrations.RunPython.noop)]
