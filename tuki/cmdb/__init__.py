"""The configuration database: services in layers, configuration items, their relations and
history, maintenance windows, the tickets that name them, and the impact of a failure."""
