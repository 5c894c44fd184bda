"""Texts code stores in English and shows in the reader's language.

A text written into a row (an event's reason, why a mail was not sent) is read later, by
someone else, maybe in another process: translated when written, it would stay in the
language of whoever happened to cause it. So the code stores the English text of a template
(marked with gettext_noop where it is declared, for makemessages) and whoever shows it asks
`shown`, which recognises the template, parameters included, and writes it again in the
active language. A text that matches no template (one a person typed) is shown as it is.
"""

from __future__ import annotations

import re
from functools import cached_property

from django.utils.translation import gettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


class StoredTexts:
    """The templates of one kind of stored text (tickets/reasons.py, mail/reasons.py)."""

    def __init__(self, *templates: str) -> None:
        self.templates = templates

    def english(self, template: str, **params: object) -> str:
        """The text to store: `template` (one of these) with its parameters, in English.

        A parameter that is itself translatable (a status, a mode's label) is passed in
        English too (gettext_noop, or under translation.override("en")): `shown`
        translates it again.
        """
        if template not in self.templates:
            raise ValueError(f"not one of these stored texts' templates: {template!r}")
        return template % params

    def shown(self, text: str) -> str:
        """`text` in the active language if it was written from one of the templates."""
        if not text:
            return ""
        for pattern, template in self._patterns:
            match = pattern.match(text)
            if match:
                params = {name: _param(value) for name, value in match.groupdict().items()}
                return gettext(template) % params if params else gettext(template)
        return text

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        patterns = []
        for template in self.templates:
            regex, at = "", 0
            for placeholder in _PLACEHOLDER.finditer(template):
                name, kind = placeholder.groups()
                regex += re.escape(template[at : placeholder.start()])
                regex += f"(?P<{name}>.*?)" if kind == "s" else f"(?P<{name}>-?\\d+)"
                at = placeholder.end()
            regex += re.escape(template[at:])
            patterns.append((re.compile(regex + r"\Z", re.DOTALL), template))
        return patterns


def _param(value: str) -> str | int:
    # A number stays a number (for %(n)d); a name stays a name; a label written in English
    # (a status) is translated.
    if re.fullmatch(r"-?[0-9]{1,19}", value):
        return int(value)
    return gettext(value) if value else value
