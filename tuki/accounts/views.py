from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tuki.accounts.forms import PreferencesForm
from tuki.accounts.models import User
from tuki.accounts.services import update_preferences
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
    ctx = {"form": form, "nav": "preferences", **_away_dates(request.user)}
    return render(request, "accounts/preferences.html", ctx)


def _away_dates(user: User) -> dict[str, object]:
    """The away-dates section (tuki/routing) for agents: their dates, the groups they manage."""
    if not (user.is_agent or user.is_superuser):
        return {}
    from tuki.routing.access import current_absences, managed_groups
    from tuki.routing.forms import AbsenceForm

    return {
        "absences": current_absences([user]).order_by("starts_on"),
        "absence_form": AbsenceForm(),
        "managed_groups": managed_groups(user).filter(manager=user),
        "next": reverse("preferences"),
    }
