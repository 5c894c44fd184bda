"""Availability management: outages per service, availability within the agreement's
service hours against its target, MTBF and MTRS, and the status page (docs/operations.md)."""
