"""Every write of problem management (docs/problems.md).

The problem ticket itself (status, group, links, comments) changes only through
tuki.tickets.services; this module keeps the problem's detail row, its analysis notes and
its known-error article, and strings ticket services together in one transaction
(linking incidents, resolving a problem with its incidents). Errors are ServiceErrors
naming the field; what the actor may not see is PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.knowledge import services as knowledge
from tuki.knowledge.models import Article, ArticleCategory, Audience, Language, State
from tuki.lib.errors import ServiceError
from tuki.problems import access
from tuki.problems.models import (
    AnalysisMethod,
    AnalysisNote,
    KnownErrorState,
    Problem,
    RadarDismissal,
    RootCauseCategory,
)
from tuki.tickets import access as ticket_access, services as tickets
from tuki.tickets.models import (
    Category,
    EventAction,
    Kind,
    LinkType,
    ResolutionCode,
    Ticket,
    TicketLink,
    TicketQuerySet,
)

KNOWN_ERROR_TAG = "known-error"
KNOWN_ERROR_CATEGORY = "known-errors"  # the knowledge category slug the suggestions show
TEXT_MAX = 20_000
QUIET_DAYS_MAX = 365
DETAIL_FIELDS = ("root_cause", "root_cause_category", "workaround", "quiet_days")


def problem_for(ticket: Ticket) -> Problem:
    """The detail row of a problem ticket, made if it is missing (rows older than the app)."""
    if ticket.kind != Kind.PROBLEM:
        raise ServiceError(_("This ticket is not a problem."), field="ticket", code="not_problem")
    problem, _created = Problem.objects.get_or_create(ticket=ticket)
    problem.ticket = ticket
    return problem


def _require_worker(actor: User, ticket: Ticket) -> None:
    if not access.can_work(actor, ticket):
        raise PermissionDenied(_("Only agents may work problems."))
    if not ticket_access.may_see(actor, ticket):
        raise PermissionDenied(_("You cannot see this ticket."))


def _clean_text(value: object, field: str) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > TEXT_MAX:
        raise ServiceError(
            _("At most %(n)d characters.") % {"n": TEXT_MAX}, field=field, code="too_long"
        )
    return text


def _clean_quiet_days(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        days = int(str(value))
    except ValueError:
        days = -1
    if not 0 <= days <= QUIET_DAYS_MAX:
        raise ServiceError(
            _("Enter a number of days from 0 to %(n)d.") % {"n": QUIET_DAYS_MAX},
            field="quiet_days",
            code="invalid",
        )
    return days


def update_problem(actor: User, problem: Problem, **changes: Any) -> Problem:
    """Change the root cause, its category, the workaround or the quiet period. Each change
    is an event in the problem's timeline; a known error's article follows the new text."""
    _require_worker(actor, problem.ticket)
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ServiceError(
            _("This field cannot be changed."), field=sorted(unknown)[0], code="read_only"
        )
    clean: dict[str, Any] = {}
    for field in ("root_cause", "workaround"):
        if field in changes:
            clean[field] = _clean_text(changes[field], field)
    if "root_cause_category" in changes:
        if changes["root_cause_category"] not in RootCauseCategory.values:
            raise ServiceError(
                _("Choose a root-cause category."), field="root_cause_category", code="invalid"
            )
        clean["root_cause_category"] = changes["root_cause_category"]
    if "quiet_days" in changes:
        clean["quiet_days"] = _clean_quiet_days(changes["quiet_days"])
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        ticket = Ticket.objects.with_related().get(pk=problem.pk)
        problem.ticket = ticket
        changed = [f for f, v in clean.items() if getattr(problem, f) != v]
        if not changed:
            return problem
        if problem.is_known_error and not (
            clean.get("root_cause", problem.root_cause)
            or clean.get("workaround", problem.workaround)
        ):
            raise ServiceError(
                _("A known error needs a root cause or a workaround."),
                field="workaround",
                code="known_error_needs_text",
            )
        for field in changed:
            old, new = getattr(problem, field), clean[field]
            setattr(problem, field, new)
            tickets.record_event(
                ticket, actor, EventAction.FIELD, field=field, old=old, new=new, touch=True
            )
        problem.save(update_fields=changed)
        if problem.is_known_error and {"root_cause", "workaround"} & set(changed):
            _publish(actor, problem)
    return problem


def add_analysis_note(actor: User, problem: Problem, *, method: str, body: str) -> AnalysisNote:
    """One step of the root-cause analysis (5 whys, timeline, fishbone, or a plain note)."""
    _require_worker(actor, problem.ticket)
    if method not in AnalysisMethod.values:
        raise ServiceError(_("Choose a method."), field="method", code="invalid")
    body = _clean_text(body, "body")
    if not body:
        raise ServiceError(_("Write something first."), field="body", code="required")
    with transaction.atomic():
        return AnalysisNote.objects.create(problem=problem, author=actor, method=method, body=body)


# --- incidents -------------------------------------------------------------------------------


def problem_of_incident(incident: Ticket) -> Ticket | None:
    """The problem an incident is linked to ("caused by"), if any."""
    link = (
        TicketLink.objects.filter(
            source=incident, type=LinkType.CAUSED_BY, target__kind=Kind.PROBLEM
        )
        .select_related("target__status")
        .first()
    )
    return link.target if link else None


def linked_incidents(problem: Problem | Ticket | int) -> TicketQuerySet:
    """The incidents linked to the problem (a queryset; filter it by who reads it)."""
    pk = problem if isinstance(problem, int) else problem.pk
    ids = TicketLink.objects.filter(target_id=pk, type=LinkType.CAUSED_BY).values("source_id")
    return Ticket.objects.filter(pk__in=ids, kind=Kind.INCIDENT)


def incident_count() -> Coalesce:
    """An annotation: how many incidents are linked to each problem of a queryset."""
    links = (
        TicketLink.objects.filter(target=OuterRef("pk"), type=LinkType.CAUSED_BY)
        .order_by()
        .values("target")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links), 0)


def link_incidents(actor: User, problem: Problem, incidents: Iterable[Ticket]) -> int:
    """Link incidents to the problem (incident --caused by--> problem), in one transaction.

    Refused whole when one of them is not an incident or already belongs to another problem.
    Returns how many links are new."""
    _require_worker(actor, problem.ticket)
    incidents = list(incidents)
    if not incidents:
        raise ServiceError(_("Pick at least one incident."), field="incidents", code="required")
    new = 0
    with transaction.atomic():
        for incident in incidents:
            if incident.kind != Kind.INCIDENT:
                raise ServiceError(
                    _("%(number)s is not an incident.") % {"number": incident.number},
                    field="incidents",
                    code="not_incident",
                )
            other = problem_of_incident(incident)
            if other is not None and other.pk != problem.pk:
                # Name the other problem only to whoever may see it.
                seen = ticket_access.may_see(actor, other)
                raise ServiceError(
                    _("%(number)s is already linked to %(problem)s.")
                    % {"number": incident.number, "problem": other.number if seen else "…"},
                    field="incidents",
                    code="other_problem",
                )
            if other is None:
                tickets.link_tickets(actor, incident, problem.ticket, LinkType.CAUSED_BY)
                new += 1
    return new


def create_problem(
    actor: User,
    *,
    title: str,
    description: str = "",
    incidents: Sequence[Ticket] = (),
    category: Category | None = None,
    group: SupportGroup | None = None,
) -> Problem:
    """Register a problem ticket (the actor is its requester) and link the incidents."""
    if not access.may_use(actor):
        raise PermissionDenied(_("Only agents may work problems."))
    with transaction.atomic():
        ticket = tickets.create_ticket(
            actor,
            title=title,
            description=description,
            requester=actor,
            kind=Kind.PROBLEM,
            category=category,
            group=group,
        )
        problem = problem_for(ticket)
        if incidents:
            link_incidents(actor, problem, incidents)
    return problem


def create_problem_from_incident(actor: User, incident: Ticket) -> Problem:
    """A problem with the incident's title, description and category, the incident linked."""
    if incident.kind != Kind.INCIDENT:
        raise ServiceError(
            _("Only an incident can start a problem."), field="incident", code="not_incident"
        )
    return create_problem(
        actor,
        title=incident.title,
        description=incident.description,
        incidents=[incident],
        category=incident.category,
    )


