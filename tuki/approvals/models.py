"""Approvals: the models."""
