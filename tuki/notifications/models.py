"""Notifications: the models."""
