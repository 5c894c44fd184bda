"""Problem management's pages (docs/problems.md): the list, the radar, the known errors,
linking incidents from the queue, and the section of the ticket page."""
