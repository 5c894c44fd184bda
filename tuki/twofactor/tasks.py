"""Background work for second factors, run by the task worker (`tuki worker`)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from tuki.accounts.models import User

log = logging.getLogger(__name__)


@task()
def tell_factors_reset(user_id: int, actor_id: int) -> str:
    """Mail a person that an administrator removed their second factors (services.reset_factors),
    so that a reset they did not ask for does not go unnoticed."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no such active user"
    actor = User.objects.filter(pk=actor_id).first()
    context = {
        "user": user,
        "actor": actor.full_name or actor.email if actor is not None else "",
        "link": settings.SITE_URL.rstrip("/") + "/twofactor/",
    }
    with translation.override(user.language):
        subject = render_to_string("emails/twofactor_reset_subject.txt", context)
        body = render_to_string("emails/twofactor_reset.txt", context)
    message = EmailMessage(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    try:
        message.send()
    except Exception:
        log.exception("Could not tell user %s that their second factors were reset", user.pk)
        return "failed"
    return "sent"
