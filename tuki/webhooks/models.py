"""Webhooks: the models."""
