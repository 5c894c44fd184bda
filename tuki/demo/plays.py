"""How one demo ticket's story unfolds, told through the real service functions.

Each `do(delay, service, ...)` runs the service now and stands for `delay` hours after the
previous step; the Timeline backdates what it wrote when the story is over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tuki.accounts.models import SupportGroup, User
from tuki.approvals import services as approvals
from tuki.approvals.models import Approval, ApprovalTemplate
from tuki.changes import services as change_services
from tuki.demo.data import texts
from tuki.demo.data.profile import REOPEN_RATE, WAIT_RATE
from tuki.demo.data.texts import ProblemStory, Scenario
from tuki.demo.timeline import Timeline
from tuki.lib.uploads import Upload
from tuki.problems import services as problems
from tuki.tickets import services
from tuki.tickets.choices import LIVE_CHANNELS
from tuki.tickets.models import ActorKind, Channel, Kind, ResolutionCode, Ticket

if TYPE_CHECKING:
    from tuki.demo.stories import Director

LOG_LINES = "\n".join(
    f"2024-05-{day:02d} 09:{minute:02d}:11 IKE: DPD timeout, peer not responding, tunnel down"
    for day in range(6, 9)
    for minute in range(0, 60, 7)
)
FIRST_CONTACT_CODES = (ResolutionCode.FIRST_CONTACT, ResolutionCode.USER_ERROR)


@dataclass
class Plan:
    """One ticket to be: when it arrives, who calls, and where its story ends."""

    created: datetime
    final: str
    requester: User
    scenario: Scenario | None = None
    problem: ProblemStory | None = None
    kind: str = Kind.INCIDENT
    channel: str = Channel.PHONE
    duplicate_of: Plan | None = None
    words: dict[str, str] = field(default_factory=dict)
    ticket: Ticket | None = None


class Play:
    """What every story needs: the plan, its timeline and a way to fill in the text."""

    def __init__(self, director: Director, plan: Plan) -> None:
        self.director, self.plan, self.rnd = director, plan, director.rnd
        self.timeline = Timeline(plan.created, director.now)
        self.ticket: Ticket

    def do(self, delay: float, action: Any, *args: Any, **kwargs: Any) -> Any:
        return self.timeline.do(delay, action, *args, **kwargs)

    def hours(self, low: float, high: float) -> float:
        return self.rnd.uniform(low, high)

    def fill(self, text: str) -> str:
        return text.format(**self.plan.words) if text else ""

    def note(self, delay: float, author: User, text: str) -> None:
        self.do(delay, services.add_comment, author, self.ticket, self.fill(text), internal=True)

    def done(self) -> Ticket:
        self.timeline.finish([self.ticket.pk])
        return self.ticket


class SupportPlay(Play):
    """An incident or service request: the desk registers it and owns it to the end."""

    def play(self) -> Ticket:
        scenario = self.plan.scenario
        assert scenario is not None, "a support play has a scenario"
        self.scenario: Scenario = scenario
        self.operator = self.rnd.choice(self.director.cast.operators)
        self.worker = self.operator
        self.create()
        final = self.plan.final
        if final == "new" or self.plan.duplicate_of:
            if self.rnd.random() < 0.3 and not self.plan.duplicate_of:
                self.say(self.hours(2, 30), self.plan.requester, texts.NUDGE)
            return self.done()
        if final == "cancelled" and self.rnd.random() < 0.5:
            self.cancel()
            return self.done()
        if (
            self.scenario.first_contact
            and final in ("resolved", "closed")
            and (not self.scenario.handover or self.rnd.random() < 0.6)
        ):
            self.first_contact()
        elif not self.triage() or not self.second_line():
            return self.done()
        self.aftercare()
        return self.done()

    # --- steps ----------------------------------------------------------------------------

    def create(self) -> None:
        plan, s = self.plan, self.scenario
        by_channel: dict[str, tuple[User | None, str]] = {
            Channel.WEB: (plan.requester, ActorKind.USER),
            Channel.EMAIL: (None, ActorKind.EMAIL),
        }
        creator, kind = by_channel.get(plan.channel, (self.operator, ActorKind.USER))
        self.ticket = self.do(
            0,
            services.create_ticket,
            creator,
            title=self.fill(s.title),
            description=self.fill(s.description),
            requester=plan.requester,
            kind=s.kind,
            category=self.director.cast.categories[s.category],
            impact=s.impact,
            urgency=s.urgency,
            channel=plan.channel,
            tags=s.tags,
            actor_kind=kind,
            # The operator registers a call while talking with the caller: answered at once.
            answered_live=creator is self.operator and plan.channel in LIVE_CHANNELS,
        )

    def say(self, delay: float, author: User, phrases: dict[str, list[str]] | str) -> None:
        """A public message, in the requester's language when it is a stock phrase."""
        if isinstance(phrases, dict):
            options = phrases.get(self.plan.requester.language) or phrases["en"]
            text = self.rnd.choice(options)
        else:
            text = phrases
        if text:
            self.do(delay, services.add_comment, author, self.ticket, self.fill(text))

    def cancel(self) -> None:
        reason = self.rnd.choice(texts.CANCEL_REASONS)
        self.do(
            self.hours(0.1, 4),
            services.change_status,
            self.operator,
            self.ticket,
            "cancelled",
            reason=reason,
        )

    def first_contact(self) -> None:
        """Solved while the requester is still on the line."""
        s = self.scenario
        self.do(self.hours(0.02, 0.15), services.take_ticket, self.operator, self.ticket)
        self.say(self.hours(0.05, 0.3), self.operator, s.first_contact)
        code = s.code if s.code in FIRST_CONTACT_CODES else ResolutionCode.FIRST_CONTACT
        self.resolve(self.hours(0.01, 0.1), code)

    def triage(self) -> bool:
        """The desk picks the ticket up; False when the story ends here."""
        s, final, op = self.scenario, self.plan.final, self.operator
        if final == "assigned" and (not s.handover or self.rnd.random() < 0.4):
            self.do(self.hours(0.05, 1), services.assign_ticket, op, self.ticket, assignee=op)
            return False
        self.do(self.hours(0.03, 0.7), services.take_ticket, op, self.ticket)
        if self.rnd.random() < 0.7:
            self.say(self.hours(0.02, 0.3), op, texts.ACKNOWLEDGE)
        if s.question and (final == "pending_customer" or self.rnd.random() < WAIT_RATE):
            self.say(self.hours(0.1, 1), op, s.question)
            self.do(0.01, services.change_status, op, self.ticket, "pending_customer")
            if final == "pending_customer":
                return False
            channel = self.plan.channel if self.plan.channel == Channel.EMAIL else Channel.WEB
            self.do(
                self.hours(1, 30),
                services.add_comment,
                self.plan.requester,
                self.ticket,
                self.fill(s.answer),
                channel=channel,
                uploads=upload_for(s),
            )
        if not s.handover:
            if final == "cancelled":
                self.cancel()
            elif final in ("resolved", "closed"):
                self.say(self.hours(0.2, 3), op, s.first_contact or s.resolution)
                self.resolve(0.01, ResolutionCode.SOLVED)
                return True
            return False
        return True

    def second_line(self) -> bool:
        """Functional escalation to specialists (or a supplier); False when it ends there."""
        s, final, op = self.scenario, self.plan.final, self.operator
        group = self.director.group_for(s, self.plan.requester)
        wrong = self.director.other_network(group) if self.rnd.random() < 0.3 else None
        self.note(self.hours(0.05, 1), op, s.handover)
        self.do(
            0.02,
            services.escalate_ticket,
            op,
            self.ticket,
            group=wrong or group,
            reason=self.fill(s.handover).split(".")[0],
        )
        if self.rnd.random() < 0.5:
            self.say(self.hours(0.02, 0.5), op, texts.ESCALATED)
        if wrong is not None:
            mover = self.rnd.choice(self.director.members(wrong))
            reason = texts.WRONG_OFFICE.format(office=self.plan.words["office"])
            self.do(
                self.hours(0.3, 3),
                services.escalate_ticket,
                mover,
                self.ticket,
                group=group,
                reason=reason,
            )
        if final == "assigned":
            return False
        if group.tier == 3 and not self.wait_for_supplier(op, resume=False):
            return False
        self.worker = self.rnd.choice(self.director.members(group))
        self.do(self.hours(0.2, 4), services.take_ticket, self.worker, self.ticket)
        for text in s.notes[:-1]:
            self.note(self.hours(0.3, 6), self.worker, text)
        self.maybe_call_the_manager(group)
        if (
            group.tier == 2
            and s.supplier_note
            and not self.wait_for_supplier(self.worker, resume=True)
        ):
            return False
        if final in ("in_progress", "cancelled"):
            if final == "cancelled":
                self.cancel()
            return False
        target = self.director.resolution_hours(escalated=True)
        if s.notes:
            self.note(
                max(self.hours(0.2, 2), target - self.timeline.offset), self.worker, s.notes[-1]
            )
        self.resolve(self.hours(0.05, 0.5), s.code)
        self.say(self.hours(0.1, 2), op, texts.RESOLVED)
        return True

    def wait_for_supplier(self, actor: User, *, resume: bool) -> bool:
        """Work waits on a vendor case; False when the story ends waiting. With `resume`
        the actor takes the work back when the vendor delivers (a supplier group's own
        agent picks it up instead)."""
        final = self.plan.final
        if final != "pending_supplier" and self.rnd.random() > 0.5:
            return True
        reason = self.fill(self.scenario.supplier_note)
        self.do(
            self.hours(0.3, 4),
            services.change_status,
            actor,
            self.ticket,
            "pending_supplier",
            reason=reason,
        )
        if final == "pending_supplier":
            return False
        if resume:
            self.do(
                self.hours(20, 100),
                services.change_status,
                actor,
                self.ticket,
                "in_progress",
                reason="The supplier delivered.",
            )
        return True

    def maybe_call_the_manager(self, group: SupportGroup) -> None:
        """Hierarchical escalation for urgent work, as a desk does when a VIP waits."""
        if group.manager is None:
            return
        if (self.ticket.priority <= 2 and self.rnd.random() < 0.5) or self.rnd.random() < 0.04:
            self.do(
                self.hours(0.5, 4),
                services.escalate_ticket,
                self.operator,
                self.ticket,
                to_manager=True,
                reason=texts.MANAGER_REASON,
            )

    def resolve(self, delay: float, code: str) -> None:
        resolution = self.fill(self.scenario.resolution)
        self.do(
            delay,
            services.resolve_ticket,
            self.worker,
            self.ticket,
            code=code,
            resolution=resolution,
        )

    def aftercare(self) -> None:
        """The requester may come back; then someone closes the ticket."""
        requester, final = self.plan.requester, self.plan.final
        if self.rnd.random() < REOPEN_RATE:
            reason = self.rnd.choice(texts.REOPEN.get(requester.language) or texts.REOPEN["en"])
            self.do(
                self.hours(3, 48), services.reopen_ticket, requester, self.ticket, reason=reason
            )
            self.note(
                self.hours(0.5, 8),
                self.worker,
                "Reproduced it with the requester; applied the fix again and verified it together.",
            )
            self.resolve(self.hours(0.2, 3), self.scenario.code)
        if final != "closed":
            return
        if self.rnd.random() < 0.55:
            thanks = self.rnd.choice(texts.THANKS.get(requester.language) or texts.THANKS["en"])
            self.do(
                self.hours(1, 72), services.close_ticket, requester, self.ticket, comment=thanks
            )
        else:
            self.do(
                self.hours(72, 140),
                services.close_ticket,
                self.operator,
                self.ticket,
                comment=texts.NO_REPLY,
            )


