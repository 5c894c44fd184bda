"""A readable, safe diff between two versions of a translation.

difflib.HtmlDiff escapes the text itself (its `_format_line` replaces &, < and >), so the
table it returns holds no markup from the article; we still build it only from plain text.
"""

from __future__ import annotations

import difflib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tuki.knowledge.models import ArticleVersion


def _lines(version: ArticleVersion) -> list[str]:
    return [f"# {version.title}", "", *version.body.splitlines()]


def diff_versions(old: ArticleVersion, new: ArticleVersion) -> SafeString:
    """A side-by-side table of changed lines with a little context."""
    table = difflib.HtmlDiff(tabsize=4, wrapcolumn=70).make_table(
        _lines(old),
        _lines(new),
        fromdesc=escape(_("Version %(number)d") % {"number": old.number}),
        todesc=escape(_("Version %(number)d") % {"number": new.number}),
        context=True,
        numlines=3,
    )
    # HtmlDiff adds nowrap attributes and inline links for navigation that we do not want.
    table = table.replace(' nowrap="nowrap"', "")
    return mark_safe(table)  # HtmlDiff escapes every line it renders


def unified_diff(old: ArticleVersion, new: ArticleVersion) -> str:
    """Plain unified diff (for the API)."""
    return "".join(
        difflib.unified_diff(
            [line + "\n" for line in _lines(old)],
            [line + "\n" for line in _lines(new)],
            fromfile=f"v{old.number}",
            tofile=f"v{new.number}",
        )
    )
