"""Every write to scripts: building, versions, publishing, and runs with their transcript."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.catalogue.models import CatalogueItem
from tuki.knowledge.models import Article
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.scripts import access, tree
from tuki.scripts.models import RunOutcome, Script, ScriptRun, ScriptVersion, VersionState
from tuki.sla.models import Service
from tuki.tickets import fields as custom_fields, services as ticket_services
from tuki.tickets.models import Category, Kind, Ticket

TEXT_LIMIT = 2000


def _require_admin(actor: User) -> None:
    if not access.is_admin(actor):
        raise PermissionDenied(_("Only administrators may build scripts."))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if len(name) > 200:
        raise ServiceError(_("At most 200 characters."), field="name", code="too_long")
    return name


def _clean_names(names: dict[str, Any] | None) -> dict[str, str]:
    result = {}
    for lang in ("ro", "fi"):
        value = str((names or {}).get(lang) or "").strip()
        if len(value) > 200:
            raise ServiceError(_("At most 200 characters."), field=f"name_{lang}", code="too_long")
        if value:
            result[lang] = value
    return result


def create_script(
    actor: User,
    *,
    name: str,
    description: str = "",
    keywords: str = "",
    names: dict[str, Any] | None = None,
    categories: Iterable[Category] = (),
    services: Iterable[Service] = (),
    catalogue_items: Iterable[CatalogueItem] = (),
    is_active: bool = True,
) -> Script:
    """A script with an empty draft (version 1)."""
    _require_admin(actor)
    name, clean_names = _clean_name(name), _clean_names(names)
    with transaction.atomic():
        script = Script(
            name=name,
            names=clean_names,
            description=description.strip(),
            keywords=keywords.strip()[:500],
            is_active=is_active,
        )
        script.save()
        _set_links(script, categories, services, catalogue_items)
        ScriptVersion(script=script, number=1, tree=tree.empty(), created_by=actor).save()
    return script


def update_script(
    actor: User,
    script: Script,
    *,
    name: str,
    description: str = "",
    keywords: str = "",
    names: dict[str, Any] | None = None,
    categories: Iterable[Category] = (),
    services: Iterable[Service] = (),
    catalogue_items: Iterable[CatalogueItem] = (),
    is_active: bool = True,
) -> Script:
    _require_admin(actor)
    script.name, script.names = _clean_name(name), _clean_names(names)
    script.description, script.keywords = description.strip(), keywords.strip()[:500]
    script.is_active = is_active
    with transaction.atomic():
        script.save()
        _set_links(script, categories, services, catalogue_items)
    return script


def _set_links(
    script: Script,
    categories: Iterable[Category],
    services: Iterable[Service],
    catalogue_items: Iterable[CatalogueItem],
) -> None:
    """What suggests the script in Log a call: categories, services, catalogue items."""
    script.categories.set(list(categories))
    script.services.set(list(services))
    script.catalogue_items.set(list(catalogue_items))


def published(script: Script) -> ScriptVersion | None:
    return script.versions.filter(state=VersionState.PUBLISHED).first()


def draft(script: Script) -> ScriptVersion | None:
    return script.versions.filter(state=VersionState.DRAFT).first()


def edit_draft(actor: User, script: Script) -> ScriptVersion:
    """The draft to edit: the existing one, or a new one copied from the published tree."""
    _require_admin(actor)
    with transaction.atomic():
        Script.objects.select_for_update().filter(pk=script.pk).first()
        found = draft(script)
        if found is not None:
            return found
        base = published(script)
        number = (script.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ScriptVersion(
            script=script,
            number=number,
            tree=copy.deepcopy(base.tree) if base else tree.empty(),
            created_by=actor,
        )
        version.save()
        return version


def _save_tree(version: ScriptVersion, new_tree: dict[str, Any]) -> ScriptVersion:
    if version.state != VersionState.DRAFT:
        raise ServiceError(_("A published version cannot change."), field="tree", code="frozen")
    version.tree = new_tree
    version.save(update_fields=["tree"])
    return version


def add_node(
    actor: User, script: Script, *, kind: str, parent: str = "", answer: int | None = None
) -> str:
    """A new step or outcome: the first step, or under an answer of `parent`."""
    if kind not in tree.TYPES:
        raise ServiceError(_("Unknown step type."), field="kind", code="invalid")
    version = edit_draft(actor, script)
    new_tree = copy.deepcopy(version.tree) or tree.empty()
    all_nodes = new_tree.setdefault("nodes", {})
    node_id = tree.next_id(new_tree)
    if parent:
        answers = (all_nodes.get(parent) or {}).get("answers") or []
        if answer is None or not 0 <= answer < len(answers):
            raise ServiceError(_("Choose an answer to add the step under."), field="answer")
        if answers[answer].get("next"):
            raise ServiceError(_("This answer already leads to a step."), field="answer")
        answers[answer]["next"] = node_id
    elif new_tree.get("root"):
        raise ServiceError(_("The script already has a first step."), field="parent")
    else:
        new_tree["root"] = node_id
    all_nodes[node_id] = _new_node(kind)
    _save_tree(version, new_tree)
    return node_id


def _new_node(kind: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "text": ""}
    if kind == "question":
        node["answers"] = [{"label": _("Yes"), "next": ""}, {"label": _("No"), "next": ""}]
    elif kind == "check":
        node["answers"] = [{"label": _("Yes"), "next": ""}, {"label": _("No"), "next": ""}]
    elif kind == "instruction":
        node["answers"] = [{"label": _("Done"), "next": ""}]
    return node


def update_node(actor: User, script: Script, node_id: str, data: dict[str, Any]) -> None:
    """Change a node's texts, answers (a question's labels, one a line) or outcome target."""
    version = edit_draft(actor, script)
    new_tree = copy.deepcopy(version.tree)
    node = tree.nodes(new_tree).get(node_id)
    if node is None:
        raise ServiceError(_("No such step."), field="node", code="missing")
    text = str(data.get("text") or "").strip()
    if len(text) > TEXT_LIMIT:
        raise ServiceError(_("At most 2000 characters."), field="text", code="too_long")
    node["text"] = text
    kind = node["type"]
    if kind == "question" and "answers" in data:
        node["answers"] = _relabel(node.get("answers") or [], data["answers"])
    if kind == "resolve":
        node["article"] = data.get("article") or None
    if kind == "escalate":
        group = data.get("group")
        if group is not None and not SupportGroup.objects.filter(pk=group, is_active=True).exists():
            raise ServiceError(_("Choose an active group."), field="group", code="invalid")
        node["group"], node["note"] = group, text
    if kind == "catalogue":
        node["item"] = data.get("item") or None
    if kind == "fill":
        node["values"] = check_fill_values(data.get("values") or {})
    _save_tree(version, new_tree)


def _relabel(answers: list[dict[str, Any]], labels: list[str]) -> list[dict[str, Any]]:
    """New labels in order keep the targets of the answers at the same place."""
    labels = [label.strip()[:200] for label in labels if label.strip()]
    if not labels:
        raise ServiceError(_("A question needs at least one answer."), field="answers")
    if len(labels) > 12:
        raise ServiceError(_("At most 12 answers."), field="answers")
    result = []
    for index, label in enumerate(labels):
        target = answers[index]["next"] if index < len(answers) else ""
        result.append({"label": label, "next": target})
    return result


def delete_node(actor: User, script: Script, node_id: str) -> None:
    """Remove a node and everything only reachable through it."""
    version = edit_draft(actor, script)
    new_tree = copy.deepcopy(version.tree)
    all_nodes = tree.nodes(new_tree)
    if node_id not in all_nodes:
        raise ServiceError(_("No such step."), field="node", code="missing")
    del all_nodes[node_id]
    for node in all_nodes.values():
        for answer in node.get("answers") or []:
            if answer.get("next") == node_id:
                answer["next"] = ""
    if new_tree.get("root") == node_id:
        new_tree["root"] = ""
    keep = _reachable(new_tree)
    new_tree["nodes"] = {k: v for k, v in all_nodes.items() if k in keep}
    _save_tree(version, new_tree)


def _reachable(a_tree: dict[str, Any]) -> set[str]:
    all_nodes, found, todo = tree.nodes(a_tree), set(), [a_tree.get("root") or ""]
    while todo:
        node_id = todo.pop()
        if node_id in found or node_id not in all_nodes:
            continue
        found.add(node_id)
        todo.extend(a.get("next") for a in all_nodes[node_id].get("answers") or [])
    return found


def publish(actor: User, script: Script) -> ScriptVersion:
    """The draft becomes the published version (read-only); the previous one is retired."""
    _require_admin(actor)
    with transaction.atomic():
        Script.objects.select_for_update().filter(pk=script.pk).first()
        version = draft(script)
        if version is None:
            raise ServiceError(_("There is no draft to publish."), field="tree", code="no_draft")
        errors = tree.validate(version.tree)
        if errors:
            node, message = errors[0]
            text = f"{node}: {message}" if node else message
            raise ServiceError(text, field="tree", code="invalid_tree")
        script.versions.filter(state=VersionState.PUBLISHED).update(state=VersionState.RETIRED)
        version.state = VersionState.PUBLISHED
        version.published_by, version.published_at = actor, timezone.now()
        version.save()
    return version


# --- runs ---------------------------------------------------------------------------------


def start_run(actor: User, script: Script) -> ScriptRun:
    if not access.is_agent(actor):
        raise PermissionDenied(_("Only agents run scripts."))
    version = published(script)
    if version is None or not script.is_active:
        raise ServiceError(_("This script is not published."), field="script", code="unpublished")
    run = ScriptRun(version=version, operator=actor)
    run.save()
    return run


def _open(run: ScriptRun) -> None:
    if run.finished_at is not None:
        raise ServiceError(_("This run has ended."), field="run", code="finished")


def answer(actor: User, run: ScriptRun, index: int) -> ScriptRun:
    _open(run)
    node_id = tree.current(run.version.tree, run.path)
    node = tree.nodes(run.version.tree).get(node_id) or {}
    answers = node.get("answers") or []
    if not isinstance(index, int) or not 0 <= index < len(answers):
        raise ServiceError(_("Choose one of the answers."), field="answer", code="invalid")
    run.path = [*run.path, {"node": node_id, "answer": index}]
    run.save(update_fields=["path"])
    return run


def back(actor: User, run: ScriptRun) -> ScriptRun:
    _open(run)
    if run.path:
        run.path = run.path[:-1]
        run.save(update_fields=["path"])
    return run


def abandon(actor: User, run: ScriptRun) -> ScriptRun:
    """The operator stopped following the script: remember where."""
    _open(run)
    run.dropped_at = tree.current(run.version.tree, run.path)
    run.outcome, run.finished_at = RunOutcome.ABANDONED, timezone.now()
    run.save(update_fields=["dropped_at", "outcome", "finished_at"])
    return run


def outcome_node(run: ScriptRun) -> dict[str, Any] | None:
    node = tree.nodes(run.version.tree).get(tree.current(run.version.tree, run.path))
    return node if node is not None and tree.is_outcome(node) else None


def finish(actor: User, run: ScriptRun, ticket: Ticket) -> ScriptRun:
    """The call was registered: tie the run to its ticket and write the transcript as an
    internal note (in the timeline and search). Call inside the registering transaction."""
    _open(run)
    node = outcome_node(run)
    if node is None:
        raise ServiceError(_("The script has not reached an outcome."), field="run")
    run.ticket, run.finished_at = ticket, timezone.now()
    run.outcome = node["type"]
    run.outcome_node = tree.current(run.version.tree, run.path)
    with transaction.atomic():
        run.save(update_fields=["ticket", "finished_at", "outcome", "outcome_node"])
        if node["type"] == "fill":
            apply_fill(actor, ticket, node.get("values") or {})
        ticket_services.add_comment(actor, ticket, transcript_text(run), internal=True)
    return run


# --- the "fill fields" outcome ------------------------------------------------------------

# Standard ticket fields a fill outcome may set, besides custom fields (by their key).
STANDARD_FILL = ("kind", "category", "impact", "urgency")


def _fill_category(value: str) -> Category | None:
    """A category by its id, its name or its full path ("Network › VPN")."""
    number = parse_id(value) if value.isdigit() else None
    active = Category.objects.filter(is_active=True)
    if number is not None:
        return active.filter(pk=number).first()
    found = active.filter(path__iexact=value).first()
    return found or active.filter(name__iexact=value).order_by("path").first()


def _standard_value(key: str, value: str) -> Any:
    """The ticket value of a standard fill key, or ServiceError(field="values")."""
    value = str(value).strip()
    if key == "kind":
        if value.lower() in (Kind.INCIDENT, Kind.REQUEST):
            return value.lower()
        message = _("The kind is “incident” or “request”.")
    elif key == "category":
        category = _fill_category(value)
        if category is not None:
            return category
        message = _("There is no active category “%(value)s”.") % {"value": value}
    else:
        if value in ("1", "2", "3"):
            return int(value)
        message = _("%(field)s is 1, 2 or 3.") % {"field": key}
    raise ServiceError(message, field="values", code="invalid")


def check_fill_values(values: dict[str, Any]) -> dict[str, str]:
    """A fill outcome's values as the builder stores them: standard keys with a valid value,
    other keys naming an existing custom field (its value is checked against the ticket
    when the call is registered, as the field may not apply to every ticket)."""
    result = {}
    for key, value in values.items():
        key, value = str(key).strip(), str(value).strip()
        if key in STANDARD_FILL:
            _standard_value(key, value)
        elif custom_fields.field_by_key(key) is None:
            raise ServiceError(
                _("There is no field “%(key)s”: use %(standard)s or a custom field's key.")
                % {"key": key, "standard": ", ".join(STANDARD_FILL)},
                field="values",
                code="unknown",
            )
        result[key] = value
    return result


def apply_fill(actor: User, ticket: Ticket, values: dict[str, Any]) -> Ticket:
    """Write a fill outcome's values to the ticket through the ticket services (one timeline
    event per changed field). The kind and category go first, as they decide which custom
    fields the ticket has. A value the ticket refuses is a ServiceError naming the field."""
    standard = {k: v for k, v in values.items() if k in STANDARD_FILL}
    custom = {k: v for k, v in values.items() if k not in STANDARD_FILL}
    try:
        changes = {k: _standard_value(k, v) for k, v in standard.items()}
        if changes:
            ticket = ticket_services.update_ticket(actor, ticket, **changes)
        if custom:
            ticket = ticket_services.update_ticket(actor, ticket, custom=custom)
    except ServiceError as exc:
        key = (exc.field or "").removeprefix("custom.") or "?"
        raise ServiceError(
            _("The script fills “%(key)s”, which this ticket refuses: %(message)s")
            % {"key": key, "message": exc.message},
            field="script_run",
            code="fill_refused",
        ) from exc
    return ticket


def article_line(article_id: Any) -> str:
    """A resolution's knowledge article: its number, title and address."""
    number = parse_id(str(article_id or ""))
    article = Article.objects.filter(pk=number).first() if number is not None else None
    if article is None:
        return ""
    translation = article.translations.order_by("language").first()
    title = translation.title if translation is not None else ""
    return f"{article.number} {title}: /kb/{article.pk}/".replace("  ", " ")


