"""@mentions: what counts as one, whom it names, and how a note shows it."""

import pytest

from tuki.notifications.mentions import highlight, mentioned_agents, mentioned_names
from tuki.notifications.tests.conftest import agent
from tuki.tickets import services


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "names"),
        [
            ("@sanna.korhonen please look", ["sanna.korhonen"]),
            ("thanks @Sanna.Korhonen.", ["sanna.korhonen"]),
            ("(@sanna.korhonen)", ["sanna.korhonen"]),
            ("@sanna.korhonen, @lead: both", ["sanna.korhonen", "lead"]),
            ("@sanna.korhonen's laptop", ["sanna.korhonen"]),
            ("ask @sanna.korhonen@tuki.example!", ["sanna.korhonen@tuki.example"]),
            ("@lead @lead @LEAD", ["lead"]),
            ("line one\n@lead\tsecond", ["lead"]),
        ],
    )
    def test_mentions_are_found(self, text, names):
        assert mentioned_names(text) == names

    @pytest.mark.parametrize(
        "text",
        [
            "write to sanna@acme.fi",
            "the address is sanna.korhonen@tuki.example.",
            "x@@y",
            "a lone @ sign",
            "@- and @. and @",
            "user+tag@example.com",
            "",
        ],
    )
    def test_email_addresses_and_stray_signs_are_not_mentions(self, text):
        assert mentioned_names(text) == []


class TestWhomItNames:
    def test_a_local_part_names_the_agent(self, desk):
        assert list(mentioned_agents("@specialist hi")) == [desk.specialist]

    def test_a_full_address_names_the_agent(self, desk):
        assert list(mentioned_agents("hi @lead@tuki.test")) == [desk.lead]

    def test_case_does_not_matter(self, desk):
        assert list(mentioned_agents("@LEAD")) == [desk.lead]

    def test_unknown_names_name_nobody(self, desk):
        assert list(mentioned_agents("@nobody @lead@elsewhere.example")) == []

    def test_requesters_are_not_agents(self, desk):
        assert list(mentioned_agents("@maija @maija@acme.fi")) == []

    def test_inactive_agents_are_not_named(self, desk):
        desk.lead.is_active = False
        desk.lead.save()
        assert list(mentioned_agents("@lead")) == []

    def test_administrators_can_be_mentioned(self, desk):
        assert list(mentioned_agents("@admin")) == [desk.admin]

    def test_a_local_part_does_not_match_a_longer_one(self, desk):
        agent("lead.deputy@tuki.test", "Deputy")
        assert list(mentioned_agents("@lead")) == [desk.lead]

    def test_like_wildcards_in_a_name_match_nothing_else(self, desk):
        assert list(mentioned_agents("@l_ad @le%d")) == []


class TestHighlight:
    def test_mentions_are_marked_and_the_rest_escaped(self):
        html = highlight("<b>hi</b> @lead & co, write sanna@acme.fi")
        assert html == (
            '&lt;b&gt;hi&lt;/b&gt; <mark class="mention rounded px-1">@lead</mark> &amp; co, '
            "write sanna@acme.fi"
        )

    def test_the_ticket_page_shows_a_notes_mention_highlighted(self, desk, escalated):
        services.add_comment(desk.specialist, escalated, "@lead <script>x</script>", internal=True)
        services.add_comment(desk.operator, escalated, "Public @lead")
        page = desk.client_for(desk.operator).get(f"/desk/tickets/{escalated.number}/")
        html = page.content.decode()
        assert '<mark class="mention rounded px-1">@lead</mark> &lt;script&gt;' in html
        assert "Public @lead" in html  # replies are shown as they are
