"""Every write of major incidents (docs/major-incidents.md). Ticket changes go through
`tuki.tickets.services`; each function here runs in one transaction.

Events recorded on tickets (in their timelines, and announced like any other):
`major_proposed`, `major_declared`, `major_rejected`, `major_update` (on the parent and, for a
public update, on each child), `major_reviewed`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.cmdb.models import AffectedItem
from tuki.lib.errors import ServiceError
from tuki.mail.outbound.planning import plan_notice
from tuki.majors import access
from tuki.majors.models import (
    ACTIVE_STATES,
    Communication,
    CommunicationKind,
    DeclaredVia,
    MajorIncident,
    State,
)
from tuki.tickets import access as ticket_access, services as tickets
from tuki.tickets.models import (
    ActorKind,
    EventAction,
    Kind,
    LinkType,
    ResolutionCode,
    StatusCategory,
    Ticket,
)

PROPOSED = EventAction.MAJOR_PROPOSED
DECLARED = EventAction.MAJOR_DECLARED
REJECTED = EventAction.MAJOR_REJECTED
UPDATE = EventAction.MAJOR_UPDATE
REVIEWED = EventAction.MAJOR_REVIEWED

SIMILAR_HOURS = 24
SIMILAR_LIMIT = 20
MAX_CHILDREN_AT_ONCE = 200
BODY_MAX = 10_000
ACTIVE_CATEGORIES = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING)


def _check_incident(ticket: Ticket, field: str = "ticket") -> None:
    if ticket.kind != Kind.INCIDENT:
        raise ServiceError(
            _("Only incidents can be major incidents."), field=field, code="not_incident"
        )
    if ticket.status.category not in ACTIVE_CATEGORIES:
        raise ServiceError(_("This incident is already resolved."), field=field, code="not_active")


def _lock_major(ticket: Ticket) -> MajorIncident | None:
    return MajorIncident.objects.select_for_update().filter(ticket=ticket).first()


def _check_visible(actor: User | None, ticket: Ticket) -> None:
    if actor is not None and not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied(_("You cannot see this ticket."))


def _check_manager(actor: User | None, field: str = "manager") -> None:
    if actor is not None and not actor.is_active:
        raise PermissionDenied(_("Only managers may declare a major incident."))
    if actor is not None and not access.is_manager(actor):
        raise PermissionDenied(_("Only managers may declare a major incident."))


def _checked_manager(manager: User | None) -> None:
    if manager is not None and not (
        manager.is_active and (manager.is_agent or manager.is_superuser)
    ):
        raise ServiceError(
            _("The major incident manager must be an agent."), field="manager", code="not_agent"
        )


def propose_major(actor: User, ticket: Ticket, *, summary: str = "") -> MajorIncident:
    """An agent who sees an incident proposes it; a manager accepts or rejects."""
    if not access.is_agent(actor):
        raise PermissionDenied(_("Only agents may do this."))
    _check_visible(actor, ticket)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("status").get(pk=ticket.pk)
        _check_incident(ticket)
        major = _lock_major(ticket)
        if major is not None and major.state not in (State.REJECTED,):
            raise ServiceError(
                _("This incident is already a major incident or proposed as one."),
                field="ticket",
                code="already_major",
            )
        now = timezone.now()
        if major is None:
            major = MajorIncident(ticket=ticket, created_at=now)
        major.state = State.PROPOSED
        major.proposed_by, major.proposed_at = actor, now
        if summary.strip():
            major.summary = summary.strip()[:BODY_MAX]
        major.updated_at = now
        major.save()
        tickets.record_event(ticket, actor, PROPOSED, touch=True)
    return major


def declare_major(
    actor: User | None, ticket: Ticket, *, manager: User | None = None, summary: str = ""
) -> MajorIncident:
    """Declare an incident major: a manager does (actor), or an automation rule (actor None
    inside `tickets.services.acting_as("rule", ...)`). Raises the priority to 1 - Critical."""
    acting = tickets.current_acting()
    if actor is None and (
        acting is None or acting.actor_kind not in (ActorKind.RULE, ActorKind.SYSTEM)
    ):
        raise PermissionDenied(_("Only managers may declare a major incident."))
    _check_manager(actor)
    _check_visible(actor, ticket)
    _checked_manager(manager)
    if manager is None and actor is not None and (actor.is_agent or actor.is_superuser):
        manager = actor
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("status").get(pk=ticket.pk)
        _check_incident(ticket)
        if ticket.links_in.filter(type=LinkType.PARENT_OF).exists():
            raise ServiceError(
                _("This incident is a child of another major incident."),
                field="ticket",
                code="is_child",
            )
        major = _lock_major(ticket)
        if major is not None and major.state not in (State.PROPOSED, State.REJECTED):
            raise ServiceError(
                _("This incident is already a major incident."),
                field="ticket",
                code="already_major",
            )
        now = timezone.now()
        if major is None:
            major = MajorIncident(ticket=ticket, created_at=now)
        major.state = State.DECLARED
        major.declared_by, major.declared_at = actor, now
        if actor is None:
            major.declared_via = DeclaredVia.RULE
            major.rule_name = (acting.reason if acting else "")[:200]
        else:
            major.declared_via = DeclaredVia.MANAGER
        major.manager = manager
        if summary.strip():
            major.summary = summary.strip()[:BODY_MAX]
        major.updated_at = now
        major.save()
        reason = _("Declared a major incident")
        if ticket.impact != 1 or ticket.urgency != 1:
            tickets.update_ticket(actor, ticket, impact=1, urgency=1, reason=reason)
        tickets.record_event(
            ticket, actor, DECLARED, new=manager.get_full_name() if manager else "", touch=True
        )
    return major


def reject_proposal(actor: User, major: MajorIncident, *, reason: str = "") -> MajorIncident:
    _check_manager(actor)
    _check_visible(actor, major.ticket)
    with transaction.atomic():
        locked = _lock_major(major.ticket)
        if locked is None or locked.state != State.PROPOSED:
            raise ServiceError(
                _("Only a proposal can be rejected."), field="state", code="not_proposed"
            )
        locked.state = State.REJECTED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        tickets.record_event(locked.ticket, actor, REJECTED, reason=reason.strip()[:2000])
    return locked


def accept_proposal(
    actor: User, major: MajorIncident, *, manager: User | None = None, summary: str = ""
) -> MajorIncident:
    if major.state != State.PROPOSED:
        raise ServiceError(
            _("Only a proposal can be accepted."), field="state", code="not_proposed"
        )
    return declare_major(actor, major.ticket, manager=manager, summary=summary)


def update_details(
    actor: User,
    major: MajorIncident,
    *,
    summary: str | None = None,
    bridge: str | None = None,
    manager: User | None = None,
) -> MajorIncident:
    """The public summary, the bridge, the manager."""
    if not access.may_run(actor, major):
        raise PermissionDenied(_("Only the major incident manager or a manager may do this."))
    _checked_manager(manager)
    with transaction.atomic():
        locked = _lock_major(major.ticket)
        assert locked is not None
        if summary is not None:
            locked.summary = summary.strip()[:BODY_MAX]
        if bridge is not None:
            locked.bridge = bridge.strip()[:BODY_MAX]
        if manager is not None:
            locked.manager = manager
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def _require_declared(major: MajorIncident) -> None:
    if major.state != State.DECLARED:
        raise ServiceError(
            _("The major incident is not declared (or already resolved)."),
            field="state",
            code="not_declared",
        )


def children(major: MajorIncident, *, active: bool = False) -> QuerySet[Ticket]:
    """The child incidents (parent --parent_of--> child); `active`: those still open."""
    tickets_ = Ticket.objects.active() if active else Ticket.objects.all()
    return tickets_.filter(links_in__source_id=major.ticket_id, links_in__type=LinkType.PARENT_OF)


def attach_children(actor: User, major: MajorIncident, children_: Iterable[Ticket]) -> list[Ticket]:
    """Link each incident as a child of the major (parent --parent_of--> child), all or none."""
    if not access.may_run(actor, major):
        raise PermissionDenied(_("Only the major incident manager or a manager may do this."))
    wanted = list({t.pk: t for t in children_}.values())
    if not wanted:
        raise ServiceError(_("Name at least one incident."), field="tickets", code="required")
    if len(wanted) > MAX_CHILDREN_AT_ONCE:
        raise ServiceError(
            _("At most %(n)s incidents at once.") % {"n": MAX_CHILDREN_AT_ONCE},
            field="tickets",
            code="too_many",
        )
    visible = set(
        Ticket.objects.visible_to(actor)
        .filter(pk__in=[t.pk for t in wanted])
        .values_list("pk", flat=True)
    )
    attached: list[Ticket] = []
    with transaction.atomic():
        _require_declared(major)
        parents = dict(
            Ticket.objects.filter(
                links_out__type=LinkType.PARENT_OF, links_out__target__in=[t.pk for t in wanted]
            ).values_list("links_out__target", "pk")
        )
        majors = set(
            MajorIncident.objects.filter(
                ticket__in=[t.pk for t in wanted], state__in=ACTIVE_STATES
            ).values_list("pk", flat=True)
        )
        for child in wanted:
            if child.pk not in visible:
                raise ServiceError(
                    _("No such incident: %(number)s.") % {"number": child.number},
                    field="tickets",
                    code="not_found",
                )
            if child.pk == major.ticket_id:
                raise ServiceError(
                    _("A major incident cannot be its own child."), field="tickets", code="self"
                )
            if child.kind != Kind.INCIDENT:
                raise ServiceError(
                    _("%(number)s is not an incident.") % {"number": child.number},
                    field="tickets",
                    code="not_incident",
                )
            if child.pk in majors:
                raise ServiceError(
                    _("%(number)s is a major incident itself.") % {"number": child.number},
                    field="tickets",
                    code="is_major",
                )
            parent = parents.get(child.pk)
            if parent is not None and parent != major.ticket_id:
                raise ServiceError(
                    _("%(number)s is already a child of another ticket.")
                    % {"number": child.number},
                    field="tickets",
                    code="has_parent",
                )
            if parent == major.ticket_id:
                continue
            tickets.link_tickets(actor, major.ticket, child, LinkType.PARENT_OF)
            attached.append(child)
    return attached


def tickets_by_numbers(actor: User, text: str | Iterable[str]) -> list[Ticket]:
    """Tickets named by number ("INC-12, INC-13") or id, each visible or a field error."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    found: list[Ticket] = []
    for part in parts:
        try:
            found.append(ticket_access.get_ticket_for_user(actor, str(part).strip(), related=False))
        except Http404:
            raise ServiceError(
                _("No such incident: %(number)s.") % {"number": str(part)[:40]},
                field="tickets",
                code="not_found",
            ) from None
    if not found:
        raise ServiceError(_("Name at least one incident."), field="tickets", code="required")
    return found


