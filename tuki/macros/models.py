"""Macros: the models."""
