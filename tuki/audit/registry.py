"""Which models are configuration, and how each is audited.

Models are named by label, so the audit app imports none of the apps above it; a label that
no longer resolves (a model renamed or removed) is skipped. A new configuration model is
added here: `tests/test_registry.py` fails on a model of an app that is neither audited nor
listed as ticket or operational data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Audited:
    """How one model is audited: fields left out (runtime bookkeeping), fields whose values are
    never recorded (secrets), and the many-to-many fields whose changes are recorded."""

    ignore: frozenset[str] = field(default_factory=frozenset)
    mask: frozenset[str] = field(default_factory=frozenset)
    m2m: frozenset[str] = field(default_factory=frozenset)


def _a(
    ignore: tuple[str, ...] = (), mask: tuple[str, ...] = (), m2m: tuple[str, ...] = ()
) -> Audited:
    return Audited(frozenset(ignore), frozenset(mask), frozenset(m2m))


CONFIGURATION: dict[str, Audited] = {
    # people, roles and groups
    "accounts.User": _a(ignore=("last_login",), m2m=("groups", "user_permissions")),
    "accounts.Organisation": _a(),
    "accounts.Location": _a(),
    "accounts.SupportGroup": _a(m2m=("members",)),
    "accounts.ApiToken": _a(ignore=("last_used_at",), mask=("digest", "hint")),
    "auth.Group": _a(m2m=("permissions",)),
    # second factors: who must have one, and each person's factors (an administrator's reset
    # is recorded as their deletions); secrets never recorded
    "twofactor.Policy": _a(),
    "twofactor.TotpDevice": _a(ignore=("last_step", "last_used_at"), mask=("secret",)),
    "twofactor.Passkey": _a(
        ignore=("sign_count", "last_used_at"), mask=("credential_id", "public_key")
    ),
    # tickets' vocabulary and workflow
    "tickets.Status": _a(),
    "tickets.StatusTransition": _a(),
    "tickets.PriorityRule": _a(),
    "tickets.Category": _a(),
    "tickets.CustomField": _a(ignore=("updated_at",), m2m=("categories",)),
    # service levels and calendars (holidays are the calendar's own fields)
    "calendars.Calendar": _a(),
    "sla.Service": _a(m2m=("categories",)),
    "sla.SlaPolicy": _a(
        m2m=("organisations", "agreements", "services", "categories", "pause_statuses")
    ),
    "sla.SlaTarget": _a(),
    "sla.OlaTarget": _a(),
    "sla.Agreement": _a(m2m=("services",)),
    # the subsystems' settings
    "mail.Mailbox": _a(),
    "identity.Directory": _a(
        ignore=("last_sync_at", "last_sync_ok", "last_sync_report"), mask=("bind_password",)
    ),
    "identity.DirectoryGroupMap": _a(),
    "identity.ScimProvider": _a(ignore=("last_used_at",), mask=("digest", "hint")),
    "identity.ScimGroup": _a(ignore=("updated_at",)),
    "sso.IdentityProvider": _a(ignore=("created_at",), mask=("client_secret",)),
    "routing.RoutingRule": _a(),
    "approvals.ApprovalTemplate": _a(),
    "automation.Rule": _a(),
    "macros.Macro": _a(),
    "scripts.Script": _a(m2m=("categories", "services")),
    "scripts.ScriptVersion": _a(),  # a script's tree: its drafts and publications
    "chat.ChatQueue": _a(),  # which groups answer chats
    "webhooks.Webhook": _a(),
    "knowledge.ArticleCategory": _a(),
    # the service catalogue: what may be ordered and the forms it asks
    "catalogue.CatalogueCategory": _a(),
    "catalogue.CatalogueItem": _a(ignore=("updated_at",), m2m=("organisations", "groups")),
    "catalogue.ItemField": _a(),
    "catalogue.FulfilmentTaskTemplate": _a(),
    # the configuration database's vocabulary (its items have their own history)
    "cmdb.CIClass": _a(),
    "cmdb.CIAttribute": _a(),
    # availability: what agreements promise, and what the public status page shows
    "availability.AvailabilityTarget": _a(),
    "availability.PublicService": _a(),
    # monitoring: who may post alerts, and where their incidents go
    "monitoring.AlertSource": _a(ignore=("last_used_at",), mask=("digest", "hint")),
    "capacity.Threshold": _a(),
    "cmdb.DataSource": _a(),
    # change management: the boards, standard changes, the questionnaire, blackouts
    "changes.ChangeSettings": _a(),
    "changes.ChangeTemplate": _a(),
    "changes.RiskQuestion": _a(),
    "changes.BlackoutPeriod": _a(m2m=("items",)),
    "assist.AssistSettings": _a(),  # whether routing may act on a suggestion
}

# Not configuration: ticket data (each ticket's timeline records it), content with its own
# versions, and rows the system keeps for itself. Listed so that the registry test notices a
# new model that belongs to neither list.
NOT_CONFIGURATION = frozenset(
    {
        "accounts.Absence",  # an agent's own away dates
        "accounts.MembershipGrant",  # who granted a role: the User and group changes are audited
        "identity.DirectoryAccount",  # which entry a person is, written by the directory sync
        "identity.ScimUser",  # which SCIM user a person is, written by the provider
        "twofactor.RecoveryCode",  # one-time codes (digests), made and used with a factor
        "twofactor.TrustedBrowser",  # a remembered browser's token digest, expiring
        "privacy.Erasure",  # the record of an erasure: itself a record, kept apart
        "server.PeriodicJob",  # the workers' schedule bookkeeping
        "server.WorkerHeartbeat",  # which workers are alive
        "tickets.Tag",  # made on the fly while tagging tickets
        "tickets.Ticket",
        "tickets.Comment",
        "tickets.Attachment",
        "tickets.TicketLink",
        "tickets.TicketConsultation",  # swarming: who was consulted (in the timeline)
        "tickets.TicketAlias",  # a former number, written by a kind switch (in the timeline)
        "changes.Change",  # a change ticket's detail: its events are in the timeline
        "tickets.TicketEvent",
        "sla.SlaClock",
        "sla.SlaClockLog",
        "sla.SlaTimer",
        "mail.MailboxPoll",
        "sso.SamlRequest",  # a SAML sign-in in flight, for minutes
        "mail.InboundMessage",
        "mail.QuarantinedMessage",
        "mail.OutboundMessage",
        "mail.BouncingAddress",
        "routing.AssignmentCursor",
        "approvals.Approval",
        "approvals.ApprovalStep",
        "approvals.ApprovalDecision",
        "automation.RuleRun",
        "automation.ScheduledRun",
        "notifications.Notification",
        "notifications.NotificationPreference",  # each user's own choice
        "webhooks.WebhookDelivery",
        "webhooks.WebhookAttempt",
        "live.LiveEvent",  # a few minutes of "something changed" for polling pages (SQLite)
        "knowledge.Article",  # content, with its own versions
        "knowledge.ArticleTranslation",
        "knowledge.ArticleVersion",
        "knowledge.ArticleAttachment",
        "knowledge.ArticleFeedback",
        "knowledge.TicketArticle",
        "knowledge.Deflection",
        "cmdb.ConfigurationItem",  # data, with its own history (cmdb.CIHistory)
        "cmdb.Relation",  # kept with its removal: the graph's history
        "cmdb.CIHistory",
        "cmdb.MaintenanceWindow",  # planned work, recorded in the item's history
        "cmdb.AffectedItem",  # ticket data: the ticket's timeline records it
        "problems.Problem",  # ticket data: a problem ticket's detail
        "problems.AnalysisNote",
        "problems.RadarDismissal",  # bookkeeping: incidents the radar no longer proposes
        "catalogue.CatalogueOrder",  # ticket data: which item a ticket was ordered from
        "catalogue.FulfilmentTask",  # ticket data: ticked off in the ticket's timeline
        "scripts.ScriptRun",  # operational data: a call's path through a script
        "chat.Conversation",  # chat data: a conversation, its messages and read marks
        "chat.Message",
        "chat.ReadMark",
        "chat.AgentChatState",  # an agent's own toggle and heartbeat, not configuration
        "availability.Outage",  # operational data: who declared and ended it is on the row
        "majors.MajorIncident",  # ticket data: its changes are events in the ticket's timeline
        "majors.Communication",  # the major incident's communications timeline itself
        "monitoring.Alert",  # data: what a monitoring system sent, counted
        "monitoring.AlertGroup",  # bookkeeping: which incident a group of alerts has
        "capacity.Series",  # measurements' state, kept by the system
        "capacity.Sample",  # raw measurements, deleted after their retention
        "search.SearchEntry",
        "search.SearchQuery",
        "configcache.ConfigVersion",
        "audit.AuditEntry",
        "surveys.SurveyResponse",  # a requester's answer about one ticket
        "imports.ImportedRecord",  # which source record became which ticket (tuki import)
        "reports.TicketFact",  # figures derived from a ticket's history
        "reports.Rollup",  # monthly sums of the figures (reports/rollups.py)
        "reports.RollupSpan",
        "reports.RollupMonth",
        "reports.SavedReport",  # a person's own saved view of a report
        "reports.ReportMailing",  # bookkeeping: one scheduled report's mail to one person
        "releases.Release",  # ticket data: the ticket's timeline records its changes
        "releases.ReleaseChange",  # ticket data: recorded in the release's timeline
        "releases.Deployment",  # the deployment gate's log, signed answers
        "assist.AssistModel",  # a fitted model, made by the daily retraining from tickets
        "assist.Suggestion",  # the log of suggestions shown and what people did with them
        "assist.TicketVector",  # a ticket's semantic vector, computed from its text
        "assist.DocumentVector",  # an article translation's semantic vector, from its text
    }
)

# Whatever the registry says, a field named like a secret is never recorded in clear: a
# secret field added later (or an encrypted twin of one) is masked without a change here.
SECRET_NAME = re.compile(r"password|secret|digest|token|private|credential", re.IGNORECASE)
# Bookkeeping that changes with every save and says nothing about the change.
IGNORED_EVERYWHERE = frozenset({"updated_at", "updated_by"})


def audited_models() -> dict[type[models.Model], Audited]:
    found: dict[type[models.Model], Audited] = {}
    for label, how in CONFIGURATION.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        found[model] = how
    return found


_resolved: dict[type[models.Model], Audited] = {}


def how_audited(model: type[models.Model]) -> Audited | None:
    if not _resolved:
        _resolved.update(audited_models())
    return _resolved.get(model)


def is_masked(how: Audited, name: str) -> bool:
    return name in how.mask or bool(SECRET_NAME.search(name))


def tracked_fields(model: type[models.Model], how: Audited) -> list[models.Field]:
    """The concrete fields whose values are compared (not the primary key, not bookkeeping)."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in how.ignore or f.name in IGNORED_EVERYWHERE:
            continue
        if getattr(f, "auto_now", False):
            continue
        out.append(f)
    return out
