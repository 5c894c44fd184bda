"""Automation: the models."""