def similar_incidents(
    user: User, major: MajorIncident, *, hours: int = SIMILAR_HOURS
) -> list[Ticket]:
    """Open incidents of the last hours that share the parent's affected items or category,
    not yet children of anything and not majors themselves: candidates to attach."""
    parent = major.ticket
    since = timezone.now() - timedelta(hours=hours)
    items = AffectedItem.objects.filter(ticket_id=parent.pk).values("ci_id")
    same = Q(affected_items__ci_id__in=items)
    if parent.category_id is not None:
        same |= Q(category_id=parent.category_id)
    qs = (
        Ticket.objects.visible_to(user)
        .active()
        .filter(kind=Kind.INCIDENT, created_at__gte=since)
        .filter(same)
        .exclude(pk=parent.pk)
        .exclude(links_in__type=LinkType.PARENT_OF)
        .exclude(major__state__in=ACTIVE_STATES)
        .select_related("status", "requester")
        .distinct()
        .order_by("-created_at", "-pk")
    )
    return list(qs[:SIMILAR_LIMIT])


def post_update(
    actor: User,
    major: MajorIncident,
    body: str,
    *,
    public: bool = True,
    kind: str | None = None,
) -> Communication:
    """A communication on the timeline. A public update is recorded on the parent and on each
    active child, and mailed once to each requester of the children, in their language."""
    kind = kind or (CommunicationKind.PUBLIC if public else CommunicationKind.INTERNAL)
    if kind not in CommunicationKind.values:
        raise ServiceError(_("Choose a kind of update."), field="kind", code="invalid")
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write something first."), field="body", code="required")
    if len(body) > BODY_MAX:
        raise ServiceError(
            _("At most %(n)s characters.") % {"n": BODY_MAX}, field="body", code="too_long"
        )
    if not access.is_agent(actor):
        raise PermissionDenied(_("Only agents may do this."))
    _check_visible(actor, major.ticket)
    if kind != CommunicationKind.INTERNAL and not access.may_run(actor, major):
        raise PermissionDenied(_("Only the major incident manager or a manager may do this."))
    with transaction.atomic():
        locked = _lock_major(major.ticket)
        assert locked is not None
        if locked.state not in ACTIVE_STATES and kind != CommunicationKind.INTERNAL:
            raise ServiceError(
                _("The major incident is over; only internal updates remain."),
                field="kind",
                code="not_active",
            )
        communication = Communication.objects.create(
            major=locked, kind=kind, body=body, posted_by=actor
        )
        parent = locked.ticket
        tickets.record_event(parent, actor, UPDATE, field=kind, new=body, touch=True)
        if kind == CommunicationKind.PUBLIC:
            communication.reached = _tell_children(actor, locked, communication)
            communication.save(update_fields=["reached"])
        locked.updated_at = communication.posted_at
        locked.save(update_fields=["updated_at"])
    return communication


