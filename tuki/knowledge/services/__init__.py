"""The only way in: every write to the knowledge base goes through one function here.

Each function checks permission and input, writes in one transaction, and announces the
change after commit (signals.article_changed / article_deleted) so the search index
follows. Errors are `ServiceError`s (tuki/lib/errors.py) naming the field at fault (the API turns them
into 422s, forms show them beside the field); permission problems are PermissionDenied.

The package re-exports every public name of its modules; callers use
`from tuki.knowledge import services`.
"""

from tuki.knowledge.services.articles import (
    ARTICLE_FIELDS,
    allowed_states,
    create_article,
    delete_article,
    set_state,
    update_article,
)
from tuki.knowledge.services.attachments import add_attachments, remove_attachment
from tuki.knowledge.services.categories import delete_category, save_category
from tuki.knowledge.services.common import BODY_MAX, NOTE_MAX, TITLE_MAX, require_editor
from tuki.knowledge.services.readers import COMMENT_MAX, record_deflection, record_view, vote
from tuki.knowledge.services.ticket_articles import article_from_ticket, link_to_ticket
from tuki.knowledge.services.translations import (
    add_translation,
    delete_translation,
    restore_version,
    update_translation,
)

__all__ = [
    "ARTICLE_FIELDS",
    "BODY_MAX",
    "COMMENT_MAX",
    "NOTE_MAX",
    "TITLE_MAX",
    "add_attachments",
    "add_translation",
    "allowed_states",
    "article_from_ticket",
    "create_article",
    "delete_article",
    "delete_category",
    "delete_translation",
    "link_to_ticket",
    "record_deflection",
    "record_view",
    "remove_attachment",
    "require_editor",
    "restore_version",
    "save_category",
    "set_state",
    "update_article",
    "update_translation",
    "vote",
]