def dismiss_incidents(actor: User, incidents: Iterable[Ticket]) -> int:
    """The radar stops proposing these incidents (a proposal was dismissed)."""
    if not access.may_use(actor):
        raise PermissionDenied(_("Only agents may work problems."))
    ids = [t.pk for t in incidents]
    if not ids:
        raise ServiceError(_("Pick at least one incident."), field="incidents", code="required")
    with transaction.atomic():
        have = set(RadarDismissal.objects.filter(incident_id__in=ids).values_list("pk", flat=True))
        RadarDismissal.objects.bulk_create(
            [RadarDismissal(incident_id=pk, dismissed_by=actor) for pk in ids if pk not in have]
        )
    return len(set(ids) - have)


# --- known errors ----------------------------------------------------------------------------


def mark_known_error(actor: User, problem: Problem) -> Problem:
    """Record the problem as a known error and publish (or update) its knowledge article:
    the symptoms (title, description), the root cause and the workaround."""
    _require_worker(actor, problem.ticket)
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        problem.ticket = Ticket.objects.with_related().get(pk=problem.pk)
        if not (problem.root_cause or problem.workaround):
            raise ServiceError(
                _("Write the root cause or a workaround first."),
                field="workaround",
                code="known_error_needs_text",
            )
        if not problem.is_known_error:
            problem.known_error = KnownErrorState.KNOWN
            problem.known_error_by = actor
            problem.known_error_at = timezone.now()
            tickets.record_event(
                problem.ticket,
                actor,
                EventAction.FIELD,
                field="known_error",
                old=KnownErrorState.NONE.label,
                new=KnownErrorState.KNOWN.label,
                touch=True,
            )
        _publish(actor, problem)
        problem.save()
    return problem


