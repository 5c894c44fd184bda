"""The OpenAPI description and the interactive docs, served without the internet."""

from __future__ import annotations

import re

from django.test import Client


def test_the_openapi_file_lists_the_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Tuki API"
    for path in ("/api/v1/tickets", "/api/v1/tickets/{ref}/comments", "/api/v1/users/me"):
        assert path in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_docs_page_loads_only_local_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower()
    for asset in assets:
        served = Client().get(asset)
        assert served.status_code == 200, asset
