"""The Content-Security-Policy every response carries.

The pages run only the scripts and styles Tuki serves from static/: no inline `<script>`,
`<style>`, `style=""` or event-handler attributes (docs/development/style.md). The browser
then refuses whatever an injected fragment would try to run, and a template scan test
(tuki/lib/tests/test_csp.py) keeps the templates that way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sends POLICY unless the view set a policy of its own (a stored mail's sandbox does).

    Django's debug pages (DEBUG on: the yellow 500 page and the technical 404) are built with
    inline styles and scripts, so they go out without the header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
