"""Tokens made before tokens expired get the desk's default lifetime from today, unless the
desk lets tokens live for ever (TUKI_API_TOKEN_MAY_NEVER_EXPIRE)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def give_old_tokens_an_expiry(apps, schema_editor):
    if settings.API_TOKEN_MAY_NEVER_EXPIRE:
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = max(1, min(settings.API_TOKEN_DAYS, settings.API_TOKEN_MAX_DAYS))
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_active_agents_index")]

    operations = [migrations.RunPython(give_old_tokens_an_expiry, migrations.RunPython.noop)]
