"""Personal API tokens: mint one for a person, and find the person behind a presented token."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tuki.accounts import services
from tuki.accounts.models import ApiToken, User

# Recording every use would write on every API call; a minute is precise enough to audit.
LAST_USED_PRECISION = timedelta(minutes=1)


def issue_token(user: User, name: str = "", days: int | None = None) -> str:
    """Create a token for `user` and return the raw value; only its digest is kept.

    `days`: its lifetime (None: TUKI_API_TOKEN_DAYS; 0: never, if the settings allow it).
    """
    _token, raw = services.create_api_token(user, user, name=name, days=days)
    return raw


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None if it is unknown, expired or disabled."""
    token = token_for(raw)
    return token.user if token is not None else None


def token_for(raw: str) -> ApiToken | None:
    """The live token (with its active user) a raw value names, marked as used; else None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    _mark_used(token, now)
    return token


def _mark_used(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # A conditional update: concurrent requests never overwrite a newer time with an older one.
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now).update(last_used_at=now)
    token.last_used_at = now
