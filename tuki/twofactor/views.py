"""Second-factor pages: a person's own factors, the sign-in step, the step-up re-check, and
the administrators' policy and reset. Thin views: every write is a service."""

from __future__ import annotations

import base64
import json

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuki.accounts import signin
from tuki.accounts.models import User
from tuki.accounts.views import locked_out
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.twofactor import access, flow, services
from tuki.twofactor.forms import CodeForm, PolicyForm, TotpForm, VerifyForm
from tuki.twofactor.models import Policy

NEW_SECRET = "tuki_2fa_new_secret"
NEW_CODES = "tuki_2fa_new_codes"
CHALLENGE = "tuki_2fa_challenge"
# The JSON a passkey's answer arrives in is small; anything larger is refused unread.
MAX_JSON = 64 * 1024


def _show_codes_once(request: HttpRequest, codes: list[str]) -> None:
    if codes:
        request.session[NEW_CODES] = codes


def _keep_challenge(request: HttpRequest, challenge: bytes) -> None:
    request.session[CHALLENGE] = base64.b64encode(challenge).decode()


def _take_challenge(request: HttpRequest) -> bytes:
    raw = request.session.pop(CHALLENGE, "")
    return base64.b64decode(raw) if raw else b""


def _json_body(request: HttpRequest) -> dict[str, object]:
    if len(request.body) > MAX_JSON:
        return {}
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _json_error(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=422)


# --- a person's own factors ----------------------------------------------------------------


