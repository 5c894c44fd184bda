"""A change's risk: the HIGHER of the rules and the questionnaire, with every reason
(docs/changes.md, "Risk").

Rules:
- the highest criticality of the affected items (the CI attribute `criticality`: low,
  medium, high or critical, or 1-4);
- how many business services the impact analysis of the affected items reaches;
- how the last similar changes went (same template, same category or a shared item): the
  share that failed or were backed out;
- an emergency change is at least High; a standard change carries its template's risk.

Questionnaire: each answer weighs 1 (low) to 4 (very high); the highest answer counts.

A reason is stored as {"risk": n, "code": ..., "params": {...}} and read in the reader's
language by `reason_text`. Assessing costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from tuki.changes.models import Change, ChangeType, Outcome, Risk, RiskQuestion
from tuki.cmdb import impact
from tuki.cmdb.models import AffectedItem, Layer
from tuki.lib.errors import ServiceError

SIMILAR_SHOWN = 5  # how many of the last similar changes count
FAILED = (Outcome.FAILED, Outcome.BACKED_OUT)

CRITICALITY = {
    "low": Risk.LOW,
    "medium": Risk.MODERATE,
    "moderate": Risk.MODERATE,
    "high": Risk.HIGH,
    "critical": Risk.VERY_HIGH,
    "very high": Risk.VERY_HIGH,
    "1": Risk.LOW,
    "2": Risk.MODERATE,
    "3": Risk.HIGH,
    "4": Risk.VERY_HIGH,
}


@dataclass
class Assessment:
    risk: int
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _reason(risk: int, code: str, **params: Any) -> dict[str, Any]:
    return {"risk": int(risk), "code": code, "params": params}


def criticality(value: Any) -> int | None:
    if value is None:
        return None
    return CRITICALITY.get(str(value).strip().lower())


def assess(change: Change) -> Assessment:
    """The risk of `change` as it is stored now (its items, template, type, answers)."""
    reasons = [*rule_reasons(change), *questionnaire_reasons(change.questionnaire)]
    if not reasons:
        reasons = [_reason(Risk.LOW, "nothing")]
    reasons.sort(key=lambda r: -r["risk"])
    return Assessment(max(r["risk"] for r in reasons), reasons)


def rule_reasons(change: Change) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    items = list(
        AffectedItem.objects.filter(ticket_id=change.pk)
        .select_related("ci")
        .values_list("ci_id", "ci__name", "ci__attributes")
    )
    worst: tuple[int, str, str] | None = None
    for _pk, name, attributes in items:
        value = (attributes or {}).get("criticality")
        level = criticality(value)
        if level is not None and (worst is None or level > worst[0]):
            worst = (level, name, str(value))
    if worst is not None:
        reasons.append(_reason(worst[0], "ci_criticality", name=worst[1], value=worst[2]))
    if items:
        reached = impact.analyse([pk for pk, _n, _a in items])
        business = [ci.name for ci in reached.services() if ci.ci_class.layer == Layer.BUSINESS]
        named = reached.load()
        business += [
            named[pk].name
            for pk in reached.failed
            if pk in named and named[pk].ci_class.layer == Layer.BUSINESS
        ]
        business = sorted(set(business))
        if business:
            level = Risk.HIGH if len(business) >= 3 else Risk.MODERATE
            reasons.append(
                _reason(level, "services", count=len(business), names=", ".join(business[:5]))
            )
    reasons += _history(change, [pk for pk, _n, _a in items])
    if change.change_type == ChangeType.EMERGENCY:
        reasons.append(_reason(Risk.HIGH, "emergency"))
    if change.change_type == ChangeType.STANDARD and change.template_id:
        template = change.template
        assert template is not None
        reasons.append(_reason(template.risk, "template", name=template.name))
    return reasons


def _history(change: Change, item_ids: list[int]) -> list[dict[str, Any]]:
    similar = Q(pk__in=[])
    if change.template_id:
        similar |= Q(template_id=change.template_id)
    category_id = change.ticket.category_id
    if category_id:
        similar |= Q(ticket__category_id=category_id)
    if item_ids:
        similar |= Q(ticket__affected_items__ci_id__in=item_ids)
    outcomes = list(
        Change.objects.filter(similar)
        .exclude(pk=change.pk)
        .exclude(outcome="")
        .order_by("-ticket__resolved_at", "-pk")
        .values_list("pk", "outcome")
        .distinct()[: SIMILAR_SHOWN * 4]
    )
    seen: dict[int, str] = {}
    for pk, outcome in outcomes:
        seen.setdefault(pk, outcome)
    last = list(seen.values())[:SIMILAR_SHOWN]
    failed = sum(1 for outcome in last if outcome in FAILED)
    if not failed:
        return []
    level = Risk.HIGH if failed * 5 >= len(last) * 2 else Risk.MODERATE
    return [_reason(level, "history", failed=failed, total=len(last))]


def questions() -> list[RiskQuestion]:
    return list(RiskQuestion.objects.filter(is_active=True))


def clean_answers(answers: dict[str, Any] | None, asked: list[RiskQuestion]) -> dict[str, str]:
    """Only known questions and answers are kept; an unknown answer is refused."""
    known = {q.key: {a["key"] for a in q.answers} for q in asked}
    clean: dict[str, str] = {}
    for key, answer in (answers or {}).items():
        if answer in (None, ""):
            continue
        if key not in known or answer not in known[key]:
            raise ServiceError(
                _("Choose one of the given answers."), field=f"questionnaire.{key}", code="invalid"
            )
        clean[key] = str(answer)
    return clean


def questionnaire_reasons(answers: dict[str, Any]) -> list[dict[str, Any]]:
    if not answers:
        return []
    reasons = []
    for question in RiskQuestion.objects.filter(key__in=list(answers)):
        for answer in question.answers:
            if answer["key"] == answers[question.key] and answer["risk"] > Risk.LOW:
                reasons.append(
                    _reason(
                        answer["risk"],
                        "answer",
                        question=question.text,
                        answer=answer["label"],
                    )
                )
    return reasons


def reason_text(reason: dict[str, Any]) -> str:
    """ "High: the item db-01 is critical", in the active language."""
    params = reason.get("params") or {}
    code = reason.get("code")
    if code == "ci_criticality":
        why = _("the item %(name)s has criticality %(value)s") % params
    elif code == "services":
        why = _("the impact analysis reaches %(count)d business services (%(names)s)") % params
    elif code == "history":
        why = _("%(failed)d of the last %(total)d similar changes failed") % params
    elif code == "emergency":
        why = _("an emergency change")
    elif code == "template":
        why = _("the risk of the standard change template %(name)s") % params
    elif code == "answer":
        why = _("“%(answer)s” to “%(question)s”") % {
            "answer": _(params.get("answer", "")),
            "question": _(params.get("question", "")),
        }
    else:
        why = _("no rule or answer raises it")
    try:
        level = str(Risk(int(reason.get("risk", Risk.LOW))).label)
    except ValueError:
        level = str(reason.get("risk"))
    return f"{level}: {why}"
