"""Mail settings: a Django setting when present (tests override those), else TUKI_MAIL_* variables.

Documented in docs/email.md. Read at call time, so `settings` overrides in tests apply.
"""

from __future__ import annotations

from django.conf import settings

from tuki.lib.env import env_int

MB = 1024 * 1024


def _int(setting: str, variable: str, default: int) -> int:
    value = getattr(settings, setting, None)
    return int(value) if value is not None else env_int(variable, default)


def max_message_size() -> int:
    """Bytes; a larger message is refused (quarantined with only its headers kept)."""
    value = getattr(settings, "MAIL_MAX_MESSAGE_SIZE", None)
    return int(value) if value is not None else env_int("MAIL_MAX_MESSAGE_MB", 25) * MB


def ack_limit_per_hour() -> int:
    """Acknowledgements of new tickets sent to one address per hour, at most."""
    return _int("MAIL_ACK_LIMIT_PER_HOUR", "MAIL_ACK_LIMIT_PER_HOUR", 5)


def send_attempts() -> int:
    """Delivery attempts of one outbound message before it is marked failed."""
    return _int("MAIL_SEND_ATTEMPTS", "MAIL_SEND_ATTEMPTS", 6)


def poll_batch() -> int:
    """Messages taken per poll; the next poll follows at once when more are waiting."""
    return _int("MAIL_POLL_BATCH", "MAIL_POLL_BATCH", 50)


def lease_seconds() -> int:
    """How long a poll may hold its mailbox before another worker may take over."""
    return _int("MAIL_LEASE_SECONDS", "MAIL_LEASE_SECONDS", 300)
