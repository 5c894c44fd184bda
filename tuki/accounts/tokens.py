"""Personal API tokens: mint one for a person, and find the person behind a presented token."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tuki.accounts.models import ApiToken, User

# Recording every use would write on every API call; a minute is precise enough to audit.
LAST_USED_PRECISION = timedelta(minutes=1)


def issue_token(user: User, name: str = "") -> str:
    """Create a token for `user` and return the raw value; only its digest is kept."""
    _token, raw = ApiToken.mint(user, name=name)
    return raw


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None if it is unknown, expired or disabled."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    _mark_used(token, now)
    return token.user


def _mark_used(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # A conditional update: concurrent requests never overwrite a newer time with an older one.
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now).update(last_used_at=now)
    token.last_used_at = now
