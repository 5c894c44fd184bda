"""Satisfaction surveys: asked when a ticket is resolved, answered once (docs/surveys.md).

1. A ticket's RESOLUTION event (tickets/services/status.py `resolve_ticket`, the only way into
   a "resolved" status) is followed inside the service's transaction (receivers.py): `ask`
   makes the SurveyResponse of this resolution cycle (1 + the ticket's reopen count, so a
   reopened and resolved again ticket asks again, and the same cycle never twice) and plans
   one mail to the requester through outbound mail (`plan_notice`: composed now in the
   requester's language, sent by mail's task with its retries and refusals). It tells the
   resolution, so the "resolved" notice of the same change is skipped: one mail. Both
   commit or roll back with the resolution.
2. The mail holds five signed links (`answer_url(response, score)`) and one without a score;
   a link opens a confirm page: a GET records nothing (mail scanners follow links).
3. `answer` records the score and comment once, under a row lock, records a SURVEY_ANSWERED
   event on the ticket (its timeline; automation's "Survey answered" trigger) and sends
   `signals.answered`.

Who is asked: the requester, and only them (watchers are not, whatever the ticket's
restriction). Not asked: requesters who are agents or administrators (their answers would
grade colleagues, not the service), merged tickets, and nobody at all with TUKI_SURVEYS off.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.mail import reasons
from tuki.mail.models import OutboundMessage, OutboundStatus
from tuki.mail.outbound.planning import plan_notice
from tuki.surveys import signals
from tuki.surveys.models import Score, SurveyResponse
from tuki.tickets import services as tickets
from tuki.tickets.models import EventAction, Ticket, TicketEvent

TOKEN_SALT = "tuki.surveys.answer"
MAX_AGE = timedelta(days=30)
MAX_COMMENT = 5000


def enabled() -> bool:
    return bool(getattr(settings, "SURVEYS", True))


def asks(ticket: Ticket) -> bool:
    """Whether this ticket's requester is asked when it is resolved."""
    requester = ticket.requester
    if not enabled() or ticket.merged_into_id:
        return False
    return requester.is_active and not (requester.is_agent or requester.is_superuser)


# --- asking -------------------------------------------------------------------------------------


def ask(event: TicketEvent) -> SurveyResponse | None:
    """The survey of the resolution `event` records, made once; call inside its transaction."""
    ticket = event.ticket
    if not asks(ticket):
        return None
    cycle = ticket.reopen_count + 1
    if SurveyResponse.objects.filter(ticket=ticket, cycle=cycle).exists():
        return None
    actor = event.actor
    agent = actor if actor is not None and actor.is_agent else ticket.assignee
    response = SurveyResponse.objects.create(
        ticket=ticket,
        cycle=cycle,
        requester=ticket.requester,
        agent=agent,
        group=ticket.group,
        sent_at=event.created_at,
    )
    # The RESOLUTION event carries the resolution text: the ticket's own field is set after it.
    _mail(response, event, resolution=event.reason or ticket.resolution)
    return response


def _mail(response: SurveyResponse, event: TicketEvent, *, resolution: str) -> None:
    requester = response.requester
    if not requester.email:
        return  # they answer in the portal
    ticket = response.ticket
    context = {
        "requester": requester,
        "ticket": ticket,
        "resolution": resolution,
        "scores": [(value, label, answer_url(response, value)) for value, label in Score.choices],
        "comment_link": answer_url(response),
        "portal_link": _absolute(reverse("portal:detail", args=[ticket.number])),
        "days": MAX_AGE.days,
    }
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/survey_subject.txt", context).strip()
        text = render_to_string("emails/survey.txt", context)
        html = render_to_string("emails/survey.html", context)
    sent = plan_notice(
        ticket, to_address=requester.email, subject=subject, text=text, html=html, what="survey"
    )
    if sent is not None and sent.status == OutboundStatus.PENDING:
        _instead_of_resolved_notice(sent, event)