def _tell_children(actor: User, major: MajorIncident, communication: Communication) -> int:
    """One event per active child; one mail per requester (grouped). Returns how many
    requesters a mail was planned for."""
    kids = list(children(major, active=True).select_related("requester", "status").order_by("pk"))
    by_requester: dict[int, list[Ticket]] = defaultdict(list)
    for child in kids:
        tickets.record_event(
            child, actor, UPDATE, field=CommunicationKind.PUBLIC, new=communication.body
        )
        by_requester[child.requester_id].append(child)
    # The mail names the requester's own tickets only: the parent may be one they cannot see.
    reached = 0
    for group in by_requester.values():
        requester = group[0].requester
        if not requester.email or not requester.is_active:
            continue
        context = {
            "requester": requester,
            "tickets": group,
            "numbers": ", ".join(t.number for t in group),
            "body": communication.body,
            "posted_at": communication.posted_at,
        }
        with translation.override(requester.language or settings.LANGUAGE_CODE):
            subject = render_to_string("emails/major_update_subject.txt", context).strip()
            text = render_to_string("emails/major_update.txt", context)
        if plan_notice(
            group[0], to_address=requester.email, subject=subject, text=text, what="major_update"
        ):
            reached += 1
    return reached


def resolve_major(
    actor: User, major: MajorIncident, *, code: str, resolution: str = ""
) -> MajorIncident:
    """Resolve the parent; its children follow (receivers.py)."""
    if not access.may_run(actor, major):
        raise PermissionDenied(_("Only the major incident manager or a manager may do this."))
    _require_declared(major)
    tickets.resolve_ticket(actor, major.ticket, code=code, resolution=resolution)
    major.refresh_from_db()
    return major


