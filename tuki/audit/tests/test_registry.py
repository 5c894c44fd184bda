"""Every model of Tuki is either audited configuration or named as data that is not."""

from __future__ import annotations

import pytest
from django.apps import apps

from tuki.audit import registry


def labels() -> set[str]:
    return {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("tuki.") and not m._meta.auto_created
    }


def test_every_model_is_classified():
    missing = labels() - set(registry.CONFIGURATION) - registry.NOT_CONFIGURATION
    assert not missing, (
        f"New models {sorted(missing)}: add each to tuki/audit/registry.py, to CONFIGURATION "
        "(changes are audited) or NOT_CONFIGURATION (ticket data, content, bookkeeping)."
    )


def test_every_audited_label_resolves():
    assert set(registry.CONFIGURATION) - {"auth.Group"} <= labels()


def test_no_model_is_in_both_lists():
    assert not set(registry.CONFIGURATION) & registry.NOT_CONFIGURATION


@pytest.mark.parametrize(
    "name", ["imap_password", "secret", "secret_encrypted", "digest", "api_token", "password"]
)
def test_secret_names_are_always_masked(name):
    assert registry.is_masked(registry.Audited(), name)


@pytest.mark.parametrize("name", ["name", "key", "url", "position"])
def test_ordinary_names_are_not(name):
    assert not registry.is_masked(registry.Audited(), name)
