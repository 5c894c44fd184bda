"""How other parts follow the knowledge base without it knowing them.

- `article_changed` (sender=Article, article=<Article>): after the transaction commits,
  whenever an article, its translations, state, audience or categories change.
- `article_deleted` (sender=Article, article_id=<int>): after commit, once the row is gone.

Receivers run after commit, so they see the stored state; they should be quick (the search
index is a few rows per article).
"""

from django.dispatch import Signal

article_changed = Signal()
article_deleted = Signal()
