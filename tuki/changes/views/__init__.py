"""The change pages (docs/changes.md). The calendar's are calendar.py and blackouts.py."""
