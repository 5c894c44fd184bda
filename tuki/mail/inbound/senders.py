"""Who wrote a message, and who else it was addressed to, as Tuki users.

A known address is that user. An unknown sender becomes a requester in the organisation that
owns their domain (Organisation.domains), else in the mailbox's organisation, unless the
mailbox refuses unknown senders. Known users in Cc (and To, besides the desk's own
addresses) become watchers.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q

from tuki.accounts.models import Organisation, User
from tuki.mail import reasons
from tuki.mail.models import Mailbox, UnknownSenders

MAX_RECIPIENTS = 50  # a mass mailing's recipient list is not a list of watchers


class Refused(Exception):
    """The message cannot be taken in; it is kept in quarantine with this reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def desk_addresses() -> set[str]:
    """Addresses of the desk itself: never a sender to answer, watcher or recipient."""
    own = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    own.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    own.discard("")
    return own


def user_by_address(address: str) -> User | None:
    if not address:
        return None
    return User.objects.filter(email__iexact=address.strip()).first()


def organisation_for(address: str) -> Organisation | None:
    """The active organisation listing the address's domain (exact match, case-insensitive)."""
    domain = address.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    candidates = Organisation.objects.filter(is_active=True, domains__icontains=domain)
    for organisation in candidates:
        domains = {d.strip().lower() for d in organisation.domains.split(",")}
        if domain in domains:
            return organisation
    return None


def resolve_sender(address: str, name: str, mailbox: Mailbox | None) -> User:
    """The user behind the From address, registering a new requester when the mailbox allows."""
    address = (address or "").strip().lower()
    if not address or "@" not in address:
        raise Refused("no_sender", reasons.NO_SENDER)
    user = user_by_address(address)
    if user is not None:
        if not user.is_active:
            raise Refused("inactive_sender", reasons.INACTIVE_SENDER)
        return user
    if mailbox is not None and mailbox.unknown_senders == UnknownSenders.REFUSE:
        raise Refused(
            "unknown_sender",
            reasons.english(reasons.UNKNOWN_SENDER, address=address),
        )
    organisation = organisation_for(address) or (mailbox.organisation if mailbox else None)
    return User.objects.create_user(
        address,
        None,  # no password: they sign in after a reset, or never
        full_name=(name or address.partition("@")[0])[:200],
        organisation=organisation,
    )


def known_recipients(addresses: Iterable[str], exclude: Iterable[str] = ()) -> list[User]:
    """Active users among the addresses, leaving out the desk's own and `exclude`."""
    skip = desk_addresses() | {a.lower() for a in exclude}
    wanted = {a.strip().lower() for a in addresses if a and a.strip().lower() not in skip}
    if not wanted:
        return []
    match = Q()
    for address in sorted(wanted)[:MAX_RECIPIENTS]:
        match |= Q(email__iexact=address)
    return list(User.objects.filter(match, is_active=True))