def resolve_children(parent: Ticket, code: str, resolution: str) -> int:
    """Called inside the parent's resolution (receivers.py): mark the major resolved and
    resolve every active child, as the system, with the parent's code."""
    major = _lock_major(parent)
    if major is None or major.state != State.DECLARED:
        return 0
    major.state = State.RESOLVED
    major.resolved_at = major.updated_at = timezone.now()
    major.save(update_fields=["state", "resolved_at", "updated_at"])
    if code not in ResolutionCode.values:
        code = ResolutionCode.SOLVED
    note = _("Resolved with %(number)s.") % {"number": parent.number}
    if resolution:
        note = f"{note}\n\n{resolution}"
    done = 0
    with tickets.acting_as(ActorKind.SYSTEM, note):
        for child in children(major, active=True).order_by("pk"):
            try:
                tickets.resolve_ticket(None, child, code=code, resolution=note)
            except ServiceError:
                continue  # its workflow or a guard keeps it open; the agents resolve it
            done += 1
    return done


def review_major(
    actor: User,
    major: MajorIncident,
    *,
    timeline: str,
    root_cause: str = "",
    actions: str = "",
) -> MajorIncident:
    """The post-incident review: saved once the major is resolved; its state → reviewed."""
    if not access.may_run(actor, major):
        raise PermissionDenied(_("Only the major incident manager or a manager may do this."))
    timeline = (timeline or "").strip()
    if not timeline:
        raise ServiceError(_("Summarise the timeline."), field="review_timeline", code="required")
    for field, value in (
        ("review_timeline", timeline),
        ("review_root_cause", root_cause),
        ("review_actions", actions),
    ):
        if len(value or "") > BODY_MAX:
            raise ServiceError(
                _("At most %(n)s characters.") % {"n": BODY_MAX}, field=field, code="too_long"
            )
    with transaction.atomic():
        locked = _lock_major(major.ticket)
        assert locked is not None
        if locked.state not in (State.RESOLVED, State.REVIEWED):
            raise ServiceError(
                _("Review a major incident once it is resolved."),
                field="state",
                code="not_resolved",
            )
        now = timezone.now()
        locked.review_timeline = timeline
        locked.review_root_cause = (root_cause or "").strip()
        locked.review_actions = (actions or "").strip()
        locked.reviewed_by, locked.reviewed_at = actor, now
        locked.state = State.REVIEWED
        locked.updated_at = now
        locked.save()
        tickets.record_event(locked.ticket, actor, REVIEWED)
    return locked
