"""A tree of named rows (ticket categories, knowledge categories) that keeps each row's path."""

from __future__ import annotations

from typing import Any


class PathTree:
    """Mixin for a model with `name`, `parent`, `path` and a `children` reverse relation.

    `path` ("Network › VPN") is stored so lists sort and show the tree without walking it;
    saving a row renames its whole subtree. Put it before `models.Model` in the bases.
    """

    name: str
    path: str
    parent: Any
    children: Any

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = f"{self.parent.path} › {self.name}" if self.parent else self.name
        super().save(*args, **kwargs)  # type: ignore[misc]
        for child in self.children.all():
            child.save()
