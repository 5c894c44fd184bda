"""Telling voters: the signed one-click link, the mail and the in-app notifications."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from tuki.accounts.models import User
from tuki.approvals.models import (
    ApprovalStep,
)
from tuki.mail.outbound.planning import plan_notice
from tuki.notifications.services import notify
from tuki.tickets.models import Ticket

LINK_SALT = "tuki.approvals.link"

LINK_MAX_AGE = timedelta(days=14)


def link_token(user: User, step: ApprovalStep) -> str:
    return signing.dumps({"u": user.pk, "s": step.pk}, salt=LINK_SALT)


def read_link_token(token: str) -> tuple[int, int]:
    """(user id, step id); raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not {"u", "s"} <= set(data):
        raise signing.BadSignature("Not an approval link")
    return int(data["u"]), int(data["s"])


def link_url(user: User, step: ApprovalStep) -> str:
    path = reverse("approvals:link", args=[link_token(user, step)])
    return settings.SITE_URL.rstrip("/") + path


def _mail_voter(voter: User, step: ApprovalStep, ticket: Ticket) -> None:
    if not voter.email:
        return
    context = {
        "approver": voter,
        "ticket": ticket,
        "step": step,
        "approval": step.approval,
        "steps_count": step.approval.steps.count(),
        "link": link_url(voter, step),
        "days": LINK_MAX_AGE.days,
    }
    with translation.override(voter.language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/approval_request_subject.txt", context).strip()
        text = render_to_string("emails/approval_request.txt", context)
    plan_notice(ticket, to_address=voter.email, subject=subject, text=text, what="approval")


REQUESTED_TEXT = gettext_lazy("Your approval is requested: %(number)s %(title)s")

APPROVED_TEXT = gettext_lazy("Approved: %(number)s %(title)s")

REJECTED_TEXT = gettext_lazy("Rejected: %(number)s %(title)s")


def _interpolate(text: Promise, **params: object) -> Promise:
    """Translated when rendered: notifications renders each in its recipient's language."""
    return lazy(lambda: str(text) % params, str)()  # type: ignore[return-value]  # django-stubs types lazy(f) as f; it returns a Promise


def _notify(
    users: list[User],
    ticket: Ticket | None,
    kind: str,
    text: Promise,
    actor: User | None,
    url: str = "",
) -> None:
    """Notifications (tuki.notifications: in the app, and mail by preference)."""
    users = [u for u in users if u is not None]
    if users:
        notify(users, ticket, kind, text, actor=actor, url=url)
