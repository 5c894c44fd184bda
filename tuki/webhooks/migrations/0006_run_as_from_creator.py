"""Existing webhooks send as the administrator who created them (docs/security/visibility.md)."""

from django.db import migrations
from django.db.models import F


def run_as_creator(apps, schema_editor):
    Webhook = apps.get_model("webhooks", "Webhook")
    Webhook.objects.filter(run_as__isnull=True).update(run_as=F("created_by"))


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0005_webhook_run_as")]

    operations = [migrations.RunPython(run_as_creator, migrations.RunPython.noop)]
