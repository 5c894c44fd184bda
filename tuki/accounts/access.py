"""What of accounts a user may reach: their own API tokens (administrators use the admin)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from tuki.accounts.models import ApiToken, User


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens, else 404: another's token is not even said to exist."""
    return get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id, user=user)
