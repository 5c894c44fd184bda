"""{% load ticket_tags %}: what every ticket list repeats per row, written in Python.

A list repeats these for each of its 50 rows and a filter bar for each of a few hundred
<option>s. As `{% include %}`s or template loops each costs a template render (a context
pushed, every node walked, every variable resolved); here each is one escaped string. The
HTML is the same as the templates they replaced wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape as html_escape
from typing import TYPE_CHECKING, Any, Protocol

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BoundField
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from tuki.lib import dates
from tuki.tickets.models import Priority

if TYPE_CHECKING:
    from tuki.tickets.models import Ticket
    from tuki.tickets.views.timeline import Entry

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
    # Every value and label is escaped (as Django's escape() does, without its lazy wrapper).
    return mark_safe(
        "".join(
            f'<option value="{html_escape(str(value))}"{" selected" if selected else ""}>'
            f"{html_escape(str(label))}</option>"
            for value, label, selected in items
        )
    )


def _e(value: Any) -> str:
    """What format_html does to an argument (conditional_escape) without its lazy-proof
    wrappers: HTML stays as it is, anything else is str()-ed and escaped as Django escapes."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html_escape(str(value))


@dataclass(frozen=True)
class _Words:
    """What every row repeats, translated and escaped once per language."""

    select: str  # "Select %(number)s", not escaped: the number goes in first
    priority: str
    restricted: str
    unassigned: str
    priorities: dict[int, str]


_WORDS: dict[str | None, _Words] = {}


def _words() -> _Words:
    language = get_language()
    words = _WORDS.get(language)
    if words is None:
        words = _WORDS[language] = _Words(
            select=gettext("Select %(number)s"),
            priority=_e(gettext("Priority")),
            restricted=_e(gettext("Restricted")),
            unassigned=_e(gettext("unassigned")),
            priorities={value: _e(label) for value, label in Priority.choices},
        )
    return words


@receiver(setting_changed)
def _forget_words(*, setting: str, **kwargs: Any) -> None:
    """Tests that change the languages or catalogs."""
    if setting in {"LANGUAGE_CODE", "LANGUAGES", "LOCALE_PATHS"}:
        _WORDS.clear()


def _priority(words: _Words, priority: int) -> str:
    # As priority_badge writes it; get_priority_display() hashed every choice on each call.
    label = words.priorities.get(priority)
    label = _e(priority) if label is None else label
    return (
        f'<span class="badge prio-{_e(priority)}" title="{words.priority}: {label}">'
        f"P{_e(priority)}</span>"
    )


def _status(status: Any) -> str:
    return (
        f'<span class="badge rounded-pill status-{_e(status.category)}">{_e(status.label)}</span>'
    )


@register.simple_tag
def queue_row(t: Ticket, sla: str, cells: Mapping[int, str] | None = None) -> SafeString:
    """One row of the queue's table (tickets from views/lists.prepare_rows, with `url`);
    `sla` is the SLA badge (`{% sla_badge t as sla %}`: tickets knows nothing of the sla app);
    `cells`: the custom field columns' cells (HTML) by ticket id (views/lists.custom_cells).

    Fifty rows of some thirty template nodes each were most of the page's time; one string
    per row writes the same HTML in a tenth of it. f-strings with `_e` rather than nested
    format_html calls: those were half of what is left (a lazy-proof escape per value).
    """
    w = _words()
    url, number = _e(t.url), _e(t.number)
    restricted = (
        f'<i class="bi bi-shield-lock text-danger" title="{w.restricted}"></i>'
        if t.restricted
        else ""
    )
    tags = "".join(
        f'<span class="badge text-bg-light border fw-normal">{_e(tag)}</span>'
        for tag in t.tags.all()
    )
    category = (
        f'<div class="small text-secondary text-truncate">{_e(t.category.path)}</div>'
        if t.category
        else ""
    )
    organisation = (
        f'<div class="text-secondary">{_e(t.organisation)}</div>' if t.organisation else ""
    )
    assignee = _e(t.assignee) if t.assignee else f"<em>{w.unassigned}</em>"
    return mark_safe(
        "<tr>\n"
        '<td class="ws-check"><input class="form-check-input" type="checkbox" name="tickets" '
        f'value="{_e(t.pk)}" aria-label="{_e(w.select % {"number": t.number})}"></td>\n'
        f'<td><a class="ticket-number" href="{url}">{number}</a></td>\n'
        '<td class="ws-title">\n'
        f'<a class="text-body fw-medium" href="{url}">{_e(t.title)}</a>\n'
        f"{restricted}\n{tags}\n{category}\n</td>\n"
        f"<td>{_priority(w, t.priority)}</td>\n"
        f"<td>{_status(t.status)}</td>\n"
        f'<td class="text-nowrap">{_e(sla)}</td>\n'
        f'<td class="small">{_e(t.requester)}{organisation}</td>\n'
        f'<td class="small">{_e(t.group)}<div class="text-secondary">{assignee}</div></td>\n'
        f'<td class="small text-nowrap" title="{_e(dates.absolute(t.created_at))}">'
        f"{_e(dates.absolute_date(t.created_at))}</td>\n"
        f'<td class="small text-nowrap">{_e(dates.relative(t.updated_at))}</td>\n'
        f"{(cells or {}).get(t.pk, '')}</tr>"
    )


