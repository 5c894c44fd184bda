"""The first-run set-up page (docs/installing.md, First run)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuki.lib.errors import ServiceError
from tuki.setup import state
from tuki.setup.forms import SetupForm
from tuki.setup.services import SetupInput, complete_setup


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Open while Tuki is not set up. Without an administrator: anyone with the set-up
    token. With one: that administrator, signed in. Afterwards: 404 for everyone."""
    if state.is_set_up():
        raise Http404
    needs_admin = not state.has_admin()
    user = request.user
    if not needs_admin:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_superuser:
            raise Http404
    else:
        state.ensure_token()  # made and logged on the first visit
    form = SetupForm(request.POST or None, needs_admin=needs_admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if needs_admin and not state.token_matches(data["token"]):
            _refuse(form, "token", _("This is not the set-up token."))
        else:
            try:
                admin = complete_setup(
                    None if needs_admin else user,  # type: ignore[arg-type]  # a signed-in superuser
                    _input(data),
                )
            except ServiceError as exc:
                _refuse(form, exc.field, str(exc.message))
            else:
                if needs_admin:
                    login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Tuki is set up. Welcome!"))
                return redirect("home")
    context = {"form": form, "needs_admin": needs_admin}
    return render(request, "setup/start.html", context, status=422 if form.errors else 200)


def _refuse(form: SetupForm, field: str | None, message: str) -> None:
    """The error beside its field, the field marked as BootstrapMixin marks form errors."""
    if field not in form.fields:
        form.add_error(None, message)
        return
    assert field is not None
    form.add_error(field, message)
    widget = form.fields[field].widget
    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _input(data: dict[str, object]) -> SetupInput:
    fields = SetupInput.__dataclass_fields__
    values = {k: str(v or "") for k, v in data.items() if k in fields}
    values["password"] = str(data.get("password1") or "")
    return SetupInput(**values)
