"""A tree of named rows (ticket categories, knowledge categories) that keeps each row's path."""

from __future__ import annotations

from typing import Any

from django.db import models


class PathTree(models.Model):
    """Abstract base of a model with `name`, `parent`, `path` and a `children` reverse relation.

    `path` ("Network › VPN") is stored so lists sort and show the tree without walking it;
    saving a row renames its whole subtree.
    """

    name: str
    path: str
    parent: Any
    children: Any

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = f"{self.parent.path} › {self.name}" if self.parent else self.name
        super().save(*args, **kwargs)
        for child in self.children.all():
            child.save()
