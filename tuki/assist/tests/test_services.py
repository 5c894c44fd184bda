"""Assist on a small synthetic desk: train, suggest with a reason, load in another process,
refuse a tampered model, log outcomes."""

from __future__ import annotations

import pickle

import pytest

from tuki.assist import jobs, services
from tuki.assist.learning import Learner
from tuki.assist.models import AssistModel, Kind, Outcome, Suggestion
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, ResolutionCode, Ticket

VPN = ["VPN drops every few minutes", "VPN will not connect", "VPN slow from home"]
APPS = ["Payroll app crashes on save", "Invoice app shows an error", "Payroll report empty"]


def _resolved(desk: Desk, title: str, group: object) -> Ticket:
    ticket = tickets.create_ticket(
        desk.operator,
        title=title,
        requester=desk.requester,
        channel=Channel.PHONE,
        impact=2,
        urgency=2,
    )
    ticket = tickets.escalate_ticket(desk.operator, ticket, group=group, reason="theirs")
    return tickets.resolve_ticket(desk.admin, ticket, code=ResolutionCode.values[0])


@pytest.fixture
def history(desk: Desk) -> list[Ticket]:
    made = []
    for _round in range(2):
        made += [_resolved(desk, title, desk.network_hel) for title in VPN]
        made += [_resolved(desk, title, desk.apps) for title in APPS]
    return made


def test_training_learns_from_the_resolved_tickets(desk: Desk, history: list[Ticket]) -> None:
    model = services.train(Kind.GROUP)
    assert model is not None
    assert model.samples == len(history)
    assert model.metrics["classes"] == 2


def test_training_keeps_only_the_newest_models_of_its_kind(
    desk: Desk, history: list[Ticket]
) -> None:
    made = [services.train(Kind.GROUP) for _ in range(services.KEEP_MODELS + 2)]
    other = services.train(Kind.PRIORITY)
    assert other is not None
    kept = set(AssistModel.objects.filter(kind=Kind.GROUP).values_list("pk", flat=True))
    assert kept == {m.pk for m in made[-services.KEEP_MODELS :] if m}
    assert services.latest(Kind.GROUP) == made[-1]
    assert AssistModel.objects.filter(pk=other.pk).exists()  # another kind's are its own


def test_training_without_history_makes_no_model(desk: Desk) -> None:
    assert services.train(Kind.GROUP) is None


def test_an_obvious_vpn_ticket_is_suggested_to_network_with_similar_tickets(
    desk: Desk, history: list[Ticket]
) -> None:
    services.train(Kind.GROUP)
    fields = {"title": "VPN drops again", "requester": desk.requester, "channel": Channel.PHONE}
    suggested = services.suggest(fields, Kind.GROUP)
    assert suggested is not None
    assert suggested.value == str(desk.network_hel.pk)
    assert suggested.confidence > 0.5
    assert [value for value, _p in suggested.top][0] == str(desk.network_hel.pk)
    vpn_ids = {t.pk for t in history if t.title.startswith("VPN")}
    assert suggested.reason and set(suggested.reason) <= vpn_ids


def test_the_stored_model_loads_anew_from_the_database(desk: Desk, history: list[Ticket]) -> None:
    trained = services.train(Kind.GROUP)
    assert trained is not None
    fresh = AssistModel.objects.get(pk=trained.pk)  # as another process reads it
    learner = services.load(fresh)
    assert isinstance(learner, Learner)
    assert learner.predict({"title": "Payroll app crashes"}).value == str(desk.apps.pk)


def test_a_tampered_model_is_refused(desk: Desk, history: list[Ticket]) -> None:
    trained = services.train(Kind.GROUP)
    assert trained is not None
    evil = pickle.dumps({"not": "a learner"})
    AssistModel.objects.filter(pk=trained.pk).update(blob=evil)
    with pytest.raises(services.TamperedModel):
        services.load(AssistModel.objects.get(pk=trained.pk))


def test_a_signed_blob_that_is_not_a_learner_is_refused(desk: Desk) -> None:
    blob = pickle.dumps(["a list"])
    model = AssistModel.objects.create(kind=Kind.GROUP, blob=blob, signature=services._sign(blob))
    with pytest.raises(services.TamperedModel):
        services.load(model)


def test_outcomes_are_logged_once(desk: Desk, history: list[Ticket]) -> None:
    services.train(Kind.GROUP)
    ticket = history[0]
    suggested = services.suggest(ticket, Kind.GROUP)
    assert suggested is not None
    logged = services.log_suggestion(ticket, suggested)
    assert logged.outcome == Outcome.PENDING
    decided = services.record_outcome(logged, accepted=True, actor=desk.operator)
    assert decided.outcome == Outcome.ACCEPTED
    assert decided.decided_by == desk.operator and decided.decided_at is not None
    with pytest.raises(ServiceError):
        services.record_outcome(logged, accepted=False, actor=desk.operator)
    assert Suggestion.objects.get().outcome == Outcome.ACCEPTED


def test_category_and_priority_models_train_too(desk: Desk, history: list[Ticket]) -> None:
    assert services.train(Kind.PRIORITY) is not None
    suggested = services.suggest(history[0], Kind.PRIORITY)
    assert suggested is not None and suggested.value == str(history[0].priority)


def test_routing_may_use_a_suggestion_only_above_the_threshold(
    desk: Desk, history: list[Ticket]
) -> None:
    services.train(Kind.GROUP)
    suggested = services.suggest(history[0], Kind.GROUP)
    assert suggested is not None
    assert not services.routing_may_use(suggested)  # no threshold: never
    services.set_routing_threshold(0.0)
    assert services.routing_may_use(suggested)
    services.set_routing_threshold(1.0)
    assert not services.routing_may_use(suggested) or suggested.confidence == 1.0
    with pytest.raises(ServiceError):
        services.set_routing_threshold(1.5)


def test_the_periodic_job_retrains_every_kind(desk: Desk, history: list[Ticket]) -> None:
    assert jobs.retrain_due() == len(Kind.values)
    # No ticket of the history has a category: nothing to learn categories from.
    assert set(AssistModel.objects.values_list("kind", flat=True)) == {Kind.GROUP, Kind.PRIORITY}
