"""Where second factors meet the sign-in: the steps registered in accounts' sign-in hook
(tuki/accounts/signin.py), the step-up check, enrolment required by the policy, and the
relying party of passkeys.

Session keys:
- VERIFIED_AT: when this session last proved a second factor (epoch seconds): the step-up
  check (`recent_second_factor`) lets a sensitive view run within TUKI_STEP_UP_MINUTES of it.
- MUST_ENROL: the policy covers this person and they have no factor: every page but
  enrolment (and signing out) sends them to enrol (EnrolmentMiddleware).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from tuki.accounts import preferences, signin
from tuki.accounts.models import User
from tuki.lib import console
from tuki.twofactor import services
from tuki.twofactor.models import Policy

VERIFIED_AT = "tuki_2fa_verified_at"
MUST_ENROL = "tuki_2fa_must_enrol"
REMEMBER_COOKIE = "tuki_2fa_remember"
STEP = signin.SECOND_FACTOR


# --- the sign-in steps -----------------------------------------------------------------------


def before_sign_in(request: HttpRequest, user: User) -> str | None:
    """Someone with a second factor passes it first, unless this browser is remembered."""
    if not services.has_factor(user):
        return None
    if services.is_remembered(user, request.COOKIES.get(REMEMBER_COOKIE, "")):
        return None
    return reverse("twofactor:verify")


def after_sign_in(request: HttpRequest, user: User, passed: tuple[str, ...]) -> str | None:
    """Someone the policy covers who has no factor enrols before anything else (unless
    their identity provider asserted a second factor of its own)."""
    if STEP in passed or services.has_factor(user):
        return None
    if not Policy.load().covers(user):
        return None
    request.session[MUST_ENROL] = True
    return reverse("twofactor:manage")


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_AT] = time.time()
    request.session.pop(MUST_ENROL, None)


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- step-up ---------------------------------------------------------------------------------


def recently_verified_session(session: Any) -> bool:
    at = session.get(VERIFIED_AT)
    return (
        isinstance(at, int | float) and time.time() - at < settings.TWOFACTOR_STEP_UP_MINUTES * 60
    )


def recently_verified(request: HttpRequest) -> bool:
    return recently_verified_session(request.session)


def step_up(request: HttpRequest) -> HttpResponse | None:
    """A sensitive view asks for a second factor proven within the last minutes. Someone
    without any factor is let through: there is nothing to ask (the policy decides whether
    they must have one)."""
    if recently_verified(request):
        return None
    assert isinstance(request.user, User)
    if not services.has_factor(request.user):
        return None
    back = request.get_full_path() if request.method == "GET" else _referer_path(request)
    url = reverse("twofactor:check") + "?" + urlencode({"next": back})
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _referer_path(request: HttpRequest) -> str:
    """Where a refused POST came from, to return there after the re-check (the POST itself
    is not replayed: the person submits again)."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


# --- enrolment required ----------------------------------------------------------------------


class EnrolmentMiddleware:
    """While MUST_ENROL is set, only enrolment, signing out and static files answer: every
    other page redirects to enrolment (the API's session calls get a 403). Reads only the
    session already loaded by the authentication middleware: no query."""

    ALLOWED = (
        "/twofactor/app/",
        "/twofactor/passkeys/",
        "/twofactor/verify/",
        "/twofactor/check/",
        "/logout/",
        "/static/",
        "/i18n/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MUST_ENROL)
            and request.user.is_authenticated
            and request.path_info != "/twofactor/"
            and not request.path_info.startswith(self.ALLOWED)
        ):
            if request.path_info.startswith("/api/"):
                message = str(_("Add a second factor before using the desk."))
                return JsonResponse({"detail": message}, status=403)
            url = reverse("twofactor:manage")
            if request.headers.get("HX-Request"):
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return HttpResponseRedirect(url)
        return self.get_response(request)


# --- passkeys' relying party -------------------------------------------------------------------


def relying_party(request: HttpRequest) -> services.RelyingParty:
    """TUKI_WEBAUTHN_RP_ID and TUKI_WEBAUTHN_ORIGINS when set (production: passkeys are bound
    to that domain); otherwise the host this page was asked for, which Django has checked
    against ALLOWED_HOSTS, and its own origin."""
    if settings.WEBAUTHN_RP_ID:
        origins = list(settings.WEBAUTHN_ORIGINS) or [settings.SITE_URL.rstrip("/")]
        return services.RelyingParty(id=settings.WEBAUTHN_RP_ID, origins=origins)
    host = request.get_host()
    hostname = urlsplit(f"//{host}").hostname or host
    return services.RelyingParty(id=hostname, origins=[f"{request.scheme}://{host}"])


# --- registration ----------------------------------------------------------------------------


def _preferences_section(user: User) -> dict[str, object] | None:
    return {"twofactor_factors": services.factors_of(user)}


def register_all() -> None:
    signin.register(STEP, before=before_sign_in, after=after_sign_in)
    signin.register_step_up(STEP, step_up)
    preferences.register("twofactor/partials/preferences_section.html", _preferences_section)
    console.register(
        console.Section(
            key="twofactor",
            label=_("Second factors"),
            description=_("Who must sign in with an authenticator app or a passkey."),
            url_name="twofactor:policy",
            heading="people",
            allowed=services.is_admin,
            position=40,
        )
    )
