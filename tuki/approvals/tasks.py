"""Approvals need no tasks of their own: the mail to approvers is planned with the request
(tuki.mail.outbound.planning.plan_notice) and sent by the mail worker after commit; links expire by
their signature's age, checked when they are used, so nothing needs to fire on a timer."""
