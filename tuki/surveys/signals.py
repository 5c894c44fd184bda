"""Sent by surveys.services when a requester answers (sender=SurveyResponse, response=...).

Reports refresh the ticket's figures on it; automation's poor-score trigger follows it.
"""

from django.dispatch import Signal

answered = Signal()
