"""The rule editor: the builder's htmx redraws, saving what was built, errors next to the row
at fault with nothing lost, scheduled waits, the preview and the run log."""

from __future__ import annotations

import pytest

from tuki.automation.models import Rule, RuleRun
from tuki.tickets import services as tickets

BUILDER = "/automation/builder/"
NEW = "/automation/new/"


def vpn_rule_post(desk, **extra) -> dict:
    """What the browser posts for "incident created, title contains VPN and priority 1 or 2
    → assign Network Helsinki, tag vpn"."""
    data = {
        "name": "VPN to Network Helsinki",
        "description": "Route VPN incidents.",
        "is_active": "on",
        "trigger": "event",
        "events": ["created"],
        "kinds": ["incident"],
        "match": "all",
        "node": ["0", "1", "1.0"],
        "node-0-kind": "condition",
        "node-0-field": "title",
        "node-0-was": "title",
        "node-0-op": "contains",
        "node-0-value": "VPN",
        "node-1-kind": "group",
        "node-1-match": "any",
        "node-1.0-kind": "condition",
        "node-1.0-field": "priority",
        "node-1.0-was": "priority",
        "node-1.0-op": "in",
        "node-1.0-value": ["1", "2", "3"],
        "action": ["0", "1"],
        "action-0-type": "assign",
        "action-0-group": str(desk.network_hel.pk),
        "action-0-assignee": "",
        "action-1-type": "add_tags",
        "action-1-tags": "vpn, network",
    }
    data.update(extra)
    return data


class TestSaving:
    def test_a_rule_built_in_the_editor_is_saved_as_its_json(self, desk):
        response = desk.client_for(desk.admin).post(NEW, vpn_rule_post(desk))
        assert response.status_code == 302 and response.url == "/automation/"
        rule = Rule.objects.get()
        assert rule.events == ["created"] and rule.kinds == ["incident"]
        assert rule.conditions == {
            "match": "all",
            "items": [
                {"field": "title", "op": "contains", "value": "VPN"},
                {"match": "any", "items": [{"field": "priority", "op": "in", "value": [1, 2, 3]}]},
            ],
        }
        assert rule.actions == [
            {"type": "assign", "group": desk.network_hel.pk},
            {"type": "add_tags", "tags": ["network", "vpn"]},
        ]
        assert rule.created_by == desk.admin and rule.is_active

    def test_the_saved_rule_acts_on_a_new_incident_in_its_name(
        self, desk, django_capture_on_commit_callbacks
    ):
        desk.client_for(desk.admin).post(NEW, vpn_rule_post(desk))
        with django_capture_on_commit_callbacks(execute=True):
            ticket = tickets.create_ticket(
                desk.operator,
                title="VPN down in Espoo",
                requester=desk.requester,
                impact=2,
                urgency=2,
            )
        ticket.refresh_from_db()
        assert ticket.group == desk.network_hel
        assert set(ticket.tags.values_list("name", flat=True)) == {"vpn", "network"}
        assert ticket.events.filter(actor_kind="rule", reason="VPN to Network Helsinki").exists()

    def test_a_new_rule_runs_after_the_existing_ones(self, desk):
        for n in range(12):
            Rule.objects.create(name=f"R{n}", position=10 * (n + 1), events=["created"])
        desk.client_for(desk.admin).post(NEW, vpn_rule_post(desk))
        last = Rule.objects.order_by("position", "pk").last()
        assert last.name == "VPN to Network Helsinki" and last.position == 130

    def test_the_edit_page_shows_what_was_saved_and_saves_changes(self, desk):
        client = desk.client_for(desk.admin)
        client.post(NEW, vpn_rule_post(desk))
        rule = Rule.objects.get()
        page = client.get(f"/automation/{rule.pk}/").content.decode()
        assert 'value="VPN"' in page and 'value="network, vpn"' in page
        assert f'<option value="{desk.network_hel.pk}" selected>' in page
        response = client.post(
            f"/automation/{rule.pk}/", vpn_rule_post(desk, **{"node-0-value": "Cisco"})
        )
        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.conditions["items"][0]["value"] == "Cisco"
        assert rule.updated_by == desk.admin

    def test_a_scheduled_rule_waits_in_business_days(self, desk):
        data = vpn_rule_post(
            desk,
            name="Remind pending",
            trigger="scheduled",
            wait_amount="5",
            wait_unit="days",
            wait_business="on",
            wait_since="status_changed",
            node=["0"],
            **{
                "node-0-field": "status_category",
                "node-0-was": "status_category",
                "node-0-op": "eq",
                "node-0-value": "pending",
            },
        )
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        rule = Rule.objects.get()
        assert rule.trigger == "scheduled" and rule.events == []
        assert rule.wait == {"minutes": 2400, "business": True, "since": "status_changed"}
        page = desk.client_for(desk.admin).get(f"/automation/{rule.pk}/").content.decode()
        assert 'id="id_wait_amount" value="5"' in page
        assert (
            "after 5 business days since the last status change"
            in desk.client_for(desk.admin).get("/automation/").content.decode()
        )


