"""The problem services: detail rows, linking, analysis, known errors, resolving."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.knowledge.models import Article, State
from tuki.lib.errors import ServiceError
from tuki.problems import services
from tuki.problems.models import AnalysisNote, KnownErrorState, Problem
from tuki.problems.tests.conftest import make_incident, start
from tuki.tickets import services as tickets
from tuki.tickets.models import Comment, EventAction, LinkType, StatusCategory, TicketLink

pytestmark = pytest.mark.django_db


class TestDetailRows:
    def test_a_problem_ticket_gets_its_detail_row_when_registered(self, desk):
        ticket = tickets.create_ticket(
            desk.operator, title="Printers hang", requester=desk.operator, kind="problem"
        )
        assert Problem.objects.filter(pk=ticket.pk).exists()

    def test_an_incident_turned_into_a_problem_gets_its_row(self, desk, incident):
        assert not Problem.objects.filter(pk=incident.pk).exists()
        tickets.update_ticket(desk.operator, incident, kind="problem")
        assert Problem.objects.filter(pk=incident.pk).exists()

    def test_an_old_problem_without_a_row_gets_one_when_read(self, desk):
        ticket = tickets.create_ticket(
            desk.operator, title="Old one", requester=desk.operator, kind="problem"
        )
        Problem.objects.filter(pk=ticket.pk).delete()
        assert services.problem_for(ticket).pk == ticket.pk

    def test_an_incident_has_no_detail_row(self, desk, incident):
        with pytest.raises(ServiceError) as err:
            services.problem_for(incident)
        assert err.value.field == "ticket"


class TestLinking:
    def test_incidents_are_linked_caused_by_the_problem(self, desk, board):
        links = TicketLink.objects.filter(target=board.problem.ticket, type=LinkType.CAUSED_BY)
        assert {link.source_id for link in links} == {board.first.pk, board.second.pk}
        assert services.problem_of_incident(board.first).pk == board.problem.pk

    def test_linking_again_adds_nothing(self, desk, board):
        assert services.link_incidents(desk.operator, board.problem, [board.first]) == 0

    def test_an_incident_of_another_problem_is_refused_whole(self, desk, board):
        other = services.create_problem(desk.operator, title="Another")
        fresh = make_incident(desk, "Fresh")
        with pytest.raises(ServiceError) as err:
            services.link_incidents(desk.operator, other, [fresh, board.first])
        assert err.value.field == "incidents" and err.value.code == "other_problem"
        assert not TicketLink.objects.filter(target=other.ticket).exists()

    def test_only_incidents_are_linked(self, desk, board):
        request = make_incident(desk, "A request", kind="request")
        with pytest.raises(ServiceError) as err:
            services.link_incidents(desk.operator, board.problem, [request])
        assert err.value.code == "not_incident"

    def test_a_problem_from_an_incident_takes_its_text_and_link(self, desk, incident):
        problem = services.create_problem_from_incident(desk.operator, incident)
        assert problem.ticket.kind == "problem" and problem.ticket.title == incident.title
        assert problem.ticket.category_id == incident.category_id
        assert services.problem_of_incident(incident).pk == problem.pk

    def test_requesters_may_not_create_problems(self, desk):
        with pytest.raises(PermissionDenied):
            services.create_problem(desk.requester, title="Mine")


class TestDetailsAndNotes:
    def test_changing_the_root_cause_records_an_event(self, desk, board):
        services.update_problem(
            desk.operator,
            board.problem,
            root_cause="Size limit",
            root_cause_category="configuration",
        )
        board.problem.refresh_from_db()
        assert board.problem.root_cause == "Size limit"
        events = board.problem.ticket.events.filter(action=EventAction.FIELD)
        assert {e.field for e in events} >= {"root_cause", "root_cause_category"}

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("root_cause_category", "gremlins"),
            ("quiet_days", "-1"),
            ("quiet_days", "x"),
            ("status", "closed"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, desk, board, field, value):
        with pytest.raises(ServiceError) as err:
            services.update_problem(desk.operator, board.problem, **{field: value}, root_cause="x")
        assert err.value.field == field
        board.problem.refresh_from_db()
        assert board.problem.root_cause == ""

    def test_the_quiet_period_defaults_to_the_setting(self, desk, board, settings):
        settings.PROBLEM_QUIET_DAYS = 9
        assert board.problem.quiet_period == 9
        services.update_problem(desk.operator, board.problem, quiet_days="3")
        board.problem.refresh_from_db()
        assert board.problem.quiet_period == 3

    def test_analysis_notes_are_kept_in_order(self, desk, board):
        services.add_analysis_note(desk.operator, board.problem, method="five_whys", body="Why 1")
        services.add_analysis_note(desk.admin, board.problem, method="timeline", body="09:00")
        assert [n.body for n in board.problem.notes.all()] == ["Why 1", "09:00"]

    def test_an_empty_note_or_unknown_method_is_refused(self, desk, board):
        with pytest.raises(ServiceError) as err:
            services.add_analysis_note(desk.operator, board.problem, method="note", body=" ")
        assert err.value.field == "body"
        with pytest.raises(ServiceError) as err:
            services.add_analysis_note(desk.operator, board.problem, method="tarot", body="x")
        assert err.value.field == "method"
        assert not AnalysisNote.objects.exists()

    def test_an_agent_who_may_not_see_the_problem_cannot_work_it(self, desk, board):
        with pytest.raises(PermissionDenied):
            services.update_problem(desk.other_agent, board.problem, root_cause="x")


class TestKnownErrors:
    def test_a_known_error_needs_a_root_cause_or_workaround(self, desk, board):
        with pytest.raises(ServiceError) as err:
            services.mark_known_error(desk.operator, board.problem)
        assert err.value.field == "workaround"
        board.problem.refresh_from_db()
        assert board.problem.known_error == KnownErrorState.NONE
        assert not Article.objects.exists()

    def test_marking_publishes_an_article_with_symptoms_cause_and_workaround(self, desk, board):
        services.update_problem(
            desk.operator, board.problem, root_cause="A 10 MB limit", workaround="Share a link"
        )
        problem = services.mark_known_error(desk.operator, board.problem)
        assert problem.is_known_error and problem.known_error_by == desk.operator
        article = Article.objects.get(pk=problem.article_id)
        assert article.state == State.PUBLISHED
        assert article.tags.filter(name=services.KNOWN_ERROR_TAG).exists()
        text = article.translations.get()
        assert board.problem.ticket.number in text.title
        assert "A 10 MB limit" in text.body and "Share a link" in text.body
        assert "Attachments over 10 MB bounce" in text.body

    def test_a_new_workaround_updates_the_published_article(self, desk, board):
        services.update_problem(desk.operator, board.problem, workaround="Share a link")
        problem = services.mark_known_error(desk.operator, board.problem)
        services.update_problem(desk.operator, problem, workaround="Zip it first")
        text = Article.objects.get(pk=problem.article_id).translations.get()
        assert "Zip it first" in text.body and text.version == 2
        assert Article.objects.count() == 1

    def test_a_known_error_cannot_lose_both_texts(self, desk, board):
        services.update_problem(desk.operator, board.problem, workaround="Share a link")
        problem = services.mark_known_error(desk.operator, board.problem)
        with pytest.raises(ServiceError):
            services.update_problem(desk.operator, problem, workaround="")


class TestResolving:
    def test_resolving_resolves_the_active_incidents_in_one_go(self, desk, board):
        start(desk, board.problem)
        services.resolve_problem(
            desk.operator,
            board.problem,
            code="solved",
            resolution="Limit raised",
            incidents="resolve",
        )
        for ticket in (board.problem.ticket, board.first, board.second):
            ticket.refresh_from_db()
            assert ticket.status.category == StatusCategory.RESOLVED
        board.first.refresh_from_db()
        assert board.problem.ticket.number in board.first.resolution

    def test_noting_leaves_the_incidents_open_with_a_public_note(self, desk, board):
        start(desk, board.problem)
        services.resolve_problem(desk.operator, board.problem, code="solved", incidents="note")
        board.first.refresh_from_db()
        assert board.first.is_active
        note = Comment.objects.get(ticket=board.first)
        assert not note.is_internal and board.problem.ticket.number in note.body

    def test_a_failure_on_the_problem_resolves_no_incident(self, desk, board):
        # A new problem may not be resolved yet: nothing else moves either.
        with pytest.raises(ServiceError):
            services.resolve_problem(desk.operator, board.problem, code="solved")
        board.first.refresh_from_db()
        assert board.first.is_active

    def test_bad_choices_are_refused_by_field(self, desk, board):
        with pytest.raises(ServiceError) as err:
            services.resolve_problem(desk.operator, board.problem, code="solved", incidents="x")
        assert err.value.field == "incidents"
        with pytest.raises(ServiceError) as err:
            services.resolve_problem(desk.operator, board.problem, code="nope")
        assert err.value.field == "code"
