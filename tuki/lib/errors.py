"""The one error type every form, view and endpoint understands.

Services of every app raise `ServiceError` for a refused operation; forms show it next to the
field it names and the API answers it as a 400/409 with its code (tuki/api.py). It lives at
the bottom layer so that any app can raise it without importing another app's services
(docs/development/architecture.md).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation: a stable `code`, a translated message and the field at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class ServiceErrors(ServiceError):
    """Several refused values at once (a form's custom fields): each names its own field.

    It is a ServiceError naming the first, so code that shows one error keeps working; the
    API answers every one (tuki/api.py) and forms show each next to its field."""

    def __init__(self, errors: list[ServiceError]):
        first = errors[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.errors = list(errors)
