"""Secrets at rest: IMAP passwords and webhook secrets are encrypted in the database."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from tuki.conftest import Desk
from tuki.lib import crypto
from tuki.lib.env import encryption_keys
from tuki.mail.inbound import imap
from tuki.mail.models import Mailbox
from tuki.webhooks import services
from tuki.webhooks.models import Webhook


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_webhook_secret_is_not_stored_in_plain_text(desk: Desk) -> None:
    hook = services.create_webhook(desk.admin, name="H", url="https://h.example.invalid/")
    stored = raw("webhooks_webhook", "secret", hook.pk)
    assert stored.startswith("fernet:") and hook.secret not in stored
    assert Webhook.objects.get().secret == hook.secret and hook.secret.startswith("whsec_")


def test_an_imap_password_is_not_stored_in_plain_text(db: Any) -> None:
    box = Mailbox.objects.create(name="Desk", address="desk@example.com", imap_password="hunter2")
    stored = raw("mail_mailbox", "imap_password", box.pk)
    assert stored.startswith("fernet:") and "hunter2" not in stored
    assert Mailbox.objects.get().imap_password == "hunter2"
    # The same secret saved twice gives two different texts (nothing to compare rows by).
    box.save()
    assert raw("mail_mailbox", "imap_password", box.pk) != stored


def test_an_empty_password_stays_empty(db: Any) -> None:
    box = Mailbox.objects.create(name="Pipe", address="pipe@example.com")
    assert raw("mail_mailbox", "imap_password", box.pk) == ""


def test_rows_saved_before_the_migration_are_encrypted_by_it(desk: Desk) -> None:
    hook = services.create_webhook(desk.admin, name="H", url="https://h.example.invalid/")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE webhooks_webhook SET secret = %s", ["whsec_plain"])
    assert Webhook.objects.get().secret == "whsec_plain"  # a plain value still reads
    editor = SimpleNamespace(connection=connection)
    crypto._recode(apps, editor, "webhooks", "webhook", "secret", True)
    assert raw("webhooks_webhook", "secret", hook.pk).startswith("fernet:")
    assert Webhook.objects.get().secret == "whsec_plain"
    crypto._recode(apps, editor, "webhooks", "webhook", "secret", False)  # reversed
    assert raw("webhooks_webhook", "secret", hook.pk) == "whsec_plain"


def test_keys_rotate_the_first_encrypts_all_decrypt(desk: Desk, settings: Any) -> None:
    old, new = settings.ENCRYPTION_KEYS[0], crypto.new_key()
    hook = services.create_webhook(desk.admin, name="H", url="https://h.example.invalid/")
    settings.ENCRYPTION_KEYS = [new, old]
    assert Webhook.objects.get().secret == hook.secret
    out = StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "1 secrets" in out.getvalue()
    settings.ENCRYPTION_KEYS = [new]
    assert Webhook.objects.get().secret == hook.secret


def test_rotation_reports_secrets_no_key_opens(desk: Desk, settings: Any) -> None:
    services.create_webhook(desk.admin, name="H", url="https://h.example.invalid/")
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    with pytest.raises(CommandError, match="none of the configured keys"):
        call_command("rotate_encryption_key", stdout=StringIO())


def test_a_wrong_key_keeps_pages_up_and_says_what_is_wrong(desk: Desk, settings: Any) -> None:
    hook = services.create_webhook(desk.admin, name="H", url="https://h.example.invalid/")
    box = Mailbox.objects.create(name="Desk", address="desk@example.com", imap_password="pw")
    stored = raw("webhooks_webhook", "secret", hook.pk)
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    client = desk.client_for(desk.admin)
    page = client.get(f"/webhooks/{hook.pk}/")
    assert page.status_code == 200 and "cannot be decrypted" in page.content.decode()
    admin_page = client.get(f"/admin/mail/mailbox/{box.pk}/change/")
    assert admin_page.status_code == 200 and "cannot be decrypted" in admin_page.content.decode()
    # Saving the row (a rename) keeps the stored secret as it was.
    services.update_webhook(desk.admin, Webhook.objects.get(), name="Renamed")
    assert raw("webhooks_webhook", "secret", hook.pk) == stored
    with pytest.raises(crypto.DecryptionError, match="TUKI_ENCRYPTION_KEY"):
        crypto.require(Webhook.objects.get().secret, "webhook signing secret")


def test_the_admin_never_shows_the_imap_password_back(desk: Desk) -> None:
    box = Mailbox.objects.create(name="Desk", address="desk@example.com", imap_password="s3cr3t!")
    page = desk.client_for(desk.admin).get(f"/admin/mail/mailbox/{box.pk}/change/")
    assert page.status_code == 200 and "s3cr3t!" not in page.content.decode()


def test_the_key_file_is_made_once_and_private(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TUKI_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("TUKI_ENCRYPTION_KEY_FILE", raising=False)
    first = encryption_keys(tmp_path / "var")
    assert encryption_keys(tmp_path / "var") == first and len(first) == 1
    assert (tmp_path / "var" / "encryption_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700


def test_keys_come_from_the_environment_and_bad_ones_stop_the_start(
    tmp_path: Any, monkeypatch: Any
) -> None:
    one, two = crypto.new_key(), crypto.new_key()
    monkeypatch.setenv("TUKI_ENCRYPTION_KEY", f"{one}, {two}")
    assert encryption_keys(tmp_path) == [one, two]
    assert not (tmp_path / "encryption_key").exists()
    monkeypatch.setenv("TUKI_ENCRYPTION_KEY", "not-a-key")
    with pytest.raises(ImproperlyConfigured, match="key 1"):
        encryption_keys(tmp_path)


def test_a_mailbox_poll_with_a_password_no_key_opens_says_so_without_connecting(
    db: Any, settings: Any
) -> None:
    box = Mailbox.objects.create(
        name="Desk",
        address="desk@example.com",
        imap_host="imap.example.invalid",
        imap_user="desk",
        imap_password="pw",
    )
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    result = imap.poll(Mailbox.objects.get(pk=box.pk))
    assert "cannot be decrypted" in result.error and "TUKI_ENCRYPTION_KEY" in result.error