def _instead_of_resolved_notice(survey_mail: OutboundMessage, event: TicketEvent) -> None:
    """One mail on resolve: the survey mail tells the resolution, so the "resolved" notice
    this same resolution planned is not sent (its row stays, skipped, with the reason).

    Mail's receiver planned it just before (tuki.mail is before tuki.surveys in
    INSTALLED_APPS, so its receivers run first); its task finds it skipped and sends nothing.
    A notice that copies watchers still goes: they are told, and never asked.
    """
    OutboundMessage.objects.filter(
        ticket=survey_mail.ticket,
        what="resolved",
        status=OutboundStatus.PENDING,
        cc="",
        created_at__gte=event.created_at,  # planned for this resolution, not an older one
        pk__lt=survey_mail.pk,
    ).update(status=OutboundStatus.SKIPPED, reason=reasons.IN_SURVEY)


# --- links --------------------------------------------------------------------------------------


def token_for(response: SurveyResponse) -> str:
    return signing.dumps(response.pk, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> int:
    """The response id; raises signing.SignatureExpired or signing.BadSignature."""
    value = signing.loads(token, salt=TOKEN_SALT, max_age=MAX_AGE)
    if not isinstance(value, int) or isinstance(value, bool):
        raise signing.BadSignature("Not a survey link")
    return value


def answer_url(response: SurveyResponse, score: int | None = None) -> str:
    path = reverse("surveys:answer", args=[token_for(response)])
    return _absolute(path + (f"?score={score}" if score else ""))


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- answering ----------------------------------------------------------------------------------


def is_expired(response: SurveyResponse) -> bool:
    return timezone.now() > response.sent_at + MAX_AGE


def answer(
    response: SurveyResponse, score: int, comment: str = "", *, by: User | None = None
) -> SurveyResponse:
    """Record the answer once. `by` is the signed-in requester (portal), None for a link,
    whose signature already names the response."""
    if score not in Score.values:
        raise ServiceError(_("Choose a score from 1 to 5."), field="score", code="invalid_score")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            _("Keep the comment under %(n)s characters.") % {"n": MAX_COMMENT},
            field="comment",
            code="too_long",
        )
    if "\x00" in comment:
        raise ServiceError(_("Text may not contain NUL characters."), field="comment")
    with transaction.atomic():
        locked = (
            SurveyResponse.objects.select_for_update().select_related("ticket").get(pk=response.pk)
        )
        if by is not None and by.pk != locked.requester_id:
            raise ServiceError(
                _("Only the requester answers this survey."), field="score", code="not_requester"
            )
        if locked.is_answered:
            raise ServiceError(
                _("This survey has already been answered."), field="score", code="answered"
            )
        if is_expired(locked):
            raise ServiceError(_("This survey has expired."), field="score", code="expired")
        locked.score = score
        locked.comment = comment
        locked.answered_at = timezone.now()
        locked.save(update_fields=["score", "comment", "answered_at"])
        tickets.record_event(
            locked.ticket,
            locked.requester,
            EventAction.SURVEY_ANSWERED,
            field="survey_score",
            new=score,
        )
        signals.answered.send(sender=SurveyResponse, response=locked)
    return locked


def open_for(ticket: Ticket, user: User) -> SurveyResponse | None:
    """The survey `user` may answer on this ticket now (the portal shows it), else None."""
    if ticket.requester_id != user.pk:
        return None
    latest = SurveyResponse.objects.filter(ticket=ticket).order_by("-cycle").first()
    if latest is None or latest.is_answered or is_expired(latest):
        return None
    return latest


# --- personal data ------------------------------------------------------------------------------


def forget_comments(person: User) -> int:
    """Erasure (tuki/privacy): the person's comments go; scores stay, as the desk's figures."""
    return SurveyResponse.objects.filter(requester=person).exclude(comment="").update(comment="")
