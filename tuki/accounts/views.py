from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from tuki.accounts.forms import PreferencesForm
from tuki.accounts.preferences import sections_for
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
    sections, extra = sections_for(request.user)
    ctx = {"form": form, "nav": "preferences", "sections": sections, **extra}
    return render(request, "accounts/preferences.html", ctx)
