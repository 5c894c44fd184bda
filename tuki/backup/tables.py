"""Which tables a backup holds, and how one row becomes JSON and back.

Every concrete model of every installed app is backed up, the many-to-many tables Django
makes for itself included (`include_auto_created`), as rows: each field's own column value
(`attname`: a foreign key is its id), written by the field's `value_to_string`, read back by
its `to_python`. Nothing depends on the database engine, so a SQLite backup restores into
PostgreSQL and back. Rows are read in primary-key order, a model at a time, never all at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models

from tuki.lib import crypto

# The configuration cache's version token is not data: the triggers on the configuration
# tables write a new one while the rows are restored, which tells every cache to reload.
NOT_BACKED_UP = frozenset({"configcache.configversion"})

# The search index's full-text shadow tables (search_fts, the generated tsvector columns)
# are not models: they are rebuilt from SearchEntry on restore (restoring.py).


def backed_up_models() -> list[type[models.Model]]:
    """Every model with a table of its own, in a stable order (app label, model name)."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and label(model) not in NOT_BACKED_UP
    ]
    return sorted(found, key=label)


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields stored in the model's own table (for multi-table inheritance: its link)."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in columns(model) if isinstance(f, models.FileField)]


def batch_size(model: type[models.Model]) -> int:
    """Rows per read or insert: few where a row may hold a whole message (raw mail)."""
    return 50 if any(isinstance(f, models.BinaryField) for f in columns(model)) else 2000


def row_to_json(fields: list[models.Field[Any, Any]], obj: models.Model) -> list[Any]:
    """One row as a JSON list in column order; None stays null."""
    out: list[Any] = []
    for field in fields:
        value = getattr(obj, field.attname)
        if value is None:
            out.append(None)
        elif isinstance(field, crypto.EncryptedTextField):
            out.append(sealed(value))
        elif isinstance(field, models.JSONField):
            out.append(value)
        elif isinstance(field, (models.IntegerField, models.BooleanField, models.AutoField)):
            out.append(value)
        elif isinstance(field, models.FileField):
            out.append(value.name or "")
        elif field.is_relation:
            out.append(value)
        else:
            out.append(field.value_to_string(obj))
    return out


def json_to_row(
    model: type[models.Model], fields: list[models.Field[Any, Any]], values: list[Any]
) -> models.Model:
    obj = model()
    for field, value in zip(fields, values, strict=True):
        if isinstance(field, crypto.EncryptedTextField):
            value = unsealed(value)
        elif (
            value is not None and not isinstance(field, models.JSONField) and not field.is_relation
        ):
            value = field.to_python(value)
        setattr(obj, field.attname, value)
    return obj


def sealed(value: str) -> str:
    """A secret as the archive holds it: encrypted, never plain (secrets at rest stay so in
    a backup; the key is not in the archive, docs/installing.md)."""
    if isinstance(value, crypto.Undecryptable):
        return value.raw
    return crypto.encrypt(value) if value else value


def unsealed(value: str | None) -> str | None:
    """The secret back from the archive; one the configured keys cannot open is restored as
    it was stored (its owner enters it again, or the old key is added)."""
    if not value or not crypto.is_encrypted(value):
        return value
    try:
        return crypto.decrypt(value)
    except crypto.DecryptionError:
        return crypto.Undecryptable(value)


def rows(model: type[models.Model], using: str) -> Iterator[models.Model]:
    """Rows in primary-key order, a batch at a time (keyset, no long cursor)."""
    chunk = batch_size(model)
    pk = model._meta.pk
    assert pk is not None
    queryset = model._base_manager.using(using).order_by(pk.attname)
    last: Any = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{pk.attname}__gt": last})
        batch = list(page[:chunk])
        if not batch:
            return
        yield from batch
        last = getattr(batch[-1], pk.attname)
