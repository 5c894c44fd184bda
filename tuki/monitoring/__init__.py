"""Monitoring alerts: alerts from Prometheus Alertmanager or a plain JSON form, de-duplicated
into exactly one open incident per alert group (docs/operations.md)."""
