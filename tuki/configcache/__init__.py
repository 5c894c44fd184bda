"""Configuration read on every ticket change, cached per process (see cache.py)."""
