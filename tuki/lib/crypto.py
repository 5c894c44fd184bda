"""Secrets at rest: IMAP passwords and webhook signing secrets encrypted in the database.

A copy of the database (a backup, a dump handed to support, a stolen disk image of the
database server) must not give away the desk's mailbox password or the secret that signs
its webhooks. The key is kept apart from the database: `TUKI_ENCRYPTION_KEY` (or
`TUKI_ENCRYPTION_KEY_FILE`), else `encryption_key` in TUKI_VAR_DIR, made once with mode 0600
(tuki/lib/env.py, `encryption_keys`).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) through MultiFernet: the setting
is a list of keys, the first encrypts, every one decrypts. Rotation: put a new key first,
run `tuki rotate_encryption_key`, then drop the old key.

A stored value is `fernet:<token>`. A value without the prefix is a plain one from before the
data migration and is read as it is. A value that no configured key opens is read as an
`Undecryptable` (an empty string that keeps the stored token): pages still load, saving the
row keeps the token as it was, and whatever needs the secret says what is wrong.
"""

from __future__ import annotations

import base64
import logging
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

logger = logging.getLogger(__name__)

PREFIX = "fernet:"


class DecryptionError(Exception):
    """No configured key opens a stored secret."""


class Undecryptable(str):
    """A stored secret no configured key opens: reads as "", keeps the stored token."""

    raw: str

    def __new__(cls, raw: str) -> Undecryptable:
        value = super().__new__(cls, "")
        value.raw = raw
        return value


def new_key() -> str:
    """A new Fernet key (32 random bytes, URL-safe base64)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("No encryption key: set TUKI_ENCRYPTION_KEY.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"TUKI_ENCRYPTION_KEY: not a Fernet key (32 bytes, URL-safe base64): {exc}"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def check_keys(keys: list[str]) -> None:
    """Fail at start-up on a malformed key, not at the first secret."""
    _fernet(tuple(keys))


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(plain: str) -> str:
    return PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain text of a stored value (a value without the prefix is plain already)."""
    if not is_encrypted(stored):
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret cannot be decrypted with the configured encryption keys "
            "(TUKI_ENCRYPTION_KEY or the encryption_key file): was the key changed without "
            "keeping the old one in the list?"
        ) from None


def rotate(stored: str) -> str:
    """The same secret encrypted with the first key (an old key's token, or a plain value)."""
    if isinstance(stored, Undecryptable):
        return stored.raw
    return encrypt(decrypt(stored))


def require(value: str, what: str) -> str:
    """`value`, or a DecryptionError naming `what` when it could not be decrypted."""
    if isinstance(value, Undecryptable):
        raise DecryptionError(
            f"The {what} cannot be decrypted with the configured encryption keys "
            "(TUKI_ENCRYPTION_KEY): restore the key it was saved with, or enter it again."
        )
    return value


def readable(value: object) -> bool:
    return not isinstance(value, Undecryptable)


class EncryptedTextField(models.TextField):
    """Text encrypted when written, decrypted when read (module docstring).

    Only for values that are read back whole: an encrypted column cannot be searched,
    filtered or ordered on.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value or not is_encrypted(value):
            return value
        try:
            return decrypt(value)
        except DecryptionError:
            logger.error("%s: a stored secret cannot be decrypted (wrong key?)", self)
            return Undecryptable(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, Undecryptable):
            return value.raw
        if value is None or value == "":
            return value
        return encrypt(str(value))


def _recode(
    apps: Any, schema_editor: Any, label: str, model_name: str, field_name: str, forward: bool
) -> None:
    """Encrypt (forward) or decrypt every stored value of one column, in plain SQL so that
    it works whatever the historical field class does."""
    model = apps.get_model(label, model_name)
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model._meta.get_field(field_name).column)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {column} FROM {table}")
        for key, value in cursor.fetchall():
            if not value or is_encrypted(value) == forward:
                continue
            new = encrypt(value) if forward else decrypt(value)
            update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"
            cursor.execute(update, [new, key])


def rotate_all() -> tuple[int, int]:
    """Encrypt every stored secret of every EncryptedTextField with the first key.

    Returns (rows rewritten, rows no configured key opens: left as they are).
    """
    rewritten = unreadable = 0
    for model in django_apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            rows = model._base_manager.values_list("pk", field.attname)
            for key, value in rows.iterator():
                if isinstance(value, Undecryptable):
                    unreadable += 1
                elif value:
                    # Saving the plain value encrypts it with the first key.
                    model._base_manager.filter(pk=key).update(**{field.attname: value})
                    rewritten += 1
    return rewritten, unreadable


def encrypt_existing(label: str, model_name: str, field_name: str) -> Any:
    """A migration operation: encrypt the plain values saved before the field was encrypted
    (and decrypt them again when the migration is reversed)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        _recode(apps, schema_editor, label, model_name, field_name, True)

    def backward(apps: Any, schema_editor: Any) -> None:
        _recode(apps, schema_editor, label, model_name, field_name, False)

    return migrations.RunPython(forward, backward)
