"""Background work for accounts, run by the task worker (`tuki worker`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from tuki.accounts.models import User

log = logging.getLogger(__name__)

RESET_MAIL_INTERVAL = timedelta(minutes=2)


@task()
def send_password_reset(user_id: int) -> str:
    """Mail a one-time link to choose a new password (forms.PasswordResetForm queues it).

    The link is built on TUKI_SITE_URL, never on the request's Host header, which an
    attacker could set to their own server to collect the token.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no such active user"
    # Claim the mail with a conditional update: a second request within the interval, or
    # this task run twice, sends nothing more.
    now = timezone.now()
    claimed = (
        User.objects.filter(pk=user.pk)
        .exclude(password_reset_mailed_at__gt=now - RESET_MAIL_INTERVAL)
        .update(password_reset_mailed_at=now)
    )
    if not claimed:
        return "a link was mailed moments ago"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "user": user,
        "link": settings.SITE_URL.rstrip("/") + path,
        "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
    }
    with translation.override(user.language):
        subject = "".join(
            render_to_string("emails/password_reset_subject.txt", context).split("\n")
        )
        body = render_to_string("emails/password_reset.txt", context)
    message = EmailMessage(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    try:
        message.send()
    except Exception:
        # The worker retries nothing here: the person asks again. The token is not logged.
        log.exception("Could not send the password reset mail to user %s", user.pk)
        return "failed"
    return "sent"
