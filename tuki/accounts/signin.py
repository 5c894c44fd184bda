"""Steps between proving a password (or an SSO sign-in) and a signed-in session.

accounts sits below the apps that add such steps (tuki/twofactor: a second factor, enrolment
required by the policy), so they register here from their `AppConfig.ready()`:

- a **before** step returns the URL of a page the person must pass before the session is
  signed in, or None. Meanwhile the person is *half signed in*: their id is kept in the
  session under PENDING_KEY, never in Django's auth keys, so no view treats them as signed in.
  The step's page reads them with `pending_user()` and, once passed, calls `proceed()`.
- an **after** step runs once the session is signed in and may return a URL to go to instead
  of the one asked for (a page the person must visit first).
- a **step-up** check guards sensitive views (`recent_second_factor`): it returns a response
  (a redirect to a re-check page) or None to let the view run.

`begin()` is the one entry: the password sign-in calls it, and so does any other first
factor (SSO) once it knows who signed in. See docs/identity.md and
/work/briefs/identity-contract.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url

from tuki.accounts.models import User

PENDING_KEY = "tuki_signin_pending"
# A half sign-in is forgotten after this many seconds: the second step is taken at once.
PENDING_SECONDS = 10 * 60
# The name tuki/twofactor registers its step under: an SSO sign-in whose provider asserted
# multi-factor authentication (and is trusted to) passes it as `satisfied`.
SECOND_FACTOR = "twofactor"

BeforeStep = Callable[[HttpRequest, User], str | None]
AfterStep = Callable[[HttpRequest, User, tuple[str, ...]], str | None]
StepUp = Callable[[HttpRequest], HttpResponse | None]
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Step:
    name: str
    before: BeforeStep | None = None
    after: AfterStep | None = None


# By name: registering twice (a second ready() in tests) keeps one step.
_steps: dict[str, Step] = {}
_step_ups: dict[str, StepUp] = {}


def register(
    name: str, *, before: BeforeStep | None = None, after: AfterStep | None = None
) -> None:
    _steps[name] = Step(name, before, after)


def register_step_up(name: str, check: StepUp) -> None:
    _step_ups[name] = check


def begin(
    request: HttpRequest,
    user: User,
    next_url: str,
    backend: str | None = None,
    satisfied: Iterable[str] = (),
) -> HttpResponse:
    """The first factor is proven for `user`: hold them half signed in while a step asks for
    more, otherwise sign the session in. `next_url` must already be checked as safe.
    `satisfied` names steps already met another way (SECOND_FACTOR: the identity provider
    asserted multi-factor authentication)."""
    backend = backend or getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[-1]
    if SESSION_KEY in request.session:
        # Someone else was signed in on this browser: nothing of their session carries over.
        request.session.flush()
    else:
        # A new session key before anything is held: a planted session id learns nothing.
        request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "at": time.time(),
        "passed": [str(name) for name in satisfied],
    }
    return _resume(request, user)


def pending_user(request: HttpRequest) -> User | None:
    """Who is half signed in on this session (active, within PENDING_SECONDS), or None."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def pending_next(request: HttpRequest) -> str:
    pending = request.session.get(PENDING_KEY) or {}
    return str(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))


def proceed(request: HttpRequest, passed: str) -> HttpResponse:
    """The step `passed` is done for the half-signed-in user: go on to the next one."""
    user = pending_user(request)
    if user is None:
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
    pending = dict(request.session[PENDING_KEY])
    pending["passed"] = [*pending.get("passed", []), passed]
    request.session[PENDING_KEY] = pending
    return _resume(request, user)


def cancel(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def _resume(request: HttpRequest, user: User) -> HttpResponse:
    pending = request.session[PENDING_KEY]
    for step in _steps.values():
        if step.before is None or step.name in pending["passed"]:
            continue
        url = step.before(request, user)
        if url:
            return HttpResponseRedirect(url)
    del request.session[PENDING_KEY]
    login(request, user, backend=pending["backend"])
    target = str(pending["next"])
    passed = tuple(pending["passed"])
    for step in _steps.values():
        if step.after is not None:
            url = step.after(request, user, passed)
            if url:
                target = url
                break
    return HttpResponseRedirect(target)


def needs_step_up(request: HttpRequest) -> bool:
    """Whether a step-up check would stop a sensitive action now (for the API's session
    calls, which cannot be redirected to a re-check page)."""
    return request.user.is_authenticated and any(
        check(request) is not None for check in _step_ups.values()
    )


def recent_second_factor(view: View) -> View:
    """Guards a sensitive view: the registered step-up checks (tuki/twofactor: a second factor
    proven within TUKI_STEP_UP_MINUTES) may send the person to re-check first and back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            for check in _step_ups.values():
                response = check(request)
                if response is not None:
                    return response
        return view(request, *args, **kwargs)

    return wrapper
