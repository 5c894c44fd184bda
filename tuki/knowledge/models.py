"""Knowledge base: the models."""
