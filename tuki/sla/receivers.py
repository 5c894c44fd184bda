"""Connects the SLA engine to ticket events (tuki/tickets/signals.py)."""
