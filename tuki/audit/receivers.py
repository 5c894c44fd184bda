"""Signal receivers that feed the audit trail.

Configuration: `pre_save` reads the row as stored (one query, only for audited models),
`post_save` compares and records created/changed, `post_delete` records a deletion with the
last values, `m2m_changed` records memberships added and removed. Querysets' `update()` and
`bulk_update()` send no signals: the configuration services use `save()` (the registry test
lists the few that did not and now do).

Sign-ins: Django's `user_logged_in`, `user_logged_out` and `user_login_failed`; the attempted
password is never read (Django has already masked it in `credentials`, and only the
identifier is kept).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, signals as auth_signals
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from tuki.audit import context, registry, services
from tuki.audit.models import Action
from tuki.audit.registry import Audited

_BEFORE = "_audit_before"
_CLEARED = "_audit_cleared_"
_SKIP = object()
# The through model of each audited many-to-many field: (the model that declares it, the field).
_through: dict[type[models.Model], models.ManyToManyField] = {}


def connect() -> None:
    pre_save.connect(_pre_save, dispatch_uid="tuki_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="tuki_audit_post_save")
    post_delete.connect(_post_delete, dispatch_uid="tuki_audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="tuki_audit_m2m")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="tuki_audit_in")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="tuki_audit_out")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="tuki_audit_failed")
    for model, how in registry.audited_models().items():
        for name in how.m2m:
            field = model._meta.get_field(name)
            through = getattr(field.remote_field, "through", None)
            if isinstance(field, models.ManyToManyField) and through is not None:
                _through[through] = field


# --- values ---------------------------------------------------------------------------------


def _comparable(field: models.Field, value: Any) -> Any:
    try:
        return field.to_python(value)
    except Exception:
        return value


def _display(field: models.Field, raw: Any, how: Audited, instance: models.Model | None) -> Any:
    """What an entry shows of a value: a mask for secrets, a related row by its name."""
    if registry.is_masked(how, field.name):
        return services.MASK if raw not in (None, "") else None
    if raw is None:
        return None
    if field.is_relation and field.related_model is not None:
        if (
            isinstance(field, models.ForeignKey)
            and instance is not None
            and field.is_cached(instance)
        ):
            related = field.get_cached_value(instance)
            if related is not None and related.pk == raw:
                return str(related)[:254]
        target = field.related_model._base_manager.filter(pk=raw).first()
        return str(target)[:254] if target is not None else f"#{raw}"
    return services.shown(raw)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- saves and deletes ----------------------------------------------------------------------


def _pre_save(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    using: str | None = None,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    how = registry.how_audited(sender)
    if how is None or raw:
        return
    fields = registry.tracked_fields(sender, how)
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
        if not fields:  # e.g. last_login after a sign-in: nothing audited changes
            instance.__dict__[_BEFORE] = _SKIP
            return
    before = None
    if instance.pk is not None and not instance._state.adding:
        before = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values(*[f.attname for f in fields])
            .first()
        )
    instance.__dict__[_BEFORE] = (fields, before)


def _post_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    how = registry.how_audited(sender)
    state = instance.__dict__.pop(_BEFORE, None)
    if how is None or raw or state is _SKIP:
        return
    fields, before = state if state is not None else (registry.tracked_fields(sender, how), None)
    if created or before is None:
        changes = {}
        for f in fields:
            value = f.value_from_object(instance)
            if not _empty(value):
                changes[f.name] = [None, _display(f, value, how, instance)]
        services.record(Action.CREATE, instance=instance, changes=changes)
        return
    changes = {}
    for f in fields:
        old, new = before[f.attname], f.value_from_object(instance)
        if _comparable(f, old) == _comparable(f, new):
            continue
        changes[f.name] = [_display(f, old, how, None), _display(f, new, how, instance)]
    if changes:
        services.record(Action.UPDATE, instance=instance, changes=changes)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    how = registry.how_audited(sender)
    if how is None:
        return
    changes = {}
    for f in registry.tracked_fields(sender, how):
        value = f.value_from_object(instance)
        if not _empty(value):
            changes[f.name] = [_display(f, value, how, instance), None]
    services.record(Action.DELETE, instance=instance, changes=changes)


# --- memberships ----------------------------------------------------------------------------


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    field = _through.get(sender)
    if field is None:
        return
    # Changed from the declaring side (group.members.add) or the other (user.support_groups).
    name = field.remote_field.get_accessor_name() if reverse else field.name
    if not name:
        return
    key = _CLEARED + name
    if action == "pre_clear":
        instance.__dict__[key] = set(getattr(instance, name).values_list("pk", flat=True))
        return
    if action == "post_clear":
        pks, kind = instance.__dict__.pop(key, set()), "removed"
    elif action in ("post_add", "post_remove"):
        pks, kind = set(pk_set or ()), "added" if action == "post_add" else "removed"
    else:
        return
    if not pks:
        return
    names = sorted(str(o)[:254] for o in model._base_manager.filter(pk__in=pks))
    services.record(Action.UPDATE, instance=instance, changes={name: {kind: names}})


# --- sign-ins -------------------------------------------------------------------------------


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    actor = context.from_request(request, user) if request is not None else None
    services.record(Action.SIGN_IN, instance=user, actor=actor)


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    actor = context.from_request(request, user) if request is not None else None
    services.record(Action.SIGN_OUT, instance=user, actor=actor)


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the identifier: never the password (nor any other field of `credentials`).
    user_model = get_user_model()
    tried = str(credentials.get("username") or credentials.get(user_model.USERNAME_FIELD) or "")
    tried = tried.strip()[:254]
    known = user_model._base_manager.filter(email__iexact=tried).first() if tried else None
    if request is not None:
        seen = context.from_request(request)
        actor = context.Actor(None, tried or "anonymous", seen.via, seen.ip, seen.user_agent)
    else:
        actor = context.Actor(None, tried or "anonymous", context.current().via)
    services.record(Action.SIGN_IN_FAILED, instance=known, actor=actor, object_repr=tried)
