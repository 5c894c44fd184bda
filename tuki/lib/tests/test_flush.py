"""The test suite's flush (tuki/conftest.py `_emptying_flush`): what a transactional test's
teardown and `call_command("flush")` leave for the next test on the same worker."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from tuki.accounts.models import Organisation
from tuki.audit.models import AuditEntry


def _content_types_work() -> None:
    organisation = Organisation.objects.create(name="Flushed Oy")
    kind = ContentType.objects.get_for_model(Organisation)
    assert ContentType.objects.filter(pk=kind.pk).exists()
    AuditEntry.objects.create(
        action="create", content_type=kind, object_id=str(organisation.pk), object_repr="x"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reset_sequences", [True, False])
def test_content_types_survive_a_flush(reset_sequences):
    """`call_command("flush")` resets sequences (on PostgreSQL a TRUNCATE of every table,
    content types too); the demo tests' teardown runs it. The next audit entry must still
    find its content type, in the table and in ContentType's cache."""
    ContentType.objects.get_for_model(Organisation)  # the cache holds it
    call_command("flush", interactive=False, verbosity=0, reset_sequences=reset_sequences)
    _content_types_work()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_cache_does_not_outlive_the_flush():
    _content_types_work()
