"""The SLA fixtures, for the worker tests that fire timers."""

from tuki.sla.tests.conftest import frozen, sla  # noqa: F401  (fixtures)
