"""Swarming over REST (docs/chat.md): a ticket's consultation thread and its consultations.

Agents only: for anyone else, and for a ticket the caller may not see, these are a 404 (a
requester is not told a thread exists). Every write is one call to the thread services
(tuki/tickets/services/thread.py); a refused one is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets import access, services
from tuki.tickets.models import Channel, Comment, Ticket, TicketConsultation
from tuki.tickets.schemas import GroupRef, Text, UserRef, is_agent

router = Router(tags=["consultations"])


class ThreadMessageOut(Schema):
    id: int
    author: UserRef | None
    body: str
    created_at: datetime


class ThreadMessageIn(Schema):
    body: Text


class ConsultationOut(Schema):
    id: int
    group: GroupRef | None
    user: UserRef | None
    invited_by: UserRef | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: UserRef | None
    is_open: bool


class ConsultIn(Schema):
    group: int | None = Field(None, description="A support group to consult")
    user: int | None = Field(None, description="An agent to consult (of `group`, if both)")
    body: Text = Field(description="The first message of the thread: what you need")


def _ticket(request: ApiRequest, ref: str) -> Ticket:
    """The ticket, for agents who may see it; a 404 for everybody else."""
    if not is_agent(request.auth):
        raise Http404("No such ticket")
    return access.get_ticket_for_user(request.auth, ref)


def _refused(field: str) -> ServiceError:
    return ServiceError(_("Unknown or not allowed."), field=field, code="does_not_exist")


def _consultations(ticket: Ticket) -> list[TicketConsultation]:
    return list(
        TicketConsultation.objects.filter(ticket=ticket).select_related(
            "group", "user", "invited_by", "closed_by"
        )
    )


@router.get(
    "/tickets/{ref}/thread",
    response=list[ThreadMessageOut],
    summary="The consultation thread (agents)",
)
def list_thread(request: ApiRequest, ref: str) -> list[Comment]:
    ticket = _ticket(request, ref)
    return list(Comment.objects.filter(ticket=ticket, thread=True).select_related("author"))


@router.post(
    "/tickets/{ref}/thread",
    response={201: ThreadMessageOut},
    summary="Write in the consultation thread (agents)",
)
def post_thread(request: ApiRequest, ref: str, payload: ThreadMessageIn) -> tuple[int, Comment]:
    ticket = _ticket(request, ref)
    message = services.post_thread_message(request.auth, ticket, payload.body, channel=Channel.API)
    return 201, message


@router.get(
    "/tickets/{ref}/consultations",
    response=list[ConsultationOut],
    summary="Who is and was consulted (agents)",
)
def list_consultations(request: ApiRequest, ref: str) -> list[TicketConsultation]:
    return _consultations(_ticket(request, ref))


@router.post(
    "/tickets/{ref}/consultations",
    response={201: ConsultationOut},
    summary="Consult a group or an agent, without moving the ticket (agents)",
)
def consult(request: ApiRequest, ref: str, payload: ConsultIn) -> tuple[int, TicketConsultation]:
    user: User = request.auth
    ticket = _ticket(request, ref)
    group = person = None
    if payload.group is not None:
        group = SupportGroup.objects.filter(pk=payload.group).first()
        if group is None:
            raise _refused("group")
    if payload.user is not None:
        person = directory.people_visible_to(user).filter(pk=payload.user).first()
        if person is None:
            raise _refused("user")
    consultation = services.consult(user, ticket, payload.body, group=group, user=person)
    return 201, consultation


@router.post(
    "/tickets/{ref}/consultations/{pk}/close",
    response=ConsultationOut,
    summary="Close a consultation (agents)",
)
def close_consultation(request: ApiRequest, ref: str, pk: Id) -> TicketConsultation:
    ticket = _ticket(request, ref)
    consultation = TicketConsultation.objects.filter(ticket=ticket, pk=pk).first()
    if consultation is None:
        raise Http404("No such consultation")
    return services.close_consultation(request.auth, ticket, consultation)
