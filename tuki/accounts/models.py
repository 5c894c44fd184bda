"""People, organisations, offices and support groups."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz] + [
    ("UTC", "UTC")
]


class Organisation(models.Model):
    """A department of the IT organisation, or a client company of a service provider."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; senders from these domains belong here."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """An office or site; second-line groups are often per location."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_agent", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: requesters, agents and administrators. Login is by email."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=50, blank=True, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    is_agent = models.BooleanField(
        _("agent"), default=False, help_text=_("Works tickets in the agent workspace.")
    )
    sees_all_tickets = models.BooleanField(
        _("sees all tickets"),
        default=False,
        help_text=_("Agent: sees tickets of every group, not only of their own groups."),
    )
    sees_organisation_tickets = models.BooleanField(
        _("sees organisation's tickets"),
        default=False,
        help_text=_("Requester: sees every ticket of their organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("administrator"), default=False, help_text=_("May use the configuration pages.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When a password reset link was last mailed: one mail per few minutes, however often
    # someone asks (accounts/tasks.py), so the form cannot be used to flood a mailbox.
    password_reset_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The agent pickers (the queue's filters and bulk bar, assign and escalate) list
            # the active agents by name: without it PostgreSQL read all the requesters for
            # them, 8-11 ms at 40,000 users, 0.1 ms with it.
            models.Index(
                fields=["full_name"],
                name="user_active_agents",
                condition=(models.Q(is_agent=True) | models.Q(is_superuser=True))
                & models.Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Revoke the user's API tokens when their password changes or they are deactivated.

        Here rather than in one service: every way a password changes (the preferences page,
        a reset link, the admin, `tuki changepassword`) ends in set_password() and save(),
        which leaves the new password in `_password` until AbstractBaseUser.save() clears it.
        """
        password_changed = getattr(self, "_password", None) is not None
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and (password_changed or not self.is_active):
            ApiToken.objects.filter(user=self).delete()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def group_ids(self) -> frozenset[int]:
        """Ids of the support groups this user belongs to (one query, cached per request)."""
        return frozenset(self.support_groups.values_list("id", flat=True))

    @cached_property
    def may_write_to_requesters(self) -> bool:
        """Agents may send public replies when any of their groups may talk to requesters."""
        if self.is_superuser:
            return True
        return self.support_groups.filter(may_write_to_requesters=True).exists()

    @property
    def role(self) -> str:
        if self.is_superuser or self.is_staff:
            return "admin"
        return "agent" if self.is_agent else "requester"


class SupportGroup(models.Model):
    """A team that works tickets: the service desk (tier 1), specialists (2) or suppliers (3)."""

    class Tier(models.IntegerChoices):
        SERVICE_DESK = 1, _("1 - service desk")
        SPECIALISTS = 2, _("2 - specialists")
        SUPPLIER = 3, _("3 - supplier")

    name = models.CharField(_("name"), max_length=200, unique=True)
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.SPECIALISTS
    )
    may_write_to_requesters = models.BooleanField(
        _("may write to requesters"),
        default=False,
        help_text=_("Members may send public replies; otherwise internal notes only."),
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_groups",
    )
    email = models.EmailField(_("email"), blank=True)
    manager = models.ForeignKey(
        User,
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_groups",
    )
    members = models.ManyToManyField(
        User, verbose_name=_("members"), related_name="support_groups", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Assignment(models.TextChoices):
        MANUAL = "manual", _("manual")
        ROUND_ROBIN = "round_robin", _("round robin")
        LEAST_WORK = "least_work", _("least open work")

    assignment = models.CharField(
        _("assignment"),
        max_length=20,
        choices=Assignment.choices,
        default=Assignment.MANUAL,
        help_text=_(
            "How a ticket arriving without an assignee gets one: left to the group, the next "
            "member in turn, or the member with the fewest open tickets (tuki/routing)."
        ),
    )

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")

    def __str__(self) -> str:
        return self.name


class Absence(models.Model):
    """An agent's away dates (leave, training): automatic assignment skips them.

    Dates are days in the agent's own time zone, both ends included.
    """

    user = models.ForeignKey(
        User, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("away from"))
    ends_on = models.DateField(_("away until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["user", "ends_on"], name="absence_user_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_start",
            )
        ]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")

    def __str__(self) -> str:
        return f"{self.user}: {self.starts_on} – {self.ends_on}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    PREFIX = "tuki_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to recognise the token")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def mint(cls, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
        """A new token living `days` days (None: for ever); the raw value is returned once."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            name=name,
            digest=cls.hash(raw),
            hint=raw[:12],
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        return token, raw


class MembershipGrant(models.Model):
    """Who granted a user a role or a support group: an administrator by hand, a directory
    (LDAP sync), a SCIM provider or a single sign-on provider.

    A user's role flags and support groups are the union of every source's grants; a source
    that syncs replaces only its own rows (accounts/services.py, `grant_from_source`), so a
    directory never takes away what an administrator or another provider gave.
    Exactly one of `role` and `group` is set.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="membership_grants")
    # "manual", or "<kind>:<id>" with kind ldap, scim or sso (a directory's or provider's id).
    source = models.CharField(_("source"), max_length=100)
    role = models.CharField(_("role"), max_length=30, blank=True)
    group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("support group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "source", "role", "group"]
        verbose_name = _("membership grant")
        verbose_name_plural = _("membership grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source", "role"],
                condition=models.Q(group__isnull=True),
                name="grant_one_role_per_source",
            ),
            models.UniqueConstraint(
                fields=["user", "source", "group"],
                condition=models.Q(group__isnull=False),
                name="grant_one_group_per_source",
            ),
            models.CheckConstraint(
                condition=(models.Q(group__isnull=True) & ~models.Q(role=""))
                | (models.Q(group__isnull=False) & models.Q(role="")),
                name="grant_role_or_group",
            ),
        ]
        indexes = [models.Index(fields=["source"], name="grant_source")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.source}: {self.role or self.group_id}"