def article_title(problem: Problem) -> str:
    return (
        _("Known error %(number)s: %(title)s")
        % {
            "number": problem.ticket.number,
            "title": problem.ticket.title,
        }
    )[: knowledge.TITLE_MAX]


def article_body(problem: Problem) -> str:
    """Markdown: the workaround first (what a caller needs), then symptoms and cause."""
    ticket = problem.ticket
    parts = [
        _("**Known error %(number)s.** Workaround: %(workaround)s")
        % {
            "number": ticket.number,
            "workaround": problem.workaround or _("none yet."),
        },
        "## " + _("Symptoms"),
        (ticket.description or ticket.title).strip(),
        "## " + _("Root cause"),
        problem.root_cause or _("Not found yet."),
        "## " + _("Workaround"),
        problem.workaround or _("None yet."),
    ]
    return "\n\n".join(parts)


def _known_error_category() -> ArticleCategory:
    category, _created = ArticleCategory.objects.get_or_create(
        slug=KNOWN_ERROR_CATEGORY, defaults={"name": "Known errors"}
    )
    return category


def _publish(actor: User, problem: Problem) -> Article:
    """Hold a transaction. Write the known-error article and see that it is published."""
    title, body = article_title(problem), article_body(problem)
    article = problem.article
    if article is None or not Article.objects.filter(pk=article.pk).exists():
        article = knowledge.create_article(
            actor,
            title=title,
            body=body,
            language=Language.EN,
            category=_known_error_category(),
            audience=Audience.INTERNAL,
            tags=[KNOWN_ERROR_TAG],
            source_ticket=problem.ticket,
            note=_("Known error %(number)s") % {"number": problem.ticket.number},
        )
        problem.article = article
    else:
        language = article.translations.values_list("language", flat=True).first() or "en"
        knowledge.update_translation(actor, article, language, title=title, body=body)
    if article.state != State.PUBLISHED:
        if article.state != State.REVIEW:
            if article.state != State.DRAFT:
                knowledge.set_state(actor, article, State.DRAFT)
            knowledge.set_state(actor, article, State.REVIEW)
        article = knowledge.set_state(actor, article, State.PUBLISHED)
    return article


# --- resolving -------------------------------------------------------------------------------


def resolve_problem(
    actor: User,
    problem: Problem,
    *,
    code: str,
    resolution: str = "",
    incidents: str = "resolve",
) -> Problem:
    """Resolve the problem and, in the same transaction, each of its active incidents:
    `incidents="resolve"` resolves them (with the problem's resolution), `"note"` only tells
    them the problem is fixed (a public note where the actor may write to requesters)."""
    _require_worker(actor, problem.ticket)
    if incidents not in ("resolve", "note"):
        raise ServiceError(
            _("Choose what happens to the incidents."), field="incidents", code="invalid"
        )
    if code not in ResolutionCode.values:
        raise ServiceError(_("Choose a resolution code."), field="code", code="required")
    resolution = _clean_text(resolution, "resolution")
    with transaction.atomic():
        ticket = tickets.resolve_ticket(actor, problem.ticket, code=code, resolution=resolution)
        note = _("Problem %(number)s is fixed.") % {"number": ticket.number}
        if resolution:
            note = f"{note}\n\n{resolution}"
        active = linked_incidents(ticket).active()
        for incident in active.with_related().order_by("pk"):
            if incidents == "resolve":
                tickets.resolve_ticket(actor, incident, code=code, resolution=note)
            else:
                public = ticket_access.can_reply_publicly(actor, incident)
                tickets.add_comment(actor, incident, note, internal=not public)
        problem.ticket = ticket
    return problem
