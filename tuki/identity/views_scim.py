"""SCIM 2.0 endpoints under /scim/v2/ (RFC 7644): Users, Groups and the discovery resources.
Every door checks the provider's bearer token first (access.provider_for)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from tuki.identity import access, scim_services
from tuki.identity.models import ScimProvider
from tuki.identity.scim_services import LIST_SCHEMA, ScimError

CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200


def _answer(body: dict[str, Any] | None, status: int = 200) -> HttpResponse:
    if body is None:
        return HttpResponse(status=status)
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def _error(exc: ScimError) -> HttpResponse:
    return _answer(exc.body(), exc.status)


def scim_view(
    methods: tuple[str, ...],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            provider = access.provider_for(request)
            if provider is None:
                response = _error(ScimError(401, "A SCIM bearer token is required."))
                response["WWW-Authenticate"] = 'Bearer realm="scim"'
                return response
            if request.method not in methods:
                return _error(ScimError(405, f"{request.method} is not allowed here."))
            scim_services.touch(provider)
            try:
                return func(request, provider, *args, **kwargs)
            except Http404:
                return _error(ScimError(404, "Resource not found."))
            except ScimError as exc:
                return _error(exc)

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _page(
    request: HttpRequest, resources: list[Any], render: Callable[[Any], dict[str, Any]]
) -> HttpResponse:
    try:
        start = max(1, int(request.GET.get("startIndex", 1)))
        count = min(MAX_RESULTS, max(0, int(request.GET.get("count", MAX_RESULTS))))
    except ValueError:
        raise ScimError(400, "startIndex and count are numbers.", "invalidValue") from None
    chosen = resources[start - 1 : start - 1 + count]
    return _answer(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(resources),
            "startIndex": start,
            "itemsPerPage": len(chosen),
            "Resources": [render(r) for r in chosen],
        }
    )


def _location(request: HttpRequest, kind: str, pk: int) -> str:
    return request.build_absolute_uri(f"/scim/v2/{kind}/{pk}")


@scim_view(("GET", "POST"))
def users(request: HttpRequest, provider: ScimProvider) -> HttpResponse:
    if request.method == "POST":
        created = scim_services.create_user(provider, _body(request))
        location = _location(request, "Users", created.pk)
        response = _answer(scim_services.user_resource(created, location), 201)
        response["Location"] = location
        return response
    found = scim_services.find_users(provider, request.GET.get("filter", ""))
    return _page(
        request,
        found,
        lambda u: scim_services.user_resource(u, _location(request, "Users", u.pk)),
    )


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, provider: ScimProvider, ref: str) -> HttpResponse:
    scim_user = access.scim_user(provider, ref)
    pk = scim_user.pk
    if request.method == "DELETE":
        scim_services.delete_user(provider, scim_user)
        return _answer(None, 204)
    if request.method == "PUT":
        scim_user = scim_services.replace_user(provider, scim_user, _body(request))
    elif request.method == "PATCH":
        scim_user = scim_services.patch_user(provider, scim_user, _body(request))
    return _answer(scim_services.user_resource(scim_user, _location(request, "Users", pk)))


@scim_view(("GET", "POST"))
def groups(request: HttpRequest, provider: ScimProvider) -> HttpResponse:
    if request.method == "POST":
        created = scim_services.create_group(provider, _body(request))
        location = _location(request, "Groups", created.pk)
        response = _answer(scim_services.group_resource(created, location), 201)
        response["Location"] = location
        return response
    found = scim_services.find_groups(provider, request.GET.get("filter", ""))
    with_members = "members" not in request.GET.get("excludedAttributes", "")
    return _page(
        request,
        found,
        lambda g: scim_services.group_resource(g, _location(request, "Groups", g.pk), with_members),
    )


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, provider: ScimProvider, ref: str) -> HttpResponse:
    scim_group = access.scim_group(provider, ref)
    pk = scim_group.pk
    if request.method == "DELETE":
        scim_services.delete_group(provider, scim_group)
        return _answer(None, 204)
    if request.method == "PUT":
        scim_group = scim_services.replace_group(provider, scim_group, _body(request))
    elif request.method == "PATCH":
        scim_group = scim_services.patch_group(provider, scim_group, _body(request))
        # Entra ID and Okta accept 204 or the resource; the resource tells more.
    return _answer(scim_services.group_resource(scim_group, _location(request, "Groups", pk)))


@scim_view(("GET",))
def service_provider_config(request: HttpRequest, provider: ScimProvider) -> HttpResponse:
    return _answer(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": request.build_absolute_uri("/docs/identity/"),
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "The provider's token from Tuki's administration.",
                    "primary": True,
                }
            ],
            "meta": {"resourceType": "ServiceProviderConfig"},
        }
    )


RESOURCE_TYPES = [
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "schema": scim_services.USER_SCHEMA,
        "meta": {"resourceType": "ResourceType"},
    },
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "schema": scim_services.GROUP_SCHEMA,
        "meta": {"resourceType": "ResourceType"},
    },
]


def _attribute(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **extra,
    }


SCHEMAS = [
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": scim_services.USER_SCHEMA,
        "name": "User",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute("externalId"),
            _attribute(
                "name",
                "complex",
                subAttributes=[_attribute(n) for n in ("formatted", "givenName", "familyName")],
            ),
            _attribute("displayName"),
            _attribute(
                "emails",
                "complex",
                multiValued=True,
                subAttributes=[
                    _attribute("value"),
                    _attribute("type"),
                    _attribute("primary", "boolean"),
                ],
            ),
            _attribute(
                "phoneNumbers",
                "complex",
                multiValued=True,
                subAttributes=[_attribute("value"), _attribute("type")],
            ),
            _attribute("active", "boolean"),
            _attribute(
                "groups",
                "complex",
                multiValued=True,
                mutability="readOnly",
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
        "meta": {"resourceType": "Schema"},
    },
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": scim_services.GROUP_SCHEMA,
        "name": "Group",
        "attributes": [
            _attribute("displayName", required=True),
            _attribute("externalId"),
            _attribute(
                "members",
                "complex",
                multiValued=True,
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
        "meta": {"resourceType": "Schema"},
    },
]


@scim_view(("GET",))
def resource_types(request: HttpRequest, provider: ScimProvider) -> HttpResponse:
    return _answer(
        {"schemas": [LIST_SCHEMA], "totalResults": len(RESOURCE_TYPES), "Resources": RESOURCE_TYPES}
    )


@scim_view(("GET",))
def schemas(request: HttpRequest, provider: ScimProvider) -> HttpResponse:
    return _answer({"schemas": [LIST_SCHEMA], "totalResults": len(SCHEMAS), "Resources": SCHEMAS})
