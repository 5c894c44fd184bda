import pytest

from tuki.catalogue import services
from tuki.catalogue.models import FulfilmentTask
from tuki.tickets.models import Ticket

BASE = "/api/v1/catalogue"


def test_the_items_list_shows_what_the_caller_may_order(desk, laptop):
    services.save_item(desk.admin, laptop.item, {"organisations": [desk.acme]})
    names = [i["name"] for i in desk.client_for(desk.requester).get(f"{BASE}/items").json()]
    assert names == ["New laptop"]
    assert desk.client_for(desk.outsider).get(f"{BASE}/items").json() == []
    assert desk.client_for(desk.outsider).get(f"{BASE}/items/{laptop.item.pk}").status_code == 404


def test_an_item_comes_with_its_form(desk, laptop):
    data = desk.client_for(desk.requester).get(f"{BASE}/items/{laptop.item.pk}").json()
    assert [f["key"] for f in data["fields"]] == ["laptop_model", "docking", "monitor_count"]
    assert data["fields"][2]["condition"]["effect"] == "show"
    assert data["fields"][0]["choices"][0] == {"value": "x1", "label": "ThinkPad X1"}


def test_an_order_over_the_api(desk, laptop):
    response = desk.client_for(desk.requester).post(
        f"{BASE}/items/{laptop.item.pk}/order",
        {"values": {"laptop_model": "x1", "docking": True, "monitor_count": 3}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).custom["monitor_count"] == 3


def test_refused_answers_are_a_422_naming_the_fields_and_nothing_is_written(desk, laptop):
    response = desk.client_for(desk.requester).post(
        f"{BASE}/items/{laptop.item.pk}/order",
        {"values": {"docking": True, "monitor_count": 7}},
        content_type="application/json",
    )
    assert response.status_code == 422
    locs = sorted(d["loc"][-1] for d in response.json()["detail"])
    assert "custom.laptop_model" in locs and "custom.monitor_count" in locs
    assert not Ticket.objects.exists()


def test_an_agent_orders_for_someone_a_requester_cannot(desk, laptop):
    body = {"values": {"laptop_model": "x1"}, "requester": desk.requester.pk, "channel": "phone"}
    response = desk.client_for(desk.operator).post(
        f"{BASE}/items/{laptop.item.pk}/order", body, content_type="application/json"
    )
    assert response.status_code == 201
    response = desk.client_for(desk.colleague).post(
        f"{BASE}/items/{laptop.item.pk}/order", body, content_type="application/json"
    )
    assert response.status_code == 404


@pytest.fixture
def ordered(desk, laptop):
    return services.order_item(desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"})


def test_fulfilment_tasks_over_the_api(desk, ordered):
    client = desk.client_for(desk.specialist)
    tasks = client.get(f"{BASE}/tickets/{ordered.number}/tasks").json()
    assert [t["title"] for t in tasks] == ["Prepare the laptop", "Hand it over"]
    done = client.post(f"{BASE}/tasks/{tasks[0]['id']}/complete").json()
    assert done["done_by"] == desk.specialist.email
    assert client.post(f"{BASE}/tasks/{tasks[0]['id']}/reopen").json()["done_at"] is None


@pytest.mark.parametrize("role", ["requester", "outsider", "other_agent"])
def test_others_get_404_for_the_tasks(desk, ordered, role):
    client = desk.client_for(getattr(desk, role))
    task = FulfilmentTask.objects.filter(ticket=ordered).first()
    assert client.get(f"{BASE}/tickets/{ordered.number}/tasks").status_code == 404
    assert client.post(f"{BASE}/tasks/{task.pk}/complete").status_code == 404
