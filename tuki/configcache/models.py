"""One row whose token changes whenever a configuration table changes (cache.py)."""

from django.db import models


class ConfigVersion(models.Model):
    """Written only by the database triggers the migration puts on the watched tables."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=64)

    class Meta:
        db_table = "configcache_version"

    def __str__(self) -> str:
        return self.token