@require_GET
@login_required
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "nav": "preferences",
        "factors": services.factors_of(request.user),
        "new_codes": request.session.pop(NEW_CODES, None),
        "must_enrol": bool(request.session.get(flow.MUST_ENROL)),
        "remember_days": settings.TWOFACTOR_REMEMBER_DAYS,
    }
    return render(request, "twofactor/manage.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def totp_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new secret (kept in the session until confirmed), its QR code and text, and the
    first code from the app to confirm it."""
    secret = request.session.get(NEW_SECRET)
    if not secret:
        # Kept across reloads: the app scanned a moment ago must keep matching the page.
        secret = services.new_totp_secret()
        request.session[NEW_SECRET] = secret
    form = TotpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _device, codes = services.add_totp(
                request.user,
                secret=secret,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            del request.session[NEW_SECRET]
            flow.mark_verified(request)
            _show_codes_once(request, codes)
            messages.success(request, _("Your authenticator app was added."))
            return redirect("twofactor:manage")
    uri = services.provisioning_uri(request.user, secret)
    context = {
        "nav": "preferences",
        "form": form,
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": services.qr_svg(uri),
        "uri": uri,
    }
    return render(request, "twofactor/totp_add.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
@signin.recent_second_factor
def totp_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    device = access.own_totp(request.user, pk)
    services.remove_totp(request.user, device)
    messages.success(
        request, _("The authenticator app %(name)s was removed.") % {"name": device.name}
    )
    return redirect("twofactor:manage")


@require_POST
@login_required
def passkey_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    options, challenge = services.passkey_registration_options(
        request.user, flow.relying_party(request)
    )
    _keep_challenge(request, challenge)
    return HttpResponse(options, content_type="application/json")


@require_POST
@login_required
def passkey_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = _json_body(request)
    challenge = _take_challenge(request)
    if not challenge:
        return _json_error(_("Start again: the request has expired."))
    try:
        key, codes = services.add_passkey(
            request.user,
            credential=json.dumps(data.get("credential") or {}),
            challenge=challenge,
            rp=flow.relying_party(request),
            name=str(data.get("name") or ""),
        )
    except ServiceError as exc:
        return _json_error(exc.message)
    flow.mark_verified(request)
    _show_codes_once(request, codes)
    messages.success(request, _("The passkey %(name)s was added.") % {"name": key.name})
    return JsonResponse({"redirect": reverse("twofactor:manage")})


@require_POST
@login_required
@signin.recent_second_factor
def passkey_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = access.own_passkey(request.user, pk)
    services.remove_passkey(request.user, key)
    messages.success(request, _("The passkey %(name)s was removed.") % {"name": key.name})
    return redirect("twofactor:manage")


@require_POST
@login_required
@signin.recent_second_factor
def recovery_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        codes = services.regenerate_recovery_codes(request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        _show_codes_once(request, codes)
    return redirect("twofactor:manage")


@require_POST
@login_required
def browsers_forget(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.forget_browsers(request.user)
    messages.success(request, _("No browser is remembered any more."))
    response = redirect("twofactor:manage")
    response.delete_cookie(flow.REMEMBER_COOKIE)
    return response


# --- the sign-in step ------------------------------------------------------------------------


def _failed(request: HttpRequest, user: User) -> None:
    """A wrong code counts as a failed sign-in: django-axes locks the email + address pair
    after as many as a wrong password would, and the audit trail records it."""
    auth_signals.user_login_failed.send(
        sender=__name__, credentials={"username": user.email}, request=request
    )


def _locked(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.email}))


def _passed(request: HttpRequest, user: User, remember: bool) -> HttpResponse:
    flow.mark_verified(request)
    response = signin.proceed(request, flow.STEP)
    if remember and settings.TWOFACTOR_REMEMBER_DAYS > 0:
        response.set_cookie(
            flow.REMEMBER_COOKIE,
            services.remember_browser(user),
            max_age=settings.TWOFACTOR_REMEMBER_DAYS * 86400,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code or a passkey before the session is signed in."""
    user = signin.pending_user(request)
    if user is None:
        return redirect(settings.LOGIN_URL)
    if _locked(request, user):
        signin.cancel(request)
        return locked_out(request)
    form_class = VerifyForm if settings.TWOFACTOR_REMEMBER_DAYS > 0 else CodeForm
    form = form_class(request.POST if request.method == "POST" else None)
    if "remember" in form.fields:
        days = settings.TWOFACTOR_REMEMBER_DAYS
        form.fields["remember"].label = ngettext(
            "Remember this browser for %(days)d day",
            "Remember this browser for %(days)d days",
            days,
        ) % {"days": days}
    if request.method == "POST" and form.is_valid():
        if services.verify_code(user, form.cleaned_data["code"]) is not None:
            return _passed(request, user, bool(form.cleaned_data.get("remember")))
        _failed(request, user)
        if _locked(request, user):
            signin.cancel(request)
            return locked_out(request)
        form.add_error("code", _("That code is not right."))
    return _step_page(request, user, form, "twofactor:verify_passkey_options", signing_in=True)


def _step_page(
    request: HttpRequest, user: User, form: CodeForm, options_url: str, *, signing_in: bool
) -> HttpResponse:
    context = {
        "form": form,
        "person": user,
        "has_passkeys": user.passkeys.exists(),
        "has_totp": user.totp_devices.exists(),
        "options_url": reverse(options_url),
        "signing_in": signing_in,
        "remember_days": settings.TWOFACTOR_REMEMBER_DAYS,
        "next": flow.safe_next(request, ""),
    }
    status = 422 if form.errors else 200
    return render(request, "twofactor/verify.html", context, status=status)


@require_POST
def verify_passkey_options(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        return _json_error(_("Sign in again: this step has expired."))
    options, challenge = services.passkey_authentication_options(user, flow.relying_party(request))
    _keep_challenge(request, challenge)
    return HttpResponse(options, content_type="application/json")


@require_POST
def verify_passkey(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        return _json_error(_("Sign in again: this step has expired."))
    if _locked(request, user):
        signin.cancel(request)
        return JsonResponse({"redirect": reverse("login")}, status=429)
    data = _json_body(request)
    try:
        services.verify_passkey(
            user,
            credential=json.dumps(data.get("credential") or {}),
            challenge=_take_challenge(request),
            rp=flow.relying_party(request),
        )
    except ServiceError as exc:
        _failed(request, user)
        return _json_error(exc.message)
    return _json_redirect(_passed(request, user, bool(data.get("remember"))))


def _json_redirect(response: HttpResponse) -> JsonResponse:
    """The redirect of a passed step as JSON for the script, with its cookies."""
    answer = JsonResponse({"redirect": response["Location"]})
    answer.cookies = response.cookies
    return answer


# --- step-up: proving a factor again before a sensitive action -------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def check(request: AuthenticatedHttpRequest) -> HttpResponse:
    back = flow.safe_next(request, reverse("home"))
    if not services.has_factor(request.user):
        return HttpResponseRedirect(back)
    if _locked(request, request.user):
        return locked_out(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.verify_code(request.user, form.cleaned_data["code"]) is not None:
            flow.mark_verified(request)
            return HttpResponseRedirect(back)
        _failed(request, request.user)
        form.add_error("code", _("That code is not right."))
    return _step_page(
        request, request.user, form, "twofactor:check_passkey_options", signing_in=False
    )


@require_POST
@login_required
def check_passkey_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    options, challenge = services.passkey_authentication_options(
        request.user, flow.relying_party(request)
    )
    _keep_challenge(request, challenge)
    return HttpResponse(options, content_type="application/json")


@require_POST
@login_required
def check_passkey(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = _json_body(request)
    try:
        services.verify_passkey(
            request.user,
            credential=json.dumps(data.get("credential") or {}),
            challenge=_take_challenge(request),
            rp=flow.relying_party(request),
        )
    except ServiceError as exc:
        _failed(request, request.user)
        return _json_error(exc.message)
    flow.mark_verified(request)
    return JsonResponse({"redirect": flow.safe_next(request, reverse("home"))})


# --- administrators: the policy and a person's reset ----------------------------------------


@require_http_methods(["GET", "POST"])
@access.admin_required
@signin.recent_second_factor
def policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = Policy.load()
    initial = {
        "for_administrators": current.for_administrators,
        "for_agents": current.for_agents,
        "for_requesters": current.for_requesters,
    }
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_policy(request.user, **form.cleaned_data)
        messages.success(request, _("The second factor policy was saved."))
        return redirect("twofactor:policy")
    context = {
        "nav": "manage",
        "form": form,
        "step_up_minutes": settings.TWOFACTOR_STEP_UP_MINUTES,
        "remember_days": settings.TWOFACTOR_REMEMBER_DAYS,
    }
    return render(request, "twofactor/policy.html", context)


@require_http_methods(["GET", "POST"])
@access.admin_required
@signin.recent_second_factor
def person(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    someone = access.person_for_admin(request.user, user_id)
    if request.method == "POST":
        try:
            removed = services.reset_factors(request.user, someone)
        except ServiceError as exc:
            messages.error(request, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            if removed:
                messages.success(
                    request,
                    _("The second factors of %(name)s were removed; they were told by email.")
                    % {"name": someone.full_name or someone.email},
                )
            else:
                messages.info(request, _("This person had no second factor."))
        return redirect("twofactor:person", someone.pk)
    context = {"nav": "manage", "person": someone, "factors": services.factors_of(someone)}
    return render(request, "twofactor/person.html", context)
