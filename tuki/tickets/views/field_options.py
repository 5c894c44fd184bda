"""Search-as-you-type choices for custom fields that name a person or an organisation
(tuki/tickets/fields_forms.py; static/tuki/picker.js). A configuration item's choices come
from the CMDB's own endpoint (cmdb:options), which applies the CMDB's reading rules.

Only agents search, and only among the people they may pick (accounts/directory.py): an
external agent finds the people of their groups, not the whole directory.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from tuki.accounts import directory
from tuki.accounts.models import Organisation
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.models import FieldType
from tuki.tickets.views.common import agent_required

RESULTS = 20
MAX_QUERY = 100


@require_GET
@agent_required(hide=True)
def reference_options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """`?type=user|organisation&q=text`: up to 20 matches as {value, label}."""
    kind = request.GET.get("type", "")
    text = request.GET.get("q", "").strip()[:MAX_QUERY].replace("\x00", "")
    results: list[dict[str, str]] = []
    if text and kind == FieldType.USER:
        people = directory.people_visible_to(request.user).filter(
            Q(full_name__icontains=text) | Q(email__icontains=text)
        )
        results = [
            {"value": str(pk), "label": f"{name or email} ({email})"}
            for pk, name, email in people.order_by("full_name", "pk").values_list(
                "pk", "full_name", "email"
            )[:RESULTS]
        ]
    elif text and kind == FieldType.ORGANISATION:
        found = Organisation.objects.filter(is_active=True, name__icontains=text)
        results = [
            {"value": str(pk), "label": name}
            for pk, name in found.order_by("name", "pk").values_list("pk", "name")[:RESULTS]
        ]
    return JsonResponse({"results": results})
