"""The ticket list: filters, sorting, pages and bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from tuki.accounts.models import User
from tuki.configcache import cache as configcache
from tuki.lib.htmx import render_page_or_fragment
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import fields as custom_fields, services
from tuki.tickets.forms import (
    CUSTOM_PREFIX,
    SORTS,
    BulkForm,
    QueueFilterForm,
    active_status_ids,
    status_ids_in,
)
from tuki.tickets.models import CustomField, FieldType, Ticket, TicketQuerySet
from tuki.tickets.views.common import agent_required, with_sla
from tuki.tickets.views.lists import custom_cells, prepare_rows

PAGE_SIZE = 50
DEFAULT_SORT = "-updated"
SLA_SORT = "deadline"


def apply_filters(qs: TicketQuerySet, form: QueueFilterForm, user: User) -> TicketQuerySet:
    value = form.value
    if value("q"):
        text = value("q")
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if value("kind"):
        qs = qs.filter(kind=value("kind"))
    state = value("state") or "active"
    # The statuses' ids come from the filter bar's cached statuses (no query of their own).
    if state == "active":
        qs = qs.filter(status_id__in=active_status_ids())
    elif state != "all":
        qs = qs.filter(status_id__in=status_ids_in(state))
    if value("status"):
        qs = qs.filter(status__key=value("status"))
    if value("priority"):
        qs = qs.filter(priority=int(value("priority")))
    qs = _people_filters(qs, form, user)
    if value("organisation"):
        qs = qs.filter(organisation_id=int(value("organisation")))
    for custom in form.custom_filters:
        qs = _custom_filter(qs, form, custom.field)
    return qs


def _custom_filter(qs: TicketQuerySet, form: QueueFilterForm, field: CustomField) -> TicketQuerySet:
    """One custom field's filters: equality and containment as JSON containment on
    PostgreSQL (Ticket.custom's GIN index answers it), key lookups elsewhere."""
    name = CUSTOM_PREFIX + field.key
    kind = field.type
    if kind in (FieldType.NUMBER, FieldType.DATE):
        low, high = form.custom_value(name + "__min"), form.custom_value(name + "__max")
        if low is None and high is None:
            return qs
        alias = f"_cf_{field.key}"
        qs = qs.alias(**{alias: KeyTransform(field.key, "custom")})
        if low is not None:
            qs = qs.filter(**{f"{alias}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{alias}__lte": high})
        return qs
    value = form.custom_value(name)
    if value is None:
        return qs
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        alias = f"_cf_{field.key}"
        qs = qs.alias(**{alias: KeyTransform(field.key, "custom")})
        return qs.filter(**{f"{alias}__icontains": value})
    if kind == FieldType.CHECKBOX:
        ticked = _equals(qs, field.key, True)
        return qs.filter(ticked) if value == "yes" else qs.exclude(ticked)
    if kind == FieldType.MULTI_CHOICE:
        return qs.filter(_holds(field.key, str(value)))
    if kind == FieldType.CHOICE:
        return qs.filter(_equals(qs, field.key, str(value)))
    return qs.filter(_equals(qs, field.key, int(value)))  # a reference: the row's id


def _equals(qs: TicketQuerySet, key: str, value: object) -> Q:
    if connection.vendor == "postgresql":
        return Q(custom__contains={key: value})
    return Q(
        pk__in=qs.model.objects.alias(_v=KeyTransform(key, "custom")).filter(_v=value).values("pk")
    )


def _holds(key: str, value: str) -> Q:
    """A multi-choice value (a JSON list) holds `value`."""
    if connection.vendor == "postgresql":
        return Q(custom__contains={key: [value]})
    table = connection.ops.quote_name(Ticket._meta.db_table)
    sql = f"EXISTS (SELECT 1 FROM json_each({table}.custom, %s) WHERE json_each.value = %s)"
    # The key is a slug (fields.KEY_RE): safe inside the quoted JSON path.
    return Q(RawSQL(sql, (f'$."{key}"', value), output_field=BooleanField()))


def _people_filters(qs: TicketQuerySet, form: QueueFilterForm, user: User) -> TicketQuerySet:
    group, assignee = form.value("group"), form.value("assignee")
    if group == "mine":
        qs = qs.filter(group__in=user.group_ids)
    elif group:
        qs = qs.filter(group_id=int(group))
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    if form.value("owner") == "me":
        qs = qs.filter(owner=user)
    return qs


def order(qs: TicketQuerySet, sort: str) -> tuple[TicketQuerySet, str]:
    key = sort.lstrip("-")
    if key == SLA_SORT:
        # Next SLA deadline (with_sla's column); tickets without a running clock last.
        deadline = F("sla_deadline")
        by = (
            deadline.desc(nulls_last=True)
            if sort.startswith("-")
            else deadline.asc(nulls_last=True)
        )
        return qs.order_by(by, "-id"), sort
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(prefix + SORTS[key], "-id"), sort


@agent_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Statuses and custom field definitions come from tuki.configcache: one version query.
    with configcache.pinned():
        return _queue(request)


def _queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    number = Ticket.parse_number(form.value("q"))
    visible = Ticket.objects.visible_to(request.user)
    if number and visible.filter(Ticket.number_q(*number)).exists():
        # Typing a number in the search box jumps straight to the ticket.
        return redirect("tickets:detail", form.value("q").strip().strip("[]").upper())
    qs, sort = order(with_sla(apply_filters(visible, form, request.user)), form.value("sort"))
    page = Paginator(qs.for_lists().prefetch_related("tags"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = prepare_rows(page.object_list, "category", "organisation")
    columns = form.columns()
    context = {
        "nav": "queue",
        "form": form,
        "column_labels": [custom_fields.label(f) for f in columns],
        "custom_cells": custom_cells(page.object_list, columns),
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "sort": sort,
    }
    return render_page_or_fragment(
        request, "tickets/queue.html", "tickets/partials/queue_results.html", context
    )


@require_POST
@agent_required
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    back = _back_url(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)  # type: ignore[arg-type]  # django-stubs: an ErrorList yields its messages, not ValidationErrors
        return redirect(back)
    data = form.cleaned_data
    tickets = Ticket.objects.visible_to(request.user).filter(pk__in=data["tickets"])
    kwargs = {}
    if data["action"] == "assign":
        kwargs = {"assignee": data["assignee"], "group": data["group"]}
    done, failed = services.bulk_apply(request.user, tickets, data["action"], **kwargs)
    if done:
        messages.success(
            request,
            ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", done)
            % {"count": done},
        )
    for ticket, message in failed:
        messages.warning(
            request,
            _("%(number)s: %(message)s") % {"number": ticket.number, "message": message},
        )
    return redirect(back)


def _back_url(request: HttpRequest) -> str:
    """Back to the same filtered page; the query is re-encoded so nothing else gets through."""
    query = QueryDict(request.POST.get("next", "").lstrip("?")).urlencode()
    return reverse("tickets:queue") + (f"?{query}" if query else "")
