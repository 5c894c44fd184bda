"""The configuration database's pages (docs/cmdb.md): the list, an item's page with its
relations, drawing, tickets, maintenance and history, the item editor, and the affected
items section of the ticket page."""
