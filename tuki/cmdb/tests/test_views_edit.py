"""The item editor, relations and maintenance windows from the item's page: who may change
what, the class's attributes as fields, and bad input (field errors, nothing half-written)."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.cmdb.models import CIHistory, ConfigurationItem, MaintenanceWindow, Relation
from tuki.cmdb.tests.conftest import cls

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def new_server(**extra) -> dict:
    data = {
        "name": "web3",
        "ci_class": cls("server").pk,
        "lifecycle": "operational",
        "hostname": "web3.example.com",
        "attr_cpu_cores": "8",
        "attr_memory_gb": "31,5",
        "attr_os": "Debian 13",
    }
    data.update(extra)
    return data


class TestCreating:
    def test_anonymous_visitors_sign_in_first(self, desk, cmdb):
        assert Client().get("/cmdb/new/").status_code == 302
        assert Client().post("/cmdb/new/", new_server()).status_code == 302
        assert not ConfigurationItem.objects.filter(name="web3").exists()

    @pytest.mark.parametrize("who", ["requester", "outsider", "operator", "specialist", "lead"])
    def test_only_staff_add_items(self, desk, cmdb, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get("/cmdb/new/").status_code == 404
        assert client.post("/cmdb/new/", new_server()).status_code == 404
        assert not ConfigurationItem.objects.filter(name="web3").exists()

    def test_an_external_agent_adds_nothing(self, desk, cmdb):
        assert desk.client_for(cmdb.supplier).post("/cmdb/new/", new_server()).status_code == 404

    def test_staff_add_an_item_with_its_class_attributes(self, desk, cmdb):
        desk.operator.is_staff = True
        desk.operator.save()
        client = desk.client_for(desk.operator)
        page = client.get(f"/cmdb/new/?ci_class={cls('server').pk}")
        assert page.status_code == 200 and 'name="attr_cpu_cores"' in page.content.decode()
        response = client.post("/cmdb/new/", new_server())
        ci = ConfigurationItem.objects.get(name="web3")
        assert response.status_code == 302 and response.url == f"/cmdb/{ci.pk}/"
        assert ci.attributes == {"cpu_cores": 8, "memory_gb": 31.5, "os": "Debian 13"}
        assert ci.hostname == "web3.example.com"

    def test_the_class_attributes_follow_the_class_chosen(self, desk, cmdb):
        client = desk.client_for(desk.admin)
        vm = client.get(f"/cmdb/attributes/?ci_class={cls('virtual_machine').pk}", **HTMX)
        html = vm.content.decode()
        # A virtual machine is a server: its own attribute and the server's.
        assert 'name="attr_hypervisor"' in html and 'name="attr_cpu_cores"' in html
        assert "<select" in html and 'type="date"' not in html
        licence = client.get(f"/cmdb/attributes/?ci_class={cls('licence').pk}").content.decode()
        assert 'type="date"' in licence and 'name="attr_seats"' in licence
        cluster = client.get(f"/cmdb/attributes/?ci_class={cls('cluster').pk}").content.decode()
        assert 'name="quorum"' in cluster
        assert "no attributes" in client.get("/cmdb/attributes/?ci_class=x").content.decode()
        # What was typed for the class before stays where the new class has the attribute.
        carried = client.get(
            f"/cmdb/attributes/?ci_class={cls('virtual_machine').pk}&attr_cpu_cores=12&attr_x=1"
        ).content.decode()
        assert 'name="attr_cpu_cores" value="12"' in carried
        assert Client().get("/cmdb/attributes/").status_code == 302
        assert desk.client_for(desk.requester).get("/cmdb/attributes/").status_code == 404

    def test_a_bad_attribute_is_an_error_on_its_field_and_nothing_is_written(self, desk, cmdb):
        client = desk.client_for(desk.admin)
        response = client.post("/cmdb/new/", new_server(attr_cpu_cores="many"))
        assert response.status_code == 422
        assert response.context["form"].errors == {"attr_cpu_cores": ["Enter a whole number."]}
        assert not ConfigurationItem.objects.filter(name="web3").exists()

    def test_a_duplicate_identifier_is_an_error_on_its_field(self, desk, cmdb):
        response = desk.client_for(desk.admin).post(
            "/cmdb/new/", new_server(hostname="WEB1.example.com")
        )
        assert response.status_code == 422
        assert list(response.context["form"].errors) == ["hostname"]
        assert not ConfigurationItem.objects.filter(name="web3").exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [("name", ""), ("ci_class", "999999"), ("lifecycle", "melted"), ("name", "x" * 201)],
    )
    def test_bad_fields_are_field_errors(self, desk, cmdb, field, value):
        response = desk.client_for(desk.admin).post("/cmdb/new/", new_server(**{field: value}))
        assert response.status_code == 422 and field in response.context["form"].errors
        assert ConfigurationItem.objects.count() == 6


def edit(ci: ConfigurationItem, **changes) -> dict:
    data = {
        "name": ci.name,
        "ci_class": ci.ci_class_id,
        "lifecycle": ci.lifecycle,
        "hostname": ci.hostname,
        "serial_number": ci.serial_number,
        "support_group": ci.support_group_id or "",
    }
    data.update({f"attr_{k}": v for k, v in ci.attributes.items()})
    data.update(changes)
    return data


class TestEditing:
    def test_anonymous_visitors_sign_in_first(self, desk, cmdb):
        assert Client().get(f"/cmdb/{cmdb.web1.pk}/edit/").status_code == 302

    @pytest.mark.parametrize("who", ["requester", "outsider"])
    def test_requesters_get_a_404(self, desk, cmdb, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get(f"/cmdb/{cmdb.web1.pk}/edit/").status_code == 404

    @pytest.mark.parametrize("who", ["operator", "other_agent"])
    def test_agents_outside_the_support_group_may_read_but_not_edit(self, desk, cmdb, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get(f"/cmdb/{cmdb.web1.pk}/edit/").status_code == 403
        response = client.post(f"/cmdb/{cmdb.web1.pk}/edit/", edit(cmdb.web1, name="hacked"))
        assert response.status_code == 403
        cmdb.web1.refresh_from_db()
        assert cmdb.web1.name == "web1"

    def test_an_external_agent_cannot_see_other_groups_items(self, desk, cmdb):
        client = desk.client_for(cmdb.supplier)
        assert client.get(f"/cmdb/{cmdb.web1.pk}/edit/").status_code == 404
        assert client.get(f"/cmdb/{cmdb.db.pk}/edit/").status_code == 200

    def test_a_specialist_of_the_support_group_edits_and_changes_the_lifecycle(self, desk, cmdb):
        client = desk.client_for(desk.specialist)
        page = client.get(f"/cmdb/{cmdb.web1.pk}/edit/")
        assert page.status_code == 200
        assert page.context["form"].initial["attr_cpu_cores"] == 4
        response = client.post(
            f"/cmdb/{cmdb.web1.pk}/edit/",
            edit(cmdb.web1, lifecycle="retired", attr_cpu_cores="6", attr_memory_gb=""),
        )
        assert response.status_code == 302
        cmdb.web1.refresh_from_db()
        assert cmdb.web1.lifecycle == "retired" and cmdb.web1.attributes == {"cpu_cores": 6}
        changes = set(
            CIHistory.objects.filter(ci=cmdb.web1, action="changed").values_list(
                "field", "old_value", "new_value"
            )
        )
        assert changes == {
            ("lifecycle", "operational", "retired"),
            ("attributes.cpu_cores", "4", "6"),
            ("attributes.memory_gb", "16.0", ""),
        }

    def test_a_bad_value_leaves_the_item_as_it_was(self, desk, cmdb):
        client = desk.client_for(desk.specialist)
        response = client.post(
            f"/cmdb/{cmdb.web1.pk}/edit/", edit(cmdb.web1, name="renamed", attr_memory_gb="lots")
        )
        assert response.status_code == 422
        assert list(response.context["form"].errors) == ["attr_memory_gb"]
        cmdb.web1.refresh_from_db()
        assert cmdb.web1.name == "web1"
        assert not CIHistory.objects.filter(ci=cmdb.web1, action="changed").exists()

    def test_a_catalogue_service_is_one_items(self, desk, cmdb):
        from tuki.sla.models import Service

        service = Service.objects.create(name="Shop")
        client = desk.client_for(desk.admin)
        assert (
            client.post(
                f"/cmdb/{cmdb.shop.pk}/edit/", edit(cmdb.shop, service=service.pk)
            ).status_code
            == 302
        )
        response = client.post(f"/cmdb/{cmdb.app.pk}/edit/", edit(cmdb.app, service=service.pk))
        assert response.status_code == 422 and "service" in response.context["form"].errors


class TestRelations:
    def url(self, ci) -> str:
        return f"/cmdb/{ci.pk}/relations/"

    def test_anonymous_and_requesters_change_nothing(self, desk, cmdb):
        data = {"relation": "out:depends_on", "target": cmdb.db.pk}
        assert Client().post(self.url(cmdb.web1), data).status_code == 302
        assert desk.client_for(desk.requester).post(self.url(cmdb.web1), data).status_code == 404
        assert not Relation.objects.filter(source=cmdb.web1, target=cmdb.db).exists()

    def test_an_agent_outside_both_ends_groups_is_refused(self, desk, cmdb):
        data = {"relation": "out:connected_to", "target": cmdb.web2.pk}
        assert desk.client_for(desk.operator).post(self.url(cmdb.web1), data).status_code == 403
        assert not Relation.objects.filter(type="connected_to").exists()

    def test_a_specialist_adds_both_ways_and_removes(self, desk, cmdb):
        client = desk.client_for(desk.specialist)
        response = client.post(
            self.url(cmdb.web1), {"relation": "out:connected_to", "target": cmdb.web2.pk}
        )
        assert response.status_code == 302
        assert Relation.objects.filter(
            source=cmdb.web1, target=cmdb.web2, type="connected_to"
        ).exists()
        client.post(self.url(cmdb.cluster), {"relation": "in:runs_on", "target": cmdb.shop.pk})
        relation = Relation.objects.get(source=cmdb.shop, target=cmdb.cluster, type="runs_on")
        response = client.post(f"/cmdb/relations/{relation.pk}/remove/", {"back": cmdb.cluster.pk})
        assert response.status_code == 302 and response.url == f"/cmdb/{cmdb.cluster.pk}/"
        relation.refresh_from_db()
        assert relation.removed_at is not None and relation.removed_by == desk.specialist

    def test_bad_relations_are_field_errors(self, desk, cmdb):
        client = desk.client_for(desk.admin)
        cases = [
            ({"relation": "out:member_of", "target": cmdb.db.pk}, "target"),  # not a cluster
            ({"relation": "out:depends_on", "target": cmdb.web1.pk}, "target"),  # itself
            ({"relation": "out:eats", "target": cmdb.db.pk}, "relation"),
            ({"relation": "out:depends_on", "target": ""}, "target"),
            ({"relation": "out:depends_on", "target": "999999"}, "target"),
            ({"relation": "out:depends_on", "target": "²"}, "target"),
        ]
        for data, field in cases:
            response = client.post(self.url(cmdb.web1), data)
            assert response.status_code == 422, data
            assert field in response.context["relation_form"].errors, data
        assert Relation.objects.filter(source=cmdb.web1).count() == 1

    def test_an_external_agent_cannot_reach_an_item_it_may_not_read(self, desk, cmdb):
        client = desk.client_for(cmdb.supplier)
        response = client.post(
            self.url(cmdb.db), {"relation": "out:runs_on", "target": cmdb.web1.pk}
        )
        assert response.status_code == 422
        assert response.context["relation_form"].errors == {"target": ["No such item."]}
        relation = Relation.objects.get(source=cmdb.app, target=cmdb.db)
        assert client.post(f"/cmdb/relations/{relation.pk}/remove/").status_code == 404
        assert Relation.objects.get(pk=relation.pk).removed_at is None

    def test_removing_is_refused_to_who_may_not_change_either_end(self, desk, cmdb):
        relation = Relation.objects.get(source=cmdb.app, target=cmdb.db)
        assert (
            desk.client_for(desk.specialist)
            .post(f"/cmdb/relations/{relation.pk}/remove/")
            .status_code
            == 403
        )
        assert Client().post(f"/cmdb/relations/{relation.pk}/remove/").status_code == 302
        assert (
            desk.client_for(desk.requester)
            .post(f"/cmdb/relations/{relation.pk}/remove/")
            .status_code
            == 404
        )
        assert Relation.objects.get(pk=relation.pk).removed_at is None


class TestMaintenance:
    def url(self, ci) -> str:
        return f"/cmdb/{ci.pk}/maintenance/"

    DATA = {"starts_at": "2030-01-05T22:00", "ends_at": "2030-01-06T02:00", "reason": "Kernel"}

    def test_who_may_plan(self, desk, cmdb):
        assert Client().post(self.url(cmdb.web1), self.DATA).status_code == 302
        assert (
            desk.client_for(desk.requester).post(self.url(cmdb.web1), self.DATA).status_code == 404
        )
        assert (
            desk.client_for(desk.operator).post(self.url(cmdb.web1), self.DATA).status_code == 403
        )
        assert (
            desk.client_for(cmdb.supplier).post(self.url(cmdb.web1), self.DATA).status_code == 404
        )
        assert not MaintenanceWindow.objects.exists()
        assert (
            desk.client_for(desk.specialist).post(self.url(cmdb.web1), self.DATA).status_code == 302
        )
        window = MaintenanceWindow.objects.get()
        assert window.reason == "Kernel" and window.created_by == desk.specialist

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"starts_at": "2030-01-06T02:00", "ends_at": "2030-01-05T22:00"}, "ends_at"),
            ({"starts_at": "tomorrow", "ends_at": "2030-01-05T22:00"}, "starts_at"),
            ({"starts_at": "2030-01-06T02:00"}, "ends_at"),
        ],
    )
    def test_bad_windows_are_field_errors(self, desk, cmdb, data, field):
        response = desk.client_for(desk.admin).post(self.url(cmdb.web1), data)
        assert response.status_code == 422
        assert field in response.context["maintenance_form"].errors
        assert not MaintenanceWindow.objects.exists()


class TestSearch:
    def test_it_finds_what_the_reader_may_read(self, desk, cmdb):
        html = (
            desk.client_for(desk.operator).get("/cmdb/search/?q=web&pick=target").content.decode()
        )
        assert 'type="radio" name="target"' in html and "web1" in html and "Web cluster" in html
        html = desk.client_for(cmdb.supplier).get("/cmdb/search/?q=web&pick=ci").content.decode()
        assert "web1" not in html and "No item matches" in html
        html = desk.client_for(cmdb.supplier).get("/cmdb/search/?q=db&pick=ci").content.decode()
        assert 'type="checkbox" name="ci"' in html and "db1" in html

    def test_it_leaves_out_the_item_itself(self, desk, cmdb):
        html = (
            desk.client_for(desk.operator)
            .get(f"/cmdb/search/?q=web1&exclude={cmdb.web1.pk}")
            .content.decode()
        )
        assert "web1" not in html

    def test_who_may_search(self, desk, cmdb):
        assert Client().get("/cmdb/search/?q=web").status_code == 302
        assert desk.client_for(desk.requester).get("/cmdb/search/?q=web").status_code == 404