def transcript(run: ScriptRun) -> list[dict[str, str]]:
    """The steps as readable rows: the step's text and the answer given."""
    all_nodes = tree.nodes(run.version.tree)
    rows = []
    for step in run.path:
        node = all_nodes.get(step.get("node", ""), {})
        answers = node.get("answers") or []
        index = step.get("answer", -1)
        label = answers[index]["label"] if 0 <= index < len(answers) else "?"
        rows.append({"text": str(node.get("text", "")), "answer": str(label)})
    return rows


def transcript_text(run: ScriptRun) -> str:
    lines = [
        _("Script “%(name)s” (version %(number)s):")
        % {"name": run.version.script.name, "number": run.version.number}
    ]
    lines += [f"- {row['text']} → {row['answer']}" for row in transcript(run)]
    node = outcome_node(run)
    if node is not None:
        label = tree.TYPE_LABELS[node["type"]]
        lines.append(f"= {label}: {node.get('text') or ''}".rstrip(": "))
        if node["type"] == "resolve" and node.get("article"):
            line = article_line(node["article"])
            if line:
                lines.append(_("Knowledge article: %(article)s") % {"article": line})
        if node["type"] == "fill":
            lines += [f"  {key} = {value}" for key, value in (node.get("values") or {}).items()]
    return "\n".join(lines)