class TestRefusedInput:
    def test_a_bad_condition_value_is_shown_on_its_row_and_nothing_is_saved(self, desk):
        data = vpn_rule_post(desk, **{"node-1.0-value": []})
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422
        assert not Rule.objects.exists()
        row = response.context["rows"][1].children[0]
        assert row.error_key == "conditions.items.1.items.0"
        assert row.errors == ["Choose at least one value."]
        page = response.content.decode()
        assert 'value="VPN"' in page and 'value="VPN to Network Helsinki"' in page
        assert 'value="vpn, network"' in page  # nothing the user typed is lost

    def test_text_typed_where_a_number_belongs_stays_as_typed(self, desk):
        data = vpn_rule_post(desk, **{"node-1.0-op": "gt", "node-1.0-value": "two"})
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422 and not Rule.objects.exists()
        assert response.context["rows"][1].children[0].errors

    def test_a_bad_action_param_is_shown_on_the_action(self, desk):
        data = vpn_rule_post(desk, **{"action-0-group": "", "action-1-tags": ""})
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422 and not Rule.objects.exists()
        action = response.context["actions"][0]
        assert [p["errors"] for p in action.params if p["key"] == "group"] == [
            ["Choose a group, an agent or both."]
        ]

    def test_an_unknown_placeholder_in_a_note_is_refused(self, desk):
        data = vpn_rule_post(
            desk,
            action=["0"],
            **{"action-0-type": "add_note", "action-0-body": "Hello {{ticket.secret}}"},
        )
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422 and not Rule.objects.exists()
        assert "{{ticket.secret}}" in response.content.decode()

    def test_a_missing_name_and_no_events_are_field_errors(self, desk):
        data = vpn_rule_post(desk, name="", events=[])
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422 and not Rule.objects.exists()
        assert "name" in response.context["form"].errors

    def test_no_events_is_an_error_on_the_events(self, desk):
        response = desk.client_for(desk.admin).post(NEW, vpn_rule_post(desk, events=[]))
        assert response.status_code == 422 and not Rule.objects.exists()
        assert response.context["form"].errors["events"] == ["Choose at least one event."]

    def test_a_duplicate_name_is_refused(self, desk):
        client = desk.client_for(desk.admin)
        client.post(NEW, vpn_rule_post(desk))
        response = client.post(NEW, vpn_rule_post(desk, name="vpn to network helsinki"))
        assert response.status_code == 422 and Rule.objects.count() == 1
        assert "name" in response.context["form"].errors

    def test_an_action_for_requests_only_on_an_incident_rule_is_refused(self, desk):
        data = vpn_rule_post(
            desk, action=["0"], **{"action-0-type": "request_approval", "action-0-template": "1"}
        )
        response = desk.client_for(desk.admin).post(NEW, data)
        assert response.status_code == 422 and not Rule.objects.exists()
        assert response.context["actions"][0].errors


