"""notify() costs the same number of queries for 3 recipients as for 30, and tells the same
people as before: each active agent who may see the ticket, once, in their own language."""

import itertools

import pytest
from django.utils.translation import gettext_lazy

from tuki.accounts.models import User
from tuki.conftest import make_user
from tuki.lib.testing import assert_same_count, query_budget
from tuki.notifications import services
from tuki.notifications.models import Notification
from tuki.tickets import access
from tuki.tickets.models import Ticket

# The ticket's fresh row, the memberships in its two groups, the preferences, the one insert
# (and the savepoint around them).
NOTIFY_QUERIES = 6


@pytest.fixture
def restricted(escalated):
    """The escalated ticket (the desk owns it, Network Helsinki works it), restricted."""
    Ticket.objects.filter(pk=escalated.pk).update(restricted=True)
    escalated.refresh_from_db()
    return escalated


def network_agents(desk, count: int, start: int = 0) -> list:
    agents = [
        make_user(f"net{n}@tuki.test", f"Net Agent {n}", is_agent=True)
        for n in range(start, start + count)
    ]
    desk.network_hel.members.add(*agents)
    return agents


def outsiders(desk) -> list:
    """Who is never told: the actor, an agent granted all tickets but not this restricted
    one, an inactive member of the group, the requester, and nobody (None)."""
    sees_all = make_user("all@tuki.test", "Allan All", is_agent=True, sees_all_tickets=True)
    gone = make_user("gone@tuki.test", "Gone Member", is_agent=True, is_active=False)
    desk.network_hel.members.add(gone)
    return [desk.lead, sees_all, gone, desk.requester, desk.other_agent, None]


def test_three_and_thirty_recipients_cost_the_same(desk, restricted):
    few = network_agents(desk, 3)
    few[0].language = "fi"
    few[0].save(update_fields=["language"])
    noise = outsiders(desk)
    text = gettext_lazy("Preferences")
    with query_budget(NOTIFY_QUERIES, exact=True) as three:
        made = services.notify([*few, *noise], restricted, "rule", text, actor=desk.lead)
    assert sorted(n.recipient.email for n in made) == sorted(u.email for u in few)
    assert all(n.pk for n in made)

    many = network_agents(desk, 30, start=3)
    with query_budget(NOTIFY_QUERIES, exact=True) as thirty:
        made = services.notify([*noise, *many, *many], restricted, "rule", text, actor=desk.lead)
    assert_same_count(three, thirty)
    assert [n.recipient for n in made] == many  # in the order given, each once

    told = Notification.objects.filter(ticket=restricted)
    assert told.count() == 33
    assert set(told.values_list("recipient", flat=True)) == {u.pk for u in [*few, *many]}
    texts = dict(told.values_list("recipient__email", "text"))
    assert texts["net0@tuki.test"] == "Asetukset"
    assert {texts[u.email] for u in [*few[1:], *many]} == {"Preferences"}


def test_mail_and_in_app_follow_each_ones_preferences(desk, restricted):
    quiet, mailed = network_agents(desk, 2)
    services.set_preferences(quiet, quiet, {"rule": (False, True)})
    services.set_preferences(mailed, mailed, {"rule": (True, True)})
    made = services.notify([quiet, mailed], restricted, "rule", "Look", actor=desk.lead)
    assert [n.recipient for n in made] == [mailed]
    from tuki.mail.models import OutboundMessage

    assert sorted(OutboundMessage.objects.values_list("to_address", flat=True)) == [
        "net0@tuki.test",
        "net1@tuki.test",
    ]


def test_who_is_told_is_who_may_see_the_ticket(desk, escalated):
    """The batched decision against the one rule, asked of the database per person, for
    every kind of agent on every shape of the ticket."""
    people = [
        desk.admin,
        desk.lead,  # a member of the group working it
        desk.operator,  # a member of the owning desk
        desk.other_agent,  # of another group
        make_user("all@tuki.test", "Allan All", is_agent=True, sees_all_tickets=True),
        make_user("lone@tuki.test", "Lone Agent", is_agent=True),
    ]
    lone = people[-1]
    shapes = itertools.product([False, True], [None, lone], [None, lone], [False, True])
    for restricted, assignee, owner, lone_requests in shapes:
        Ticket.objects.filter(pk=escalated.pk).update(
            restricted=restricted,
            assignee=assignee,
            owner=owner,
            requester=lone if lone_requests else desk.requester,
        )
        expected = {u.pk for u in people if access.may_see(u, escalated)}
        # As cached by may_see (their group_ids) and as fresh from the database.
        assert access.who_may_see(people, escalated) == expected
        assert access.who_may_see(fresh(people), escalated) == expected
    # The ticket's row decides, not the object in hand (another transaction may have moved it).
    Ticket.objects.filter(pk=escalated.pk).update(
        group=desk.apps,
        owner_group=desk.apps,
        restricted=True,
        assignee=None,
        owner=None,
        requester=desk.requester,
    )
    assert escalated.group_id == desk.network_hel.pk
    assert access.who_may_see(fresh(people), escalated) == {desk.admin.pk, desk.other_agent.pk}
    # Nobody inactive; requesters by their own rule (their ticket, not another's).
    desk.lead.is_active = False
    seeing = access.who_may_see([desk.lead, desk.requester, desk.outsider], escalated.pk)
    assert seeing == {desk.requester.pk}


def fresh(people: list) -> list:
    return list(User.objects.filter(pk__in=[u.pk for u in people]))
