"""Files to store, independent of where they came from (a form, the API, an email).

Ticket attachments and knowledge base files both take `Upload`s, check their size against
settings.MAX_ATTACHMENT_SIZE and record the type their bytes show (`sniff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import puremagic
from django.conf import settings
from django.utils.translation import gettext as _

from tuki.lib.errors import ServiceError

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class Upload:
    """A file to attach, independent of where it came from (form, API, email)."""

    name: str
    content: bytes

    @classmethod
    def from_uploaded(cls, uploaded: UploadedFile) -> Upload:
        limit = settings.MAX_ATTACHMENT_SIZE
        if uploaded.size is not None and uploaded.size > limit:
            raise too_big(uploaded.name or "", limit)
        return cls(name=uploaded.name or "attachment", content=uploaded.read())

    def check_size(self) -> None:
        """Refuse a file over settings.MAX_ATTACHMENT_SIZE."""
        limit = settings.MAX_ATTACHMENT_SIZE
        if len(self.content) > limit:
            raise too_big(self.name, limit)


def too_big(name: str, limit: int) -> ServiceError:
    return ServiceError(
        _("%(name)s is larger than the limit of %(limit)d MB.")
        % {"name": name, "limit": limit // (1024 * 1024)},
        field="attachments",
        code="attachment_too_large",
    )


def sniff(upload: Upload) -> str:
    """The type from the file's bytes, not from what the sender claims."""
    if not upload.content:
        return "application/octet-stream"
    try:
        mime = puremagic.from_string(upload.content, mime=True, filename=upload.name)
    except (puremagic.PureError, ValueError):
        mime = ""
    if not mime:
        try:
            upload.content[:4096].decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            return "application/octet-stream"
    return mime
