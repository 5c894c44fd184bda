"""The console's identity pages: LDAP / Active Directory directories (settings with a
write-only bind password, a connection test, a sync on demand, group mappings) and SCIM
providers (a token shown once, group mappings). Writes go through tuki.identity.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.signin import recent_second_factor
from tuki.console.access import admin_required, get_for_admin
from tuki.console.forms_identity import DirectoryForm, GroupMapForm, ScimGroupForm, ScimProviderForm
from tuki.console.views import _save
from tuki.identity import services
from tuki.identity.models import Directory, DirectoryGroupMap, ScimGroup, ScimProvider
from tuki.lib import crypto
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest


def _list_page(
    request: AuthenticatedHttpRequest,
    provider_form: ScimProviderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "manage",
        "directories": Directory.objects.order_by("name"),
        "providers": ScimProvider.objects.select_related("organisation").order_by("name"),
        "provider_form": provider_form or ScimProviderForm(),
        "scim_url": request.build_absolute_uri("/scim/v2/"),
    }
    return render(request, "console/identity.html", context, status=status)


@require_GET
@admin_required
def identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list_page(request)


# --- directories -------------------------------------------------------------------------------


def _directory_page(
    request: AuthenticatedHttpRequest,
    directory: Directory | None,
    form: DirectoryForm,
    status: int = 200,
    check: services.ConnectionCheck | None = None,
    map_form: GroupMapForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "nav": "manage",
        "directory": directory,
        "form": form,
        "check": check,
        "map_form": map_form or GroupMapForm(),
        "maps": directory.group_maps.select_related("support_group") if directory else [],
        "people": directory.accounts.count() if directory else 0,
        "has_password": bool(directory and directory.bind_password),
        "password_readable": directory is None or crypto.readable(directory.bind_password),
    }
    return render(request, "console/directory.html", context, status=status)


def _directory_save(request: AuthenticatedHttpRequest, directory: Directory) -> HttpResponse:
    form = DirectoryForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        saved = _save(form, lambda: services.save_directory(request.user, directory, data))
        if saved is not None:
            messages.success(request, _("Directory “%(name)s” saved.") % {"name": saved.name})
            return redirect("console:directory", pk=saved.pk)
    if directory.pk is not None:
        directory.refresh_from_db()
    return _directory_page(request, directory if directory.pk else None, form, status=422)


@admin_required
@recent_second_factor  # directory settings: a bind password, who may sign in
def directory_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _directory_save(request, Directory())
    return _directory_page(request, None, DirectoryForm(initial=DirectoryForm.initial_for(None)))


@admin_required
@recent_second_factor  # directory settings: a bind password, who may sign in
def directory_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directory = get_for_admin(request.user, Directory, pk)
    if request.method == "POST":
        return _directory_save(request, directory)
    return _directory_page(
        request, directory, DirectoryForm(initial=DirectoryForm.initial_for(directory))
    )


@require_POST
@admin_required
def directory_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directory = get_for_admin(request.user, Directory, pk)
    check = services.check_connection(request.user, directory)
    form = DirectoryForm(initial=DirectoryForm.initial_for(directory))
    return _directory_page(request, directory, form, check=check)


@require_POST
@admin_required
def directory_sync(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directory = get_for_admin(request.user, Directory, pk)
    report = services.sync_now(request.user, directory)
    if report.ok:
        messages.success(request, _("Synced: %(report)s") % {"report": report.text()})
    else:
        messages.error(request, _("The sync failed: %(error)s") % {"error": report.error})
    return redirect("console:directory", pk=directory.pk)


@require_POST
@admin_required
def directory_map_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directory = get_for_admin(request.user, Directory, pk)
    form = GroupMapForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        added = _save(
            form,
            lambda: services.add_group_map(
                request.user,
                directory,
                group_dn=data["group_dn"],
                roles=data["roles"],
                support_group=data["support_group"],
            ),
        )
        if added is not None:
            messages.success(request, _("Mapping added; the next sync applies it."))
            return redirect("console:directory", pk=directory.pk)
    page_form = DirectoryForm(initial=DirectoryForm.initial_for(directory))
    return _directory_page(request, directory, page_form, status=422, map_form=form)


@require_POST
@admin_required
def directory_map_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group_map = get_for_admin(request.user, DirectoryGroupMap, pk)
    directory_pk = group_map.directory_id
    services.remove_group_map(request.user, group_map)
    messages.success(request, _("Mapping removed; the next sync takes back what it gave."))
    return redirect("console:directory", pk=directory_pk)


@require_POST
@admin_required
def directory_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directory = get_for_admin(request.user, Directory, pk)
    services.delete_directory(request.user, directory)
    messages.success(request, _("Directory “%(name)s” deleted.") % {"name": directory.name})
    return redirect("console:identity")


# --- SCIM providers ----------------------------------------------------------------------------


def _provider_page(
    request: AuthenticatedHttpRequest, provider: ScimProvider, token: str = "", status: int = 200
) -> HttpResponse:
    groups = list(provider.groups.select_related("support_group").order_by("display_name"))
    context = {
        "nav": "manage",
        "provider": provider,
        "token": token,
        "scim_url": request.build_absolute_uri("/scim/v2/"),
        "groups": [
            (
                g,
                ScimGroupForm(
                    initial={"roles": g.roles, "support_group": g.support_group_id},
                    prefix=f"g{g.pk}",
                ),
            )
            for g in groups
        ],
        "people": provider.users.count(),
    }
    return render(request, "console/scim_provider.html", context, status=status)


@require_POST
@admin_required
def scim_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScimProviderForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        made = _save(form, lambda: services.create_scim_provider(request.user, data))
        if made is not None:
            provider, token = made
            return _provider_page(request, provider, token=token, status=201)
    return _list_page(request, form, status=422)


@require_GET
@admin_required
@recent_second_factor  # a SCIM provider: where its tokens are minted
def scim_provider(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, ScimProvider, pk)
    return _provider_page(request, provider)


@require_POST
@admin_required
def scim_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, ScimProvider, pk)
    token = services.new_scim_token(request.user, provider)
    return _provider_page(request, provider, token=token)


@require_POST
@admin_required
def scim_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, ScimProvider, pk)
    active = request.POST.get("active") == "1"
    services.set_scim_provider_active(request.user, provider, active)
    if active:
        messages.success(request, _("“%(name)s” may provision again.") % {"name": provider.name})
    else:
        messages.success(request, _("“%(name)s” is refused from now on.") % {"name": provider.name})
    return redirect("console:scim_provider", pk=provider.pk)


@require_POST
@admin_required
def scim_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, ScimProvider, pk)
    services.delete_scim_provider(request.user, provider)
    messages.success(request, _("“%(name)s” deleted.") % {"name": provider.name})
    return redirect("console:identity")


@require_POST
@admin_required
def scim_group(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_for_admin(request.user, ScimGroup, pk)
    form = ScimGroupForm(request.POST, prefix=f"g{group.pk}")
    if form.is_valid():
        try:
            services.map_scim_group(
                request.user,
                group,
                roles=form.cleaned_data["roles"],
                support_group=form.cleaned_data["support_group"],
            )
            messages.success(request, _("“%(name)s” mapped.") % {"name": group.display_name})
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Pick an existing support group."))
    return redirect("console:scim_provider", pk=group.provider_id)
