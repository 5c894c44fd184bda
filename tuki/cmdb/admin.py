"""The CMDB's data sources in the data administration: their precedence (reconcile.py)."""

from django.contrib import admin

from tuki.cmdb.models import DataSource


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "rank", "match_by_name")
    search_fields = ("key", "name")
    ordering = ("rank", "key")
