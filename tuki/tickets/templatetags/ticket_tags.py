"""{% load ticket_tags %}: what every ticket list repeats per row, written in Python.

A list repeats these for each of its 50 rows and a filter bar for each of a few hundred
<option>s. As `{% include %}`s or template loops each costs a template render (a context
pushed, every node walked, every variable resolved); here each is one escaped string. The
HTML is the same as the templates they replaced wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms, template
from django.forms import BoundField
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tuki.lib import dates
from tuki.tickets.models import Priority

if TYPE_CHECKING:
    from tuki.tickets.models import Ticket

register = template.Library()


@register.simple_tag
def priority_badge(priority: int, label: str) -> SafeString:
    return format_html(
        '<span class="badge prio-{}" title="{}: {}">P{}</span>',
        priority,
        gettext("Priority"),
        label,
        priority,
    )


@register.simple_tag
def status_badge(status: Any) -> SafeString:
    return format_html(
        '<span class="badge rounded-pill status-{}">{}</span>', status.category, status.label
    )


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """A choice field's <option>s, the submitted value selected (compared as text)."""
    if not isinstance(field.field, forms.ChoiceField):
        raise TypeError(f"{field.name} has no choices")
    current = str(field.value())
    choices: list[tuple[Any, Any]] = field.field.choices  # type: ignore[assignment]  # django-stubs types the getter as the setter's input; it returns a list
    return _options((value, label, str(value) == current) for value, label in choices)


@register.simple_tag
def object_options(objects: Iterable[Any], label: str) -> SafeString:
    """One <option> per object: its id as the value, the attribute `label` as the text."""
    return _options((obj.pk, getattr(obj, label), False) for obj in objects)


@register.simple_tag
def pair_options(pairs: Iterable[tuple[Any, Any]]) -> SafeString:
    """One <option> per (value, label) pair (the queue's `form.groups`, `form.agents`)."""
    return _options((value, label, False) for value, label in pairs)


def _options(items: Iterable[tuple[Any, Any, bool]]) -> SafeString:
    # Every value and label is escaped.
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
            for value, label, selected in items
        )
    )


# get_priority_display() hashes every choice on each call; a list asks for 50 labels.
_PRIORITY_LABELS = dict(Priority.choices)


def _priority_label(priority: int) -> str:
    return str(_PRIORITY_LABELS.get(priority, priority))


@register.simple_tag
def queue_row(t: Ticket, sla: str) -> SafeString:
    """One row of the queue's table (tickets from views/lists.prepare_rows, with `url`);
    `sla` is the SLA badge (`{% sla_badge t as sla %}`: tickets knows nothing of the sla app).

    Fifty rows of some thirty template nodes each were most of the page's time; one
    format_html per row writes the same HTML in a tenth of it.
    """
    check = format_html(
        '<td class="ws-check"><input class="form-check-input" type="checkbox" name="tickets" '
        'value="{}" aria-label="{}"></td>',
        t.pk,
        gettext("Select %(number)s") % {"number": t.number},
    )
    title = format_html(
        '<td class="ws-title">\n<a class="text-body fw-medium" href="{}">{}</a>\n{}\n{}\n{}\n</td>',
        t.url,
        t.title,
        format_html(
            '<i class="bi bi-shield-lock text-danger" title="{}"></i>', gettext("Restricted")
        )
        if t.restricted
        else "",
        format_html_join(
            "",
            '<span class="badge text-bg-light border fw-normal">{}</span>',
            ((tag,) for tag in t.tags.all()),
        ),
        format_html('<div class="small text-secondary text-truncate">{}</div>', t.category.path)
        if t.category
        else "",
    )
    requester = format_html(
        '<td class="small">{}{}</td>',
        t.requester,
        format_html('<div class="text-secondary">{}</div>', t.organisation)
        if t.organisation
        else "",
    )
    assignee = (
        format_html("{}", t.assignee)
        if t.assignee
        else format_html("<em>{}</em>", gettext("unassigned"))
    )
    return format_html(
        "<tr>\n{}\n"
        '<td><a class="ticket-number" href="{}">{}</a></td>\n'
        "{}\n"
        "<td>{}</td>\n"
        "<td>{}</td>\n"
        '<td class="text-nowrap">{}</td>\n'
        "{}\n"
        '<td class="small">{}<div class="text-secondary">{}</div></td>\n'
        '<td class="small text-nowrap" title="{}">{}</td>\n'
        '<td class="small text-nowrap">{}</td>\n'
        "</tr>",
        check,
        t.url,
        t.number,
        title,
        priority_badge(t.priority, _priority_label(t.priority)),
        status_badge(t.status),
        sla,
        requester,
        t.group,
        assignee,
        dates.absolute(t.created_at),
        dates.absolute_date(t.created_at),
        dates.relative(t.updated_at),
    )


@register.simple_tag
def ticket_list_item(t: Ticket, sla: str) -> SafeString:
    """One ticket of a dashboard list; as queue_row."""
    return format_html(
        '<li class="list-group-item px-3 py-2">\n'
        '<div class="d-flex flex-wrap align-items-center column-gap-2 row-gap-1">\n'
        "{}\n"
        '<a class="ticket-number small" href="{}">{}</a>\n'
        '<a class="ws-list-title text-body fw-medium" href="{}" title="{}">{}</a>\n'
        "{}\n"
        "{}\n"
        "</div>\n"
        '<div class="small text-secondary d-flex flex-wrap column-gap-3 mt-1 ms-1">\n'
        '<span><i class="bi bi-person"></i> {}{}</span>\n'
        '<span><i class="bi bi-people"></i> {}{}</span>\n'
        '<span class="ms-auto">{}</span>\n'
        "</div>\n"
        "</li>",
        priority_badge(t.priority, _priority_label(t.priority)),
        t.url,
        t.number,
        t.url,
        t.title,
        t.title,
        sla,
        status_badge(t.status),
        t.requester,
        format_html(" · {}", t.organisation) if t.organisation else "",
        t.group,
        format_html(" / {}", t.assignee) if t.assignee else "",
        dates.relative(t.updated_at),
    )
