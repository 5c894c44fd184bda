from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms, views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from tuki.accounts import access, services, signin
from tuki.accounts.forms import (
    ApiTokenForm,
    PasswordChangeForm,
    PasswordResetForm,
    PreferencesForm,
    SetPasswordForm,
)
from tuki.accounts.models import User
from tuki.accounts.preferences import sections_for
from tuki.accounts.services import update_preferences
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Agents land in the workspace, requesters in the portal."""
    if request.user.is_agent or request.user.is_superuser:
        return redirect("tickets:dashboard")
    return redirect("portal:home")


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = update_preferences(request.user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your preferences were saved."))
        return redirect("preferences")
    sections, extra = sections_for(request.user)
    ctx = {"form": form, "nav": "preferences", "sections": sections, **extra}
    return render(request, "accounts/preferences.html", ctx)


# --- sign-in, lockout, password change and reset ---------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a proven password goes through the sign-in steps (signin.py:
    a second factor) before the session is signed in."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: auth_forms.AuthenticationForm) -> HttpResponse:
        return signin.begin(self.request, form.get_user(), self.get_success_url())


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer to a sign-in from a locked email + address pair (AXES_LOCKOUT_CALLABLE)."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if cooloff else 0
    ctx = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "accounts/locked_out.html", ctx, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: checks the old password, keeps this session signed in
    (update_session_auth_hash) and so signs out every other session of the user."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("preferences")
    extra_context = {"nav": "preferences"}

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _(
                "Your password was changed. Your other sessions were signed out and your "
                "API tokens revoked."
            ),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: auth_forms.SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        # Proof of the mailbox lifts the sign-in lockout of this account from every address.
        services.unlock_sign_in(form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- personal API tokens ------------------------------------------------------------------


def _lifetime_choices() -> list[tuple[int, str]]:
    return [
        (
            days,
            _("Never")
            if days == services.NEVER
            else ngettext("%(days)d day", "%(days)d days", days) % {"days": days},
        )
        for days in services.token_lifetimes()
    ]


def _token_form(data: Any = None) -> ApiTokenForm:
    return ApiTokenForm(data, choices=_lifetime_choices(), default=services.default_token_days())


@login_required
@signin.recent_second_factor
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's tokens (never their secrets) and a form for a new one, shown once."""
    form = _token_form(request.POST if request.method == "POST" else None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = services.create_api_token(
                request.user,
                request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["expires_in_days"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            form = _token_form()
    ctx = {
        "form": form,
        "tokens": services.tokens_of(request.user),
        "created": created,
        "raw_token": raw,
        "nav": "preferences",
    }
    return render(request, "accounts/api_tokens.html", ctx)


@login_required
@require_POST
def revoke_api_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = access.own_token(request.user, token_id)
    services.revoke_api_token(request.user, token)
    messages.success(request, _("The token %(hint)s… was revoked.") % {"hint": token.hint})
    return redirect("api_tokens")
