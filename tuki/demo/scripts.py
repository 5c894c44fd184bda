"""Demo data for guided scripts (called by tuki/demo/loader.py after the configuration
database, whose services they name): three published scripts the service desk follows on
the phone, built through tuki.scripts.services, and a history of runs on the demo's phone
tickets of their categories so the statistics and the scripts report show real numbers.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from tuki.catalogue.models import CatalogueItem
from tuki.demo.cast import Cast
from tuki.knowledge.models import ArticleTranslation
from tuki.scripts import services, tree
from tuki.scripts.models import RunOutcome, Script, ScriptRun, ScriptVersion
from tuki.sla.models import Service
from tuki.tickets.models import Category, Channel, Ticket

# A node: (type, text, {"answers": [(label, node)], outcome options...}).
Node = dict[str, Any]


def _q(text: str, *answers: tuple[str, Node]) -> Node:
    return {"type": "question", "text": text, "answers": list(answers)}


def _check(text: str, yes: Node, no: Node) -> Node:
    return {"type": "check", "text": text, "answers": [("Yes", yes), ("No", no)]}


def _do(text: str, then: Node) -> Node:
    return {"type": "instruction", "text": text, "answers": [("Done", then)]}


def _article(title: str) -> int | None:
    found = ArticleTranslation.objects.filter(title=title).order_by("article_id").first()
    return found.article_id if found else None


def _password(cast: Cast) -> Node:
    article = _article("Reset your password")
    resolved = {
        "type": "resolve",
        "text": "The caller reset the password with the self-service page.",
        "article": article,
    }
    escalate = {
        "type": "escalate",
        "text": "Account locked or no MFA: identity must be checked by the accounts team.",
        "group": cast.groups["Workplace Bucharest"].pk,
    }
    return _q(
        "Is the caller registered for multi-factor authentication (MFA)?",
        (
            "Yes",
            _do(
                "Guide the caller to passwordreset.tuki.example and stay on the line.",
                _check("Can the caller sign in with the new password?", resolved, escalate),
            ),
        ),
        ("No", escalate),
        ("Does not know", escalate),
    )


def _printer(cast: Cast) -> Node:
    article = _article("Printer offline or print jobs stuck")
    return _q(
        "Does the printer's screen show an error (paper jam, toner)?",
        (
            "Yes",
            {
                "type": "fill",
                "text": "A hardware fault: the supplier services the printer.",
                "values": {"kind": "request", "urgency": "3"},
            },
        ),
        (
            "No",
            _check(
                "Does the job appear at print.tuki.example/myjobs?",
                {
                    "type": "resolve",
                    "text": "The job was waiting in the queue: printed with the badge.",
                    "article": article,
                },
                {
                    "type": "escalate",
                    "text": "Print jobs do not reach the queue.",
                    "group": cast.groups["Workplace Bucharest"].pk,
                },
            ),
        ),
    )


def _vpn(cast: Cast) -> Node:
    article = _article("Connect to the VPN")
    network = cast.groups["Network Helsinki"].pk
    return _q(
        "Do ordinary websites open on the caller's laptop?",
        (
            "Yes",
            _do(
                "Ask the caller to disconnect GlobalProtect, wait ten seconds and connect again.",
                _check(
                    "Does the VPN connect now?",
                    {
                        "type": "resolve",
                        "text": "Reconnecting the VPN client helped.",
                        "article": article,
                    },
                    _check(
                        "Do other people at the caller's office have the same problem?",
                        {
                            "type": "escalate",
                            "text": "Several people cannot connect: the gateway must be checked.",
                            "group": network,
                        },
                        {
                            "type": "fill",
                            "text": "One laptop: a ticket for the network team's queue.",
                            "values": {"category": "VPN", "urgency": "2"},
                        },
                    ),
                ),
            ),
        ),
        (
            "No",
            {
                "type": "resolve",
                "text": "The hotel or home Wi-Fi needs its login page first: the caller "
                "signed in to it.",
            },
        ),
    )


SCRIPTS: list[tuple[str, dict[str, str], str, tuple[str, str], str | None, str | None, Any]] = [
    (
        "Password reset",
        {"ro": "Resetarea parolei", "fi": "Salasanan vaihto"},
        "password, locked, sign in, login",
        ("Accounts", "Password reset"),
        None,
        "Password reset",
        _password,
    ),
    (
        "Printer not working",
        {"ro": "Imprimanta nu funcționează", "fi": "Tulostin ei toimi"},
        "printer, print, printing",
        ("Workplace", "Printer"),
        None,
        None,
        _printer,
    ),
    (
        "VPN does not connect",
        {"ro": "VPN-ul nu se conectează", "fi": "VPN ei yhdistä"},
        "vpn, globalprotect, remote",
        ("Network", "VPN"),
        "Remote access (VPN)",
        "VPN access",
        _vpn,
    ),
]


def _add(
    admin: Any, script: Script, node: Node, parent: str = "", answer: int | None = None
) -> str:
    """Add `node` (and everything under it) to the draft; its id."""
    node_id = services.add_node(admin, script, kind=node["type"], parent=parent, answer=answer)
    data: dict[str, Any] = {"text": node.get("text", "")}
    answers = node.get("answers") or []
    if node["type"] == "question":
        data["answers"] = [label for label, _ in answers]
    for key in ("article", "group", "values"):
        if node.get(key):
            data[key] = node[key]
    services.update_node(admin, script, node_id, data)
    for index, (_label, child) in enumerate(answers):
        _add(admin, script, child, node_id, index)
    return node_id


def seed(cast: Cast, moment: datetime) -> dict[str, int]:
    """The scripts and their runs (idempotent: once only)."""
    if Script.objects.exists():
        return {"scripts": Script.objects.count(), "runs": ScriptRun.objects.count()}
    admin = cast.admin
    made = []
    for name, names, keywords, category, service, item, build in SCRIPTS:
        links: dict[str, Any] = {"categories": [cast.categories[category]]}
        if service:
            links["services"] = list(Service.objects.filter(name=service))
        if item:
            links["catalogue_items"] = list(CatalogueItem.objects.filter(name=item))
        script = services.create_script(admin, name=name, names=names, keywords=keywords, **links)
        _add(admin, script, build(cast))
        made.append(services.publish(admin, script))
    runs = _history(cast, made, moment)
    return {"scripts": len(made), "runs": runs}


def _walk(rnd: random.Random, a_tree: dict[str, Any]) -> tuple[list[dict[str, int]], str]:
    """A random path from the root to an outcome, or stopping halfway; and where it ends."""
    path: list[dict[str, int]] = []
    node_id = a_tree["root"]
    while True:
        node = tree.nodes(a_tree)[node_id]
        if tree.is_outcome(node) or (path and rnd.random() < 0.12):
            return path, node_id
        # Mostly the first answer: the common case the script was written for.
        index = 0 if rnd.random() < 0.7 else rnd.randrange(len(node["answers"]))
        path.append({"node": node_id, "answer": index})
        node_id = node["answers"][index]["next"]


def _history(cast: Cast, versions: list[ScriptVersion], moment: datetime) -> int:
    """Runs on the phone tickets of each script's category (the last few weeks' calls)."""
    rnd = random.Random(11)
    operators = cast.operators or [cast.admin]
    rows = []
    for version in versions:
        categories = list(version.script.categories.all())
        tickets = list(
            Ticket.objects.filter(category__in=_with_children(categories))
            .filter(created_at__lte=moment, created_at__gte=moment - timedelta(days=80))
            .order_by("created_at", "pk")[:40]
        )
        for ticket in tickets:
            if ticket.channel != Channel.PHONE and rnd.random() < 0.5:
                continue
            path, node_id = _walk(rnd, version.tree)
            node = tree.nodes(version.tree)[node_id]
            outcome = node["type"] if tree.is_outcome(node) else RunOutcome.ABANDONED
            started = ticket.created_at - timedelta(minutes=rnd.randint(3, 9))
            rows.append(
                ScriptRun(
                    version=version,
                    ticket=ticket,
                    operator=rnd.choice(operators),
                    started_at=started,
                    finished_at=ticket.created_at,
                    path=path,
                    outcome=outcome,
                    outcome_node=node_id if outcome != RunOutcome.ABANDONED else "",
                    dropped_at=node_id if outcome == RunOutcome.ABANDONED else "",
                )
            )
    ScriptRun.objects.bulk_create(rows)
    return len(rows)


def _with_children(categories: list[Category]) -> list[Category]:
    return list(Category.objects.filter(pk__in=[c.pk for c in categories])) + list(
        Category.objects.filter(parent__in=categories)
    )
