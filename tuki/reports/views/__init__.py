"""The report pages (docs/reports.md): overview, one indicator, the tickets behind a number,
exports, saved reports."""
