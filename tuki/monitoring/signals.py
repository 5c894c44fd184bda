"""What monitoring tells the apps above it (availability), which connect in their ready().

`incident_opened(sender, alert, ticket, now)`: the first alert of a group opened an incident
(not sent when a resolved incident is reopened). Sent inside the alert's transaction.
"""

from django.dispatch import Signal

incident_opened = Signal()
