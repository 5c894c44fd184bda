"""Script pages: the builder (administrators), the runner of Log a call (agents), statistics,
and the ticket page's transcript section."""
