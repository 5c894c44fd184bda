"""Signals the search app sends.

`suggestions_used`: a reader who was shown article suggestions (deflection.py) either found
the answer in one (outcome "solved", with the article) or submitted the request anyway
(outcome "submitted", with the new ticket). The knowledge app, which owns the Deflection
records, counts it. Arguments: user, query, channel, outcome, article, ticket, session_key.
"""

from django.dispatch import Signal

suggestions_used = Signal()
