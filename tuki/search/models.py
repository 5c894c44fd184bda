"""Search: the models."""
