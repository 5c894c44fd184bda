"""Routing and assignment: the models."""
