"""CSV import: real-world files (BOM, semicolons, Windows line ends), the column mapping,
the command, and the page's preview (which writes nothing) and confirmation, per role."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from tuki.cmdb import csvfeed, services
from tuki.cmdb.models import CIClass, CIHistory, ConfigurationItem
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.lib.testing import query_budget

pytestmark = pytest.mark.django_db
URL = "/cmdb/import/"

EXCEL = (
    "\ufeffName;Class;Serial Number;Host name;CPU cores;OS;Owner;Colour\r\n"
    "web01;server;SN-1;WEB01.example.com.;4;Debian 12;{owner};blue\r\n"
    "web02;server;SN-2;web02.example.com;many;Debian 12;;\r\n"
    "\r\n"
    "sw1;network_device;;;;;;\r\n"
).encode()


def _excel(desk: Desk) -> bytes:
    return EXCEL.replace(b"{owner}", desk.lead.email.encode())


def test_a_spreadsheet_export_is_read_with_its_mapping(desk: Desk) -> None:
    table = csvfeed.read(_excel(desk))
    assert table.delimiter == ";"
    assert table.mapping == {
        "Name": "name",
        "Class": "class",
        "Serial Number": "serial_number",
        "Host name": "hostname",
        "CPU cores": "attributes.cpu_cores",
        "OS": "attributes.os",
        "Owner": "owner",
    }
    assert table.ignored == ["Colour"]
    records = table.records()
    assert len(records) == 3  # the empty line is no row
    assert records[0]["attributes"] == {"cpu_cores": "4", "os": "Debian 12"}
    assert records[2] == {"name": "sw1", "class": "network_device"}


def test_commas_latin1_and_files_that_are_not_csv(desk: Desk) -> None:
    table = csvfeed.read("name,class,description\nkahvi,server,Käyttö\n".encode("cp1252"))
    assert table.delimiter == "," and table.records()[0]["description"] == "Käyttö"
    for bad in (b"", b"colour,size\nred,big\n", b"name\n\x00\n"):
        with pytest.raises(ServiceError) as error:
            csvfeed.read(bad)
        assert error.value.field == "file"


def test_the_command_imports_reports_and_a_rerun_changes_nothing(desk: Desk, tmp_path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(_excel(desk))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("cmdb_import", str(path), "--source", "csv", stdout=out, stderr=io.StringIO())
    assert exit_code.value.code == 1  # row 2 has an error
    text = out.getvalue()
    assert "row 2: error web02 [attributes.cpu_cores: Enter a whole number.]" in text
    assert "2 created, 0 updated, 0 unchanged, 0 conflict, 1 error" in text
    web01 = ConfigurationItem.objects.get(name="web01")
    assert (web01.hostname, web01.owner, web01.sources["os"]) == (
        "web01.example.com",
        desk.lead,
        "csv",
    )
    history = CIHistory.objects.count()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("cmdb_import", str(path), stdout=out, stderr=io.StringIO())
    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert CIHistory.objects.count() == history


def test_the_command_dry_run_and_default_class(desk: Desk, tmp_path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(b"name,hostname,hypervisor\nvm1,vm1.example.com,KVM\n")
    out = io.StringIO()
    call_command(
        "cmdb_import",
        str(path),
        "--class",
        "virtual_machine",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "dry run, nothing written: 1 created" in out.getvalue()
    assert not ConfigurationItem.objects.exists()
    call_command(
        "cmdb_import",
        str(path),
        "--class",
        "virtual_machine",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert ConfigurationItem.objects.get().attributes == {"hypervisor": "KVM"}


def test_the_command_refuses_an_unknown_source_or_class(desk: Desk, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"name;class\nx;server\n")
    with pytest.raises(CommandError, match="No data source 'nope'"):
        call_command("cmdb_import", str(path), "--source", "nope")
    with pytest.raises(CommandError, match="No class 'nope'"):
        call_command("cmdb_import", str(path), "--class", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("cmdb_import", str(tmp_path / "missing.csv"))


def _upload(data: bytes, name: str = "items.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.parametrize(
    "role", ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"]
)
def test_the_page_is_for_administrators_only(desk: Desk, role: str) -> None:
    client = desk.client_for(getattr(desk, role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"file": _upload(_excel(desk)), "source": "csv"}).status_code == 404
    assert client.post(URL + "run/", {"token": "x"}).status_code == 404
    assert not ConfigurationItem.objects.exists()


def test_anonymous_visitors_sign_in_first(desk: Desk) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_preview_writes_nothing_then_confirm_imports(desk: Desk) -> None:
    services.create_item(
        desk.admin, name="web01", ci_class=CIClass.objects.get(key="server"), serial_number="SN-1"
    )
    client = desk.client_for(desk.admin)
    assert client.get(URL).status_code == 200
    history = CIHistory.objects.count()
    response = client.post(URL, {"file": _upload(_excel(desk)), "source": "csv"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Colour" in page and "ignored" in page and "attributes.cpu_cores" in page
    assert "semicolon" in page
    rows = response.context["rows"]
    assert [r["result"].status for r in rows] == ["updated", "error", "created"]
    assert "Enter a whole number." in page
    assert ConfigurationItem.objects.count() == 1 and CIHistory.objects.count() == history
    token = response.context["token"]
    assert client.post(URL + "run/", {"token": "wrong"}).status_code == 302
    done = client.post(URL + "run/", {"token": token})
    assert done.status_code == 200
    assert done.context["summary"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "conflict": 0,
        "error": 1,
    }
    assert ConfigurationItem.objects.count() == 2
    # The stored file is gone with the session's note of it: a second confirmation is a no-op.
    assert client.post(URL + "run/", {"token": token}).status_code == 302
    assert ConfigurationItem.objects.count() == 2


def test_the_page_shows_field_errors(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = client.post(URL, {"file": _upload(b"colour\nred\n"), "source": "csv"})
    assert response.status_code == 422
    assert "No column of the file is a known field or attribute." in response.content.decode()
    response = client.post(URL, {"source": "nope"})
    assert response.status_code == 422 and not ConfigurationItem.objects.exists()


def test_the_upload_form_has_a_query_budget(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    client.get(URL)
    with query_budget(8):
        assert client.get(URL).status_code == 200