@register.simple_tag
def ticket_list_item(t: Ticket, sla: str) -> SafeString:
    """One ticket of a dashboard list; as queue_row."""
    url, title = _e(t.url), _e(t.title)
    organisation = f" · {_e(t.organisation)}" if t.organisation else ""
    assignee = f" / {_e(t.assignee)}" if t.assignee else ""
    return mark_safe(
        '<li class="list-group-item px-3 py-2">\n'
        '<div class="d-flex flex-wrap align-items-center column-gap-2 row-gap-1">\n'
        f"{_priority(_words(), t.priority)}\n"
        f'<a class="ticket-number small" href="{url}">{_e(t.number)}</a>\n'
        f'<a class="ws-list-title text-body fw-medium" href="{url}" title="{title}">{title}</a>\n'
        f"{_e(sla)}\n"
        f"{_status(t.status)}\n"
        "</div>\n"
        '<div class="small text-secondary d-flex flex-wrap column-gap-3 mt-1 ms-1">\n'
        f'<span><i class="bi bi-person"></i> {_e(t.requester)}{organisation}</span>\n'
        f'<span><i class="bi bi-people"></i> {_e(t.group)}{assignee}</span>\n'
        f'<span class="ms-auto">{_e(dates.relative(t.updated_at))}</span>\n'
        "</div>\n"
        "</li>"
    )


class _Mail(Protocol):
    """The ticket's mail (`{% ticket_mail ticket as mail %}`, mail/templatetags)."""

    def comment_html(self, context: template.Context, comment: Any) -> str: ...


class _Mentions(Protocol):
    """`{% mention_highlighter as mentions %}` (notifications/templatetags)."""

    def highlight(self, text: str) -> SafeString: ...


@dataclass(frozen=True)
class _TimelineWords:
    internal_note: str
    thread: str
    public_reply: str
    unknown: str
    rule: str  # "Rule: %(rule)s", as blocktranslate: the text as translated, the name escaped
    via: str  # "via %(channel)s", likewise


_TIMELINE_WORDS: dict[str | None, _TimelineWords] = {}
_ATTACHMENT = 987654321  # stands for the id in the reversed address of an attachment


def _timeline_words() -> _TimelineWords:
    language = get_language()
    words = _TIMELINE_WORDS.get(language)
    if words is None:
        words = _TIMELINE_WORDS[language] = _TimelineWords(
            internal_note=_e(gettext("Internal note")),
            thread=_e(gettext("In the consultation thread")),
            public_reply=_e(gettext("Public reply")),
            unknown=_e(gettext("Unknown")),
            rule=gettext("Rule: %(rule)s"),
            via=gettext("via %(channel)s"),
        )
    return words


@register.simple_tag(takes_context=True)
def timeline_comment(
    context: template.Context, e: Entry, mail: _Mail | None, mentions: _Mentions
) -> SafeString:
    """A reply or note of the ticket page's timeline (views/timeline.Entry), the HTML that
    tickets/partials/timeline.html wrote for it. A ticket page shows 30 of them; as template
    nodes each cost a third of a millisecond, most of the page's rendering."""
    w = _timeline_words()
    comment = e.comment
    assert comment is not None, "replies and notes have their comment"
    author = comment.author
    if author is not None:
        who = f"<strong>{_e(author)}</strong>"
    elif e.event is not None and e.event.actor_kind == "rule":
        rule = w.rule % {"rule": _e(e.event.reason)}
        who = f'<strong><i class="bi bi-lightning-charge"></i> {rule}</strong>'
    else:
        who = f"<strong>{w.unknown}</strong>"
    if e.kind == "note" and comment.thread:
        badge = f'<a class="badge text-bg-info text-decoration-none" href="#consultation"><i class="bi bi-people-fill"></i> {w.thread}</a>'
        body = _e(mentions.highlight(comment.body))
    elif e.kind == "note":
        badge = f'<span class="badge text-bg-warning"><i class="bi bi-lock"></i> {w.internal_note}</span>'
        body = _e(mentions.highlight(comment.body))
    else:
        badge = f'<span class="badge text-bg-primary"><i class="bi bi-reply"></i> {w.public_reply}</span>'
        body = _e(comment.body)
    channel = (
        f'<span class="text-secondary">{w.via % {"channel": _e(comment.get_channel_display())}}</span>'
        if comment.channel != "web"
        else ""
    )
    files = ""
    if e.files:
        head, _, tail = reverse("tickets:attachment", args=[_ATTACHMENT]).rpartition(
            str(_ATTACHMENT)
        )
        files = (
            '\n<div class="mt-2 d-flex flex-wrap gap-2">\n'
            + "".join(
                f'<a class="btn btn-sm btn-light border" href="{_e(head)}{_e(a.pk)}{_e(tail)}">'
                f'<i class="bi bi-paperclip"></i> {_e(a.filename)} '
                f'<span class="text-secondary">{_e(filesizeformat(a.size))}</span></a>'
                for a in e.files
            )
            + "\n</div>\n"
        )
    initial = (getattr(author, "full_name", "") or "?")[:1]
    mail_part = mail.comment_html(context, comment) if mail is not None else ""
    return mark_safe(
        f'<li class="{_e(e.kind)}" id="comment-{_e(comment.pk)}">\n'
        '<div class="card">\n'
        '<div class="card-header py-1 px-2 small d-flex flex-wrap align-items-center '
        'column-gap-2 row-gap-1">\n'
        f'<span class="ws-avatar">{_e(initial)}</span>\n'
        f"{who}\n{badge}\n{channel}\n{_e(mail_part)}\n"
        f'<span class="ms-auto text-secondary">{_e(dates.relative(e.at))}</span>\n'
        "</div>\n"
        '<div class="card-body py-2 px-3">\n'
        f'<div class="comment-body">{body}</div>\n'
        f"{files}"
        "</div>\n"
        "</div>\n"
        "</li>"
    )


@register.filter
def display_name(obj: Any) -> str:
    """A status's or category's name in the active language (a category with its path)."""
    if obj is None or obj == "":
        return ""
    if hasattr(obj, "display_path"):
        return str(obj.display_path())
    if hasattr(obj, "display_name"):
        return str(obj.display_name())
    return str(obj)
