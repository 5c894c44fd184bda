import pytest
from django.urls import reverse

from tuki.catalogue import services
from tuki.catalogue.models import CatalogueItem, FulfilmentTask
from tuki.catalogue.tests.conftest import make_field
from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets.models import Ticket

ROLES = ["requester", "colleague", "outsider", "operator", "specialist", "other_agent", "admin"]


def order_url(item, **query):
    url = reverse("catalogue:order", args=[item.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_sees_an_item_for_everyone_on_the_portal_home(desk, laptop, role):
    response = desk.client_for(getattr(desk, role)).get(reverse("portal:home"))
    assert response.status_code == 200
    assert "New laptop" in response.text
    assert order_url(laptop.item) in response.text


def test_an_item_for_one_organisation_is_offered_to_its_people_only(desk, laptop):
    services.save_item(desk.admin, laptop.item, {"organisations": [desk.acme]})
    assert "New laptop" in desk.client_for(desk.colleague).get(reverse("portal:home")).text
    outsider = desk.client_for(desk.outsider)
    assert "New laptop" not in outsider.get(reverse("portal:home")).text
    assert outsider.get(order_url(laptop.item)).status_code == 404


def test_the_anonymous_visitor_is_sent_to_sign_in(client, desk, laptop):
    assert client.get(order_url(laptop.item)).status_code == 302
    assert client.get(reverse("catalogue:console_items")).status_code == 302


def test_the_portal_home_costs_the_same_with_more_items(desk, laptop):
    client = desk.client_for(desk.requester)
    client.get(reverse("portal:home"))
    with query_budget(20) as few:
        client.get(reverse("portal:home"))
    for n in range(6):
        services.save_item(
            desk.admin, None, {"name": f"Item {n}", "category": laptop.item.category}
        )
    with query_budget(20) as many:
        client.get(reverse("portal:home"))
    assert_same_count(few, many)


def test_the_order_form_shows_sections_and_the_conditions_for_the_browser(desk, laptop):
    response = desk.client_for(desk.requester).get(order_url(laptop.item))
    assert response.status_code == 200
    assert 'data-catalogue-field="monitor_count"' in response.text
    assert 'id="catalogue-conditions"' in response.text
    assert "tuki/catalogue.js" in response.text


def test_an_order_registers_the_ticket_and_shows_it(desk, laptop):
    client = desk.client_for(desk.requester)
    response = client.post(
        order_url(laptop.item),
        {"custom__laptop_model": "x1", "custom__docking": "on", "custom__monitor_count": "2"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:detail", args=[ticket.number])
    assert ticket.custom["monitor_count"] == 2


def test_a_missing_answer_is_a_field_error_and_nothing_is_written(desk, laptop):
    client = desk.client_for(desk.requester)
    response = client.post(order_url(laptop.item), {"custom__docking": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {
        "custom__laptop_model",
        "custom__monitor_count",
    }
    assert not Ticket.objects.exists()


def test_an_agent_orders_for_a_caller(desk, laptop):
    client = desk.client_for(desk.operator)
    url = order_url(laptop.item, **{"for": desk.requester.pk})
    assert "Maija" in client.get(url).text
    response = client.post(url, {"custom__laptop_model": "mac"})
    ticket = Ticket.objects.get()
    assert ticket.requester == desk.requester and ticket.channel == "phone"
    assert response["Location"] == reverse("tickets:detail", args=[ticket.number])


@pytest.mark.parametrize("value", [None, "x", "99999999999999999999999"])
def test_a_requester_cannot_order_for_someone_else(desk, laptop, value):
    client = desk.client_for(desk.requester)
    url = order_url(laptop.item, **{"for": value if value else desk.colleague.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_reach_the_console_pages(desk, laptop, role):
    client = desk.client_for(getattr(desk, role))
    urls = [
        reverse("catalogue:console_items"),
        reverse("catalogue:console_item_new"),
        reverse("catalogue:console_item", args=[laptop.item.pk]),
        reverse("catalogue:console_item_form", args=[laptop.item.pk]),
        reverse("catalogue:console_item_tasks", args=[laptop.item.pk]),
        reverse("catalogue:console_category", args=[laptop.item.category_id]),
        reverse("catalogue:console_category_new"),
    ]
    expected = 200 if role == "admin" else 404
    assert [client.get(url).status_code for url in urls] == [expected] * len(urls)


def test_the_console_list_costs_the_same_with_more_items(desk, laptop):
    client = desk.client_for(desk.admin)
    client.get(reverse("catalogue:console_items"))
    with query_budget(12) as few:
        client.get(reverse("catalogue:console_items"))
    for n in range(6):
        services.save_item(
            desk.admin, None, {"name": f"Item {n}", "category": laptop.item.category}
        )
    with query_budget(12) as many:
        client.get(reverse("catalogue:console_items"))
    assert_same_count(few, many)


def test_an_administrator_makes_an_item_and_its_form_with_a_condition(desk, laptop):
    client = desk.client_for(desk.admin)
    response = client.post(
        reverse("catalogue:console_item_new"),
        {
            "name": "Headset",
            "category": laptop.item.category_id,
            "kind": "request",
            "position": 0,
            "is_active": "on",
        },
    )
    item = CatalogueItem.objects.get(name="Headset")
    assert response["Location"] == reverse("catalogue:console_item_form", args=[item.pk])
    wired = make_field("wireless", "checkbox", laptop.category)
    data = {
        "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000",
        "q-0-ORDER": "1", "q-0-field": wired.pk, "q-0-section": "Headset",
        "q-1-ORDER": "2", "q-1-field": laptop.monitors.pk, "q-1-required": "on",
        "q-1-effect": "show", "q-1-when_field": "wireless", "q-1-op": "eq", "q-1-value": "true",
    }  # fmt: skip
    response = client.post(reverse("catalogue:console_item_form", args=[item.pk]), data)
    assert response.status_code == 302
    fields = list(item.fields.select_related("field"))
    assert [f.field.key for f in fields] == ["wireless", "monitor_count"]
    assert fields[1].condition == {
        "effect": "show",
        "all": [{"field": "wireless", "op": "eq", "value": True}],
    }


def test_a_condition_on_an_unknown_field_in_the_builder_writes_nothing(desk, laptop):
    client = desk.client_for(desk.admin)
    data = {
        "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000",
        "q-0-ORDER": "1", "q-0-field": laptop.model.pk,
        "q-0-effect": "show", "q-0-when_field": "nope", "q-0-op": "eq", "q-0-value": "1",
    }  # fmt: skip
    response = client.post(reverse("catalogue:console_item_form", args=[laptop.item.pk]), data)
    assert response.status_code == 400
    assert laptop.item.fields.count() == 3


def test_the_checklist_is_edited_in_the_console(desk, laptop):
    client = desk.client_for(desk.admin)
    data = {
        "t-TOTAL_FORMS": "1", "t-INITIAL_FORMS": "0", "t-MIN_NUM_FORMS": "0", "t-MAX_NUM_FORMS": "1000",
        "t-0-ORDER": "1", "t-0-title": "Label the laptop", "t-0-group": desk.apps.pk,
    }  # fmt: skip
    response = client.post(reverse("catalogue:console_item_tasks", args=[laptop.item.pk]), data)
    assert response.status_code == 302
    assert [(t.title, t.group) for t in laptop.item.tasks.all()] == [
        ("Label the laptop", desk.apps)
    ]


@pytest.fixture
def ordered(desk, laptop):
    return services.order_item(desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"})


def test_the_fulfilment_tasks_show_and_tick_on_the_ticket(desk, ordered):
    client = desk.client_for(desk.specialist)
    page = client.get(reverse("tickets:detail", args=[ordered.number]))
    assert reverse("catalogue:ticket_tasks", args=[ordered.pk]) in page.text
    panel = client.get(reverse("catalogue:ticket_tasks", args=[ordered.pk]))
    assert "Prepare the laptop" in panel.text
    task = FulfilmentTask.objects.filter(ticket=ordered).first()
    response = client.post(reverse("catalogue:task_toggle", args=[task.pk]), {"done": "1"})
    assert response.status_code == 200
    assert "1/2" in response.text
    task.refresh_from_db()
    assert task.done_by == desk.specialist


@pytest.mark.parametrize("role", ["requester", "colleague", "outsider", "other_agent"])
def test_others_cannot_read_or_tick_the_tasks(desk, ordered, role):
    client = desk.client_for(getattr(desk, role))
    task = FulfilmentTask.objects.filter(ticket=ordered).first()
    assert client.get(reverse("catalogue:ticket_tasks", args=[ordered.pk])).status_code == 404
    assert (
        client.post(reverse("catalogue:task_toggle", args=[task.pk]), {"done": "1"}).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.done_at is None


def test_a_condition_with_several_tests_and_any(desk, laptop):
    client = desk.client_for(desk.admin)
    data = {
        "q-TOTAL_FORMS": "3", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000",
        "q-0-ORDER": "1", "q-0-field": laptop.model.pk,
        "q-1-ORDER": "2", "q-1-field": laptop.dock.pk,
        "q-2-ORDER": "3", "q-2-field": laptop.monitors.pk, "q-2-effect": "require", "q-2-match": "any",
        "q-2-when_field": "docking", "q-2-op": "eq", "q-2-value": "true",
        "q-2-when_field_2": "laptop_model", "q-2-op_2": "in", "q-2-value_2": "x1, mac",
        "q-2-when_field_3": "laptop_model", "q-2-op_3": "not_empty", "q-2-value_3": "",
    }  # fmt: skip
    response = client.post(reverse("catalogue:console_item_form", args=[laptop.item.pk]), data)
    assert response.status_code == 302, (
        response.context["formset"].errors,
        [str(m) for m in response.context["messages"]],
    )
    condition = laptop.item.fields.get(field=laptop.monitors).condition
    assert condition == {
        "effect": "require",
        "any": [
            {"field": "docking", "op": "eq", "value": True},
            {"field": "laptop_model", "op": "in", "value": ["x1", "mac"]},
            {"field": "laptop_model", "op": "not_empty"},
        ],
    }
    page = client.get(reverse("catalogue:console_item_form", args=[laptop.item.pk]))
    html = page.content.decode()
    assert 'value="x1, mac"' in html and 'name="q-2-when_field_3"' in html


def test_saving_the_builder_keeps_tests_beyond_the_three_it_shows(desk, laptop):
    rules = [{"field": "docking", "op": "eq", "value": True}] + [
        {"field": "laptop_model", "op": "ne", "value": f"m{i}"} for i in range(4)
    ]
    services.set_form(
        desk.admin,
        laptop.item,
        [
            {"field": laptop.model},
            {"field": laptop.dock},
            {"field": laptop.monitors, "condition": {"effect": "show", "all": rules}},
        ],
    )
    client = desk.client_for(desk.admin)
    page = client.get(reverse("catalogue:console_item_form", args=[laptop.item.pk]))
    form = page.context["formset"]
    data = {
        "q-TOTAL_FORMS": str(form.total_form_count()), "q-INITIAL_FORMS": str(form.initial_form_count()),
        "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    # What the browser sends: every field of every row, a select's first option when empty.
    for index, sub in enumerate(form.forms):
        for name, field in sub.fields.items():
            value = sub[name].value()
            if hasattr(value, "pk"):
                value = value.pk
            elif value is None and getattr(field, "choices", None):
                value = list(field.choices)[0][0]
            if value is False or (value is None and name in ("required", "DELETE")):
                continue
            data[f"q-{index}-{name}"] = "on" if value is True else ("" if value is None else value)
    response = client.post(reverse("catalogue:console_item_form", args=[laptop.item.pk]), data)
    assert response.status_code == 302, [f.changed_data for f in response.context["formset"]]
    assert laptop.item.fields.get(field=laptop.monitors).condition == {
        "effect": "show",
        "all": rules,
    }