class TestBuilder:
    def post(self, desk, **extra):
        response = desk.client_for(desk.admin).post(
            BUILDER, vpn_rule_post(desk, **extra), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        return response

    def test_adding_a_condition_to_a_group_keeps_everything_typed(self, desk):
        response = self.post(desk, do="add-condition", at="1")
        group = response.context["rows"][1]
        assert len(group.children) == 2
        page = response.content.decode()
        assert 'value="VPN"' in page and 'name="node-1.1-field"' in page
        assert "<html" not in page  # a fragment
        assert not Rule.objects.exists()

    def test_groups_nest_no_deeper_than_the_schema_allows(self, desk):
        response = self.post(desk, do="add-group", at="1")
        assert response.context["rows"][1].children[1].is_group
        assert not response.context["rows"][1].children[1].can_nest
        response = self.post(desk, do="add-group", at="1.0")  # a condition, not a group
        assert len(response.context["rows"][1].children) == 1

    def test_removing_a_group_removes_its_conditions(self, desk):
        response = self.post(desk, do="remove", at="1")
        assert [r.node.get("field") for r in response.context["rows"]] == ["title"]
        assert 'name="node-1.0-field"' not in response.content.decode()

    def test_picking_another_field_offers_its_operators_and_value_widget(self, desk):
        response = self.post(desk, **{"node-0-field": "group"})
        row = response.context["rows"][0]
        assert row.node == {"field": "group", "op": "eq"}
        assert [op for op, _label in row.operators][:2] == ["eq", "ne"]
        assert row.widget == "select"
        assert (str(desk.network_hel.pk), "Network Helsinki") in row.choices

    def test_value_widgets_fit_the_field_type(self, desk):
        response = self.post(
            desk,
            node=["0", "1", "2"],
            **{
                "node-0-field": "time_since.updated",
                "node-0-was": "time_since.updated",
                "node-0-op": "more_than",
                "node-0-amount": "3",
                "node-0-unit": "hours",
                "node-0-business": "on",
                "node-1-kind": "condition",
                "node-1-field": "restricted",
                "node-1-was": "restricted",
                "node-1-op": "eq",
                "node-1-value": "true",
                "node-2-kind": "condition",
                "node-2-field": "assignee",
                "node-2-was": "assignee",
                "node-2-op": "is_not_set",
            },
        )
        duration, boolean, unset = response.context["rows"]
        assert (duration.widget, duration.amount, duration.unit, duration.business) == (
            "duration",
            "3",
            "hours",
            True,
        )
        assert duration.node["value"] == {"minutes": 180, "business": True}
        assert (boolean.widget, boolean.selected) == ("select", ["true"])
        assert unset.widget == "none" and "value" not in unset.node

    def test_adding_and_removing_actions(self, desk):
        response = self.post(desk, do="add-action")
        assert len(response.context["actions"]) == 3
        response = self.post(desk, do="remove-action", at="0")
        assert [a.action["type"] for a in response.context["actions"]] == ["add_tags"]

    def test_picking_the_field_of_set_field_offers_its_values(self, desk):
        response = self.post(
            desk, action=["0"], **{"action-0-type": "set_field", "action-0-field": "urgency"}
        )
        value = [p for p in response.context["actions"][0].params if p["key"] == "value"][0]
        assert value["widget"] == "select"
        assert [v for v, _label in value["choices"]] == ["1", "2", "3"]

    def test_the_scheduled_trigger_shows_the_wait_instead_of_events(self, desk):
        page = self.post(desk, trigger="scheduled").content.decode()
        assert 'id="rule-wait"' in page and 'id="rule-events"' not in page

    def test_a_scheduled_rule_offers_no_changed_tests(self, desk):
        event_ops = [op for op, _label in self.post(desk).context["rows"][0].operators]
        assert "changed" in event_ops
        ops = [
            op for op, _label in self.post(desk, trigger="scheduled").context["rows"][0].operators
        ]
        assert "changed" not in ops and "contains" in ops

    def test_kinds_disable_fields_and_actions_that_do_not_fit(self, desk):
        response = self.post(desk, kinds=["incident"])
        usable = {key: ok for key, _label, ok in response.context["action_options"]}
        assert usable["request_approval"] is False and usable["assign"] is True


class TestPreview:
    def test_the_preview_counts_open_tickets_matching_now(self, desk, incident):
        other = tickets.create_ticket(desk.operator, title="Printer jam", requester=desk.requester)
        response = desk.client_for(desk.admin).post(
            "/automation/preview/", vpn_rule_post(desk, node=["0"]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert response.context["result"].count == 1
        page = response.content.decode()
        assert incident.number in page and other.number not in page
        assert f'href="/desk/tickets/{incident.number}/"' in page
        assert not Rule.objects.exists()

    def test_a_bad_condition_in_the_preview_names_it(self, desk):
        response = desk.client_for(desk.admin).post(
            "/automation/preview/", vpn_rule_post(desk, **{"node-0-value": ""})
        )
        assert response.context["error"] and response.context["where"] == "Title"


class TestRunLog:
    def test_runs_are_listed_newest_first_with_errors(self, desk, incident):
        rule = Rule.objects.create(name="R", events=["created"], actions=[])
        RuleRun.objects.create(
            rule=rule, ticket=incident, ok=True, changes=["tags: +vpn"], trigger="created"
        )
        RuleRun.objects.create(rule=rule, ticket=incident, ok=False, error="Group vanished")
        response = desk.client_for(desk.admin).get(f"/automation/{rule.pk}/runs/")
        page = response.content.decode()
        assert page.index("Group vanished") < page.index("tags: +vpn")
        assert incident.number in page and "Ticket created" in page

    @pytest.mark.parametrize("who", ["operator", "requester"])
    def test_others_do_not_see_the_run_log(self, desk, incident, who):
        rule = Rule.objects.create(name="R", events=["created"], actions=[])
        RuleRun.objects.create(rule=rule, ticket=incident, ok=True)
        response = desk.client_for(getattr(desk, who)).get(f"/automation/{rule.pk}/runs/")
        assert response.status_code in (403, 404)
