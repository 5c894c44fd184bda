"""Connects outbound email to ticket events (tuki/tickets/signals.py)."""
