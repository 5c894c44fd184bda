"""`setup_completed` is sent after the first-run set-up commits (sender: the service desk
group). Mail that arrived before set-up was held by intake; the lead connects its release
here."""

from django.dispatch import Signal

setup_completed = Signal()
