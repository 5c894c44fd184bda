"""Natural keys: how a bundle names a row, and finding the row a name stands for."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from tuki.bundles.specs import key_fields


def natural_key(obj: models.Model) -> Any:
    """The row's name in a bundle: one value, or a list for a key of several fields."""
    label = obj._meta.label
    fields = key_fields(label)
    if fields is None:
        raise LookupError(f"{label} has no natural key")
    if not fields:
        return None  # a singleton
    values = [_key_value(obj, name) for name in fields]
    return values[0] if len(values) == 1 else values


def _key_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        target = getattr(obj, name)
        return None if target is None else natural_key(target)
    return getattr(obj, name)


def natural_key_of_pk(label: str, pk: Any) -> Any:
    model = apps.get_model(label)
    obj = model._default_manager.filter(pk=pk).first()
    return None if obj is None else natural_key(obj)


def lookup(label: str, key: Any) -> dict[str, Any] | None:
    """Filter arguments finding the row named `key`; None when a part names no row."""
    fields = key_fields(label)
    if fields is None:
        raise LookupError(f"{label} has no natural key")
    if not fields:
        return {}
    values = [key] if len(fields) == 1 else list(key) if isinstance(key, list | tuple) else None
    if values is None or len(values) != len(fields):
        return None
    model = apps.get_model(label)
    found: dict[str, Any] = {}
    for name, value in zip(fields, values, strict=True):
        field = model._meta.get_field(name)
        if isinstance(field, models.ForeignKey) and value is not None:
            target = find(field.related_model._meta.label, value)
            if target is None:
                return None
            found[name] = target
        else:
            found[name] = value
    return found


def find(label: str, key: Any) -> models.Model | None:
    query = lookup(label, key)
    if query is None:
        return None
    return apps.get_model(label)._default_manager.filter(**query).first()


def pk_of_natural_key(label: str, key: Any) -> Any:
    obj = find(label, key)
    return None if obj is None else obj.pk