class ProblemPlay(Play):
    """Problem management: a group's manager looks for the root cause behind incidents."""

    def play(self) -> Ticket:
        story = self.plan.problem
        assert story is not None, "a problem play has a story"
        owner, final = self.plan.requester, self.plan.final
        group = self.director.problem_group(story)
        self.ticket = self.do(
            0,
            services.create_ticket,
            owner,
            kind=Kind.PROBLEM,
            title=story.title,
            description=story.description,
            requester=owner,
            group=group,
            impact=2,
            urgency=2,
            category=self.director.cast.categories[story.category],
        )
        if final == "assigned":
            return self.done()
        self.do(self.hours(1, 24), services.take_ticket, owner, self.ticket)
        for text in story.notes:
            self.note(self.hours(4, 72), owner, text)
        # The last note names the cause: the problem's root cause, published as a known error.
        detail = problems.problem_for(self.ticket)
        self.do(
            self.hours(1, 12), problems.update_problem, owner, detail, root_cause=story.notes[-1]
        )
        if final != "in_progress":
            self.do(self.hours(1, 12), problems.mark_known_error, owner, detail)
        if final == "pending_supplier":
            self.do(
                self.hours(1, 8),
                services.change_status,
                owner,
                self.ticket,
                "pending_supplier",
                reason="Waiting for the supplier's patch.",
            )
        if final in ("resolved", "closed"):
            self.do(
                self.hours(48, 200),
                services.resolve_ticket,
                owner,
                self.ticket,
                code=ResolutionCode.SOLVED,
                resolution=story.resolution,
            )
        if final == "closed":
            self.do(self.hours(24, 120), services.close_ticket, owner, self.ticket)
        return self.done()


