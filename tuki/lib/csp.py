"""The Content-Security-Policy every response carries, sent by django-csp's middleware.

The pages run only the scripts and styles Tuki serves from static/: no inline `<script>`,
`<style>`, `style=""` or event-handler attributes (docs/development/style.md), so the policy
needs neither 'unsafe-inline' nor 'unsafe-eval', nor nonces. The browser then refuses
whatever an injected fragment would try to run, and a template scan test
(tuki/lib/tests/test_csp.py) keeps the templates that way.

A view that sets a policy of its own keeps it (a stored mail's sandbox, an attachment shown
inline); django-csp's decorators (`csp_update`, `csp_replace`) change it for one view.
Django's debug pages (DEBUG on: the yellow 500 page and the technical 404) are built with
inline styles and scripts, so django-csp sends them without the header.
"""

from __future__ import annotations

from typing import Any

from csp.constants import NONE, SELF

DIRECTIVES: dict[str, Any] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}


def parse(header: str) -> dict[str, list[str]]:
    """A policy header as {directive: [sources]} (directive order carries no meaning)."""
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy
