import pytest
from django.conf import settings


@pytest.mark.parametrize(
    "path",
    [
        "/static/tuki/tuki.css",
        "/static/vendor/bootstrap-5.3.9/bootstrap.min.css",
        "/static/vendor/htmx-2.0.11/htmx.min.js",
    ],
)
def test_static_files_are_served_with_debug_off(client, path):
    assert settings.DEBUG is False
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_the_login_page_links_the_stylesheets_it_needs(client, db):  # db: its SSO buttons
    page = client.get("/login/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "/static/tuki/tuki.css" in page