class ChangePlay(Play):
    """A change to fix a problem's root cause: planned with its back-out and test plans and
    risk answers, approved by the change advisory board (a real approval, decided by a
    board member), implemented, its outcome recorded and reviewed (docs/changes.md)."""

    STEPS = ("awaiting_approval", "scheduled", "in_progress", "resolved", "closed")

    def play(self) -> Ticket:
        story = self.plan.problem
        assert story is not None, "a problem play has a story"
        author, final = self.plan.requester, self.plan.final
        group = self.director.problem_group(story)
        self.board = change_board(self.director)
        change = self.do(
            0,
            change_services.create_change,
            author,
            title=story.change_title,
            description=story.change_description,
            requester=author,
            group=group,
            assignee=author,
            impact=2,
            urgency=3,
            category=self.director.cast.categories[story.category],
            justification=f"Root cause of the problem “{story.title}”.",
            implementation_plan=story.change_description,
            backout_plan="Restore the configuration saved before the change and restart.",
            test_plan="Watch the incident rate and the monitoring for a day afterwards.",
            questionnaire={"outage": "partial", "tested": "yes", "backout": "easily"},
        )
        self.change = change
        self.ticket = change.ticket
        for text in story.change_notes:
            self.note(self.hours(2, 24), author, text)
        for step in self.STEPS:
            self.change_step(step, author, final)
            if step == final or self.ticket.status.key == "cancelled":
                break
        return self.done_with_approvals()

    def change_step(self, step: str, author: User, final: str) -> None:
        if step == "awaiting_approval":
            self.do(self.hours(2, 24), change_services.request_cab_approval, author, self.change)
        elif step == "scheduled":
            approval = self.ticket.approvals.get(state="pending")
            vote = approval.steps.get(state="pending")
            voter = vote.voters.order_by("pk").first()
            assert voter is not None, "the board has members"
            if final == "cancelled":
                # "Any one approves": it is rejected once every member said no.
                comment = "Rejected by the change advisory board: superseded by a vendor fix."
                for member in vote.voters.order_by("pk"):
                    if Approval.objects.filter(pk=approval.pk, state="pending").exists():
                        step_now = approval.steps.get(pk=vote.pk)
                        self.do(
                            self.hours(2, 24), approvals.decide, member, step_now, "reject", comment
                        )
            else:
                self.do(self.hours(24, 96), approvals.decide, voter, vote, "approve", "")
        elif step == "in_progress":
            self.do(self.hours(24, 96), services.change_status, author, self.fresh(), step)
        elif step == "resolved":
            self.do(
                self.hours(1, 3),
                services.resolve_ticket,
                author,
                self.fresh(),
                code=ResolutionCode.SOLVED,
                resolution="Implemented as planned; verified.",
            )
            self.do(
                0.1,
                change_services.record_outcome,
                author,
                self.change,
                outcome="successful",
                notes="Implemented in the window; no incident followed.",
            )
        else:
            approver = self.board_member()
            self.do(self.hours(24, 72), services.close_ticket, approver, self.fresh())
            self.do(
                0.1,
                change_services.save_review,
                approver,
                self.change,
                review="Went as planned. Keep the back-out plan for similar changes.",
            )
        self.ticket = self.fresh()

    def fresh(self) -> Ticket:
        return Ticket.objects.with_related().get(pk=self.ticket.pk)

    def board_member(self) -> User:
        group = self.ticket.group
        return (group.manager if group and group.manager else None) or self.plan.requester

    def done_with_approvals(self) -> Ticket:
        ticket = self.done()
        # The approval rows keep real time: move them to the story's time like its events.
        for approval in Approval.objects.filter(ticket=ticket):
            approval.created_at = self.timeline.demo_time(approval.created_at)
            if approval.decided_at:
                approval.decided_at = self.timeline.demo_time(approval.decided_at)
            approval.save(update_fields=["created_at", "decided_at"])
            for step in approval.steps.all():
                step.started_at = step.started_at and self.timeline.demo_time(step.started_at)
                step.decided_at = step.decided_at and self.timeline.demo_time(step.decided_at)
                step.save(update_fields=["started_at", "decided_at"])
                for decision in step.decisions.all():
                    decision.decided_at = self.timeline.demo_time(decision.decided_at)
                    decision.save(update_fields=["decided_at"])
        return ticket


def change_board(director: Director) -> ApprovalTemplate:
    """The demo's change advisory board (any one of the second-line managers approves),
    made at its first change and set as the desk's CAB."""
    board = ApprovalTemplate.objects.filter(name=CAB_NAME).first()
    if board is not None:
        return board
    cast = director.cast
    managers = sorted(
        {g.manager.pk for g in cast.groups.values() if g.tier == 2 and g.manager is not None}
    )
    board = approvals.create_template(
        cast.admin,
        name=CAB_NAME,
        kinds=["change"],
        description="Any one of the second-line managers approves a normal change.",
        steps=[{"rule": "any", "users": managers or [cast.admin.pk]}],
    )
    change_services.save_settings(cast.admin, cab=board, ecab=None)
    return board


CAB_NAME = "Change advisory board"


def upload_for(scenario: Scenario) -> list[Upload]:
    """Some answers come with a file, as real ones do."""
    if "attached" not in scenario.answer:
        return []
    if scenario.category == texts.VPN:
        return [Upload("vpn-client.log", LOG_LINES.encode())]
    return [Upload("contractor.txt", b"Name: Jane Contractor\nCompany: Example Consulting\n")]
